/**
 * The trace-compare harness: one scenario, run once on node:net and once on
 * @wsaloop/net, records what it sees (events, values, error shapes); the
 * test asserts both traces are equal. node:net is the reference.
 */
import http from 'node:http';
import { expect } from 'vitest';
import * as nodeNet from 'node:net';
import * as wsaloopNet from '../../src/index.js';

/** What a scenario gets: a `net`-like module and the matching http.Agent class. */
export interface Flavor {
  name: 'node:net' | '@wsaloop/net';
  net: typeof nodeNet;
  Agent: typeof http.Agent;
}

export const flavors: Flavor[] = [
  { name: 'node:net', net: nodeNet, Agent: http.Agent },
  { name: '@wsaloop/net', net: wsaloopNet as unknown as typeof nodeNet, Agent: wsaloopNet.Agent as unknown as typeof http.Agent },
];

/** A scenario records into `trace` and resolves when it is done. */
export type Scenario = (flavor: Flavor, trace: (...values: unknown[]) => void) => Promise<void>;

/** The fields of an error that node:net users rely on. */
export function shape(error: unknown): Record<string, unknown> {
  const e = error as Record<string, unknown>;
  const out: Record<string, unknown> = { name: e.name, code: e.code, message: e.message };
  for (const key of ['errno', 'syscall', 'address', 'port', 'hostname']) if (key in e) out[key] = e[key];
  return out;
}

/** What `fn` throws, as a shape (or 'no throw'). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return 'no throw';
  } catch (error) {
    return shape(error);
  }
}

/** Runs `scenario` on both modules, each with a time limit, and returns both traces. */
export async function traces(scenario: Scenario, timeoutMs = 5000): Promise<Record<Flavor['name'], unknown[]>> {
  const out = {} as Record<Flavor['name'], unknown[]>;
  for (const flavor of flavors) {
    const trace: unknown[] = [];
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        trace.push('(scenario timed out)');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([scenario(flavor, (...values) => trace.push(values.length === 1 ? values[0] : values)), limit]);
    clearTimeout(timer);
    out[flavor.name] = trace;
  }
  return out;
}

/** Resolves on `event` of `emitter`. */
export function once(emitter: NodeJS.EventEmitter, event: string): Promise<unknown[]> {
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args)));
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A listening server on 127.0.0.1 of `flavor`, and its port. */
export async function listening(flavor: Flavor, onConnection?: (socket: nodeNet.Socket) => void): Promise<[nodeNet.Server, number]> {
  const server = flavor.net.createServer(onConnection);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return [server, (server.address() as nodeNet.AddressInfo).port];
}

/** Closes `server` and waits for its 'close'. */
export async function closed(server: nodeNet.Server): Promise<void> {
  const done = once(server, 'close');
  server.close();
  await done;
}

/** Runs `scenario` on both modules and expects equal traces. */
export async function same(scenario: Scenario): Promise<void> {
  const result = await traces(scenario);
  expect(result['@wsaloop/net']).toEqual(result['node:net']);
}
