/**
 * What each net conformance test gets: a loop over the backend under test,
 * the suite's sizes, and helpers that check nothing leaks.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createLoop, type Loop } from '@wsaloop/core';
export { soak } from '@wsaloop/core/conformance';
import { expect } from 'vitest';

/** The suite's groups of tests, in the order they run. */
export const NET_CONFORMANCE_GROUPS = ['socket', 'pipes', 'http', 'hostile', 'tlsWs', 'pool'] as const;

/** A group of the suite, for {@link NetConformanceOptions.only}. */
export type NetConformanceGroup = (typeof NET_CONFORMANCE_GROUPS)[number];

/** Options of {@link runNetConformance}. */
export interface NetConformanceOptions {
  /** Backend name, as given to `createLoop`. */
  backend: string;
  /** Extra backend options (e.g. `{ notify: 'routine' }`). */
  options?: Record<string, unknown>;
  /** Label shown in the test names (default: the backend name). */
  label?: string;
  /** Size of the big HTTP upload and download, each way (default 50 MiB). */
  bigTransfer?: number;
  /** Size of the TLS transfer, each way (default 10 MiB). */
  tlsTransfer?: number;
  /**
   * Only these groups (default: all). For an option set of a backend that
   * passes the whole suite with its defaults: the groups the option changes.
   */
  only?: readonly NetConformanceGroup[];
}

/** Settings every test file sees. */
export interface NetConformance {
  label: string;
  /** `createLoop` options of the backend under test (for loops on other threads). */
  loopOptions: Record<string, unknown>;
  bigTransfer: number;
  tlsTransfer: number;
  makeLoop(): Loop;
}

export function netConformanceContext(opts: NetConformanceOptions): NetConformance {
  return {
    label: opts.label ?? opts.backend,
    loopOptions: { backend: opts.backend, ...opts.options },
    bigTransfer: opts.bigTransfer ?? 50 * 1024 * 1024,
    tlsTransfer: opts.tlsTransfer ?? 10 * 1024 * 1024,
    makeLoop: () => createLoop({ backend: opts.backend, ...opts.options }),
  };
}

/** The stats that must return to baseline (pool capacities may stay grown). */
export function liveStats(loop: Loop): Record<string, number> {
  return loop.liveStats();
}

/**
 * Runs `body` with a fresh loop (the net layer runs it), then waits until
 * every handle is closed, checks `loop.stats()` is back to its baseline and
 * closes the loop.
 */
export async function withNetLoop(ctx: NetConformance, body: (loop: Loop) => Promise<void>): Promise<void> {
  const loop = ctx.makeLoop();
  const baseline = liveStats(loop);
  try {
    await body(loop);
    await settled(loop);
    const open: string[] = [];
    loop.walk((h) => open.push(h.type));
    expect(open).toEqual([]);
    expect(liveStats(loop)).toEqual(baseline);
  } finally {
    loop.walk((h) => {
      if (!h.isClosing()) h.close();
    });
    await settled(loop);
    loop.close();
  }
}

/** Resolves once the loop has no handles left and is not running (bounded wait). */
export async function settled(loop: Loop, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let handles = 0;
    loop.walk(() => handles++);
    if (handles === 0 && !loop.running) return;
    if (Date.now() > until) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Collects a readable into one Buffer. */
export async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/** Waits for `event` on `emitter`, failing after `ms`. */
export async function eventWithin<T extends unknown[]>(emitter: NodeJS.EventEmitter, event: string, ms: number): Promise<T> {
  return (await once(emitter, event, { signal: AbortSignal.timeout(ms) })) as T;
}

/** Platform slowness factor: Wine is slow. */
export const SLOW = process.platform === 'win32' ? 4 : 1;

/** The next `event` on `emitter` (unlike `events.once`, an `'error'` does not reject it). */
export function nextEvent<T extends unknown[]>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args as T)));
}
