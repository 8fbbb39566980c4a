/**
 * One loop of a {@link ServerPool}, on a Worker thread of its own: runs the
 * pool's module, adopts the sockets the accept thread hands it, and on a
 * failure or a stop closes every connection it holds before it exits.
 */
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { createLoop } from '../loop/create-loop.js';
import type { Loop } from '../loop/loop.js';
import { socketApi } from '../sys/platform.js';
import { type HandedSocket, releaseConnection, RETIRED } from './accept-thread.js';
import type { PoolConnectionHandler, PoolLoopReport, PoolModuleFactory } from './server-pool.js';
import type { Pipe } from '../loop/pipe.js';
import type { Tcp } from '../loop/tcp.js';

/** How long a failed loop keeps draining connections that were on their way to it. */
const DRAIN_GRACE_MS = 50;

const { index, port, module, loop: loopOptions, data, served, loads, pipe } = workerData as {
  index: number;
  port: MessagePort;
  module: string;
  loop: Record<string, unknown>;
  data: unknown;
  served: SharedArrayBuffer;
  loads: SharedArrayBuffer;
  /** The pool serves a pipe: its connections are adopted as pipes. */
  pipe: boolean;
};
const report = (message: PoolLoopReport): void => parentPort!.postMessage(message);
const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function start(): Promise<{ loop: Loop; handler: PoolConnectionHandler<Tcp | Pipe> }> {
  const loop = createLoop(loopOptions);
  try {
    const factory = ((await import(module)) as { default?: PoolModuleFactory<Tcp | Pipe> }).default;
    if (typeof factory !== 'function') throw new TypeError(`${module} must default-export a function (loop, data) => connection handler`);
    const handler = await factory(loop, data);
    if (typeof handler !== 'function') throw new TypeError(`the factory of ${module} must return a connection handler function`);
    return { loop, handler };
  } catch (error) {
    loop.walk((h) => h.close());
    await loop.run().catch(() => {});
    loop.close();
    throw error;
  }
}

let started: { loop: Loop; handler: PoolConnectionHandler<Tcp | Pipe> };
try {
  started = await start();
} catch (error) {
  report({ type: 'failed', error: describe(error), startup: true });
  process.exit(1);
}
const { loop, handler } = started;
const baseline = loop.liveStats();
const clients = new Set<Tcp | Pipe>();
let stopping = false;
// Keeps the loop running while it holds no connection.
const keepAlive = loop.async(() => {});

function adopt({ socket }: HandedSocket): void {
  Atomics.add(new Int32Array(served), index, 1);
  if (stopping) {
    socketApi().close(socket);
    releaseConnection(loads, index);
    return;
  }
  let client: Tcp | Pipe;
  try {
    client = (pipe ? loop.pipe() : loop.tcp()).open(socket);
  } catch {
    socketApi().close(socket); // the peer left before it could be adopted
    releaseConnection(loads, index);
    return;
  }
  clients.add(client);
  client.once('close', () => {
    clients.delete(client);
    releaseConnection(loads, index);
  });
  handler(client);
}

/** Closes sockets still queued for this loop (a stop, or a failure racing the accept thread). */
function drain(): void {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) adopt(m.message as HandedSocket);
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  drain();
  if (!keepAlive.isClosing()) keepAlive.close();
  for (const client of clients) if (!client.isClosing()) client.close();
}

port.on('message', (message: HandedSocket) => {
  try {
    adopt(message);
  } catch (error) {
    fail(error);
  }
});
const onControl = (message: unknown): void => {
  if (message === 'stop') stop();
};
parentPort!.on('message', onControl);

let failure: unknown = null;
function fail(error: unknown): void {
  if (failure) return;
  failure = error;
  Atomics.store(new Int32Array(loads), index, RETIRED);
  stop();
}

report({ type: 'ready', waitsOnThreadPool: loop.backend.waitsOnThreadPool === true });
// The pool checks libuv's thread pool can hold every waiting loop before any starts waiting.
const go = await new Promise<boolean>((resolve) => parentPort!.once('message', (m) => resolve(m === 'run')));
if (!go) stop();
for (;;) {
  try {
    await loop.run();
    break;
  } catch (error) {
    // An exception from the module: this loop's connections go, the others stay.
    fail(error);
  }
}
if (failure) {
  await new Promise((resolve) => setTimeout(resolve, DRAIN_GRACE_MS));
  drain();
  await loop.run().catch(() => {});
}
port.close();
parentPort!.off('message', onControl); // lets the thread exit
const live = loop.liveStats();
loop.close();
report(failure ? { type: 'failed', error: describe(failure), startup: false } : { type: 'closed', live, baseline });
