/**
 * A server spread over several loops, one per Worker thread: an
 * {@link AcceptThread} deals connections, each loop serves its share with
 * the same module. The way a wsaloop server uses every core; on Windows a
 * second process cannot share the port (no SO_REUSEPORT), so threads it is.
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { SocketAddress } from '../sys/sockaddr.js';
import type { Loop } from '../loop/loop.js';
import type { Pipe } from '../loop/pipe.js';
import type { Tcp } from '../loop/tcp.js';
import { checkNamedPipeName, checkPipeName } from '../net/arguments.js';
import { AcceptThread } from './accept-thread.js';

/** Serves one adopted connection on a pool loop: a `Tcp`, or a `Pipe` in a pool started with a `path`. */
export type PoolConnectionHandler<Client extends Tcp | Pipe = Tcp> = (client: Client) => void;

/**
 * What a pool's module default-exports: called once on each loop's thread
 * before connections arrive, returns (or resolves to) the handler for that
 * loop's connections. `data` is {@link ServerPoolOptions.data}.
 */
export type PoolModuleFactory<Client extends Tcp | Pipe = Tcp> = (loop: Loop, data: unknown) => PoolConnectionHandler<Client> | Promise<PoolConnectionHandler<Client>>;

/** Options of {@link ServerPool.start}: `host` and `port`, or a pipe's `path`. */
export interface ServerPoolOptions {
  /** IP literal to listen on. */
  host?: string;
  /** Port; 0 picks a free one. */
  port?: number;
  /**
   * A pipe to listen on instead of `host` and `port` (a Unix domain
   * socket's path; on Windows a named pipe, `\\.\pipe\NAME`): each loop
   * then gets `Pipe` connections.
   */
  path?: string;
  /** Listen backlog (default 511). */
  backlog?: number;
  /** Loops, each on a Worker thread of its own (default: the number of processors). */
  threads?: number;
  /** The module every loop runs: a file URL or path whose default export is a {@link PoolModuleFactory}. */
  module: string | URL;
  /** `createLoop` options for every loop (plain data: a backend name and its options). */
  loop?: Record<string, unknown>;
  /** Plain data handed to the module's factory. */
  data?: unknown;
}

/** Per-loop figures of a {@link ServerPool}. */
export interface ServerPoolStats {
  /** Connections each loop has been handed since it started. */
  served: number[];
  /** Connections each loop holds now. */
  live: number[];
  /** Loops replaced after they failed. */
  restarts: number;
}

/** Events of a {@link ServerPool}. */
export interface ServerPoolEvents {
  /** A loop failed (its module threw); it closed its own connections and is being replaced. */
  loopFailed: [index: number, error: Error];
  /** Accepting failed for good. */
  error: [error: Error];
}

/** Messages from a pool loop. */
export type PoolLoopReport =
  | { type: 'ready'; waitsOnThreadPool: boolean }
  | { type: 'failed'; error: string; startup: boolean }
  | { type: 'closed'; live: Record<string, number>; baseline: Record<string, number> };

interface PoolLoop {
  worker: Worker;
  done: Promise<PoolLoopReport | null>;
}

/**
 * N loops on Worker threads serving one port (or pipe: `Address` is then
 * its path). Start it with
 * {@link ServerPool.start}; stop it with {@link ServerPool.close}.
 *
 * A loop whose module throws closes every connection it holds, reports
 * `loopFailed` and is replaced; the others go on. Connections already handed
 * to it are closed, never leaked.
 */
export class ServerPool<Address extends SocketAddress | string = SocketAddress> extends EventEmitter<ServerPoolEvents> {
  /** The address the pool listens on (a pipe's path for a pipe). */
  readonly address: Address;
  /** Number of loops. */
  readonly threads: number;
  readonly #acceptor: AcceptThread<Address>;
  readonly #loops: PoolLoop[];
  readonly #served: Int32Array;
  readonly #spawn: (index: number, port: MessagePort) => PoolLoop;
  #restarts = 0;
  #closing: Promise<Array<PoolLoopReport | null>> | null = null;

  private constructor(acceptor: AcceptThread<Address>, loops: PoolLoop[], served: Int32Array, spawn: (index: number, port: MessagePort) => PoolLoop) {
    super();
    this.#acceptor = acceptor;
    this.#loops = loops;
    this.#served = served;
    this.#spawn = spawn;
    this.address = acceptor.address;
    this.threads = loops.length;
    acceptor.on('error', (error) => this.emit('error', error));
    loops.forEach((loop, index) => this.#watch(index, loop));
  }

  /**
   * Starts the loops, waits until each has run its module's factory, then
   * starts accepting.
   * @throws TypeError / RangeError for bad options; the first loop's startup
   *   error (an unknown backend, a module that throws); WsaloopError (e.g.
   *   `EADDRINUSE`) if the port cannot be listened on.
   */
  static async start(options: ServerPoolOptions & { path: string }): Promise<ServerPool<string>>;
  static async start(options: ServerPoolOptions): Promise<ServerPool>;
  static async start(options: ServerPoolOptions): Promise<ServerPool<SocketAddress | string>> {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`The "threads" option must be a positive integer, received ${String(threads)}`);
    // Before any loop starts: a bad pipe name is refused at once.
    if (options.path !== undefined) {
      checkPipeName(options.path, 'path');
      if (process.platform === 'win32') checkNamedPipeName(options.path, 'listen');
    }
    const module = options.module instanceof URL ? options.module.href : pathToFileURL(String(options.module)).href;
    const served = new Int32Array(new SharedArrayBuffer(4 * threads));
    const loads = new SharedArrayBuffer(4 * threads);
    const channels = Array.from({ length: threads }, () => new MessageChannel());
    const spawn = (index: number, port: MessagePort): PoolLoop => {
      const worker = new Worker(new URL('./server-pool-worker.js', import.meta.url), {
        workerData: { index, port, module, loop: options.loop ?? {}, data: options.data, served: served.buffer, loads, pipe: options.path !== undefined },
        transferList: [port],
      });
      const done = new Promise<PoolLoopReport | null>((resolve) => {
        let last: PoolLoopReport | null = null;
        worker.on('message', (m: PoolLoopReport) => (last = m));
        worker.once('exit', () => resolve(last));
      });
      return { worker, done };
    };
    // Every loop runs its module's factory before the first connection is accepted.
    const loops = channels.map((c, index) => spawn(index, c.port2));
    const startups = await Promise.all(loops.map((l) => firstReport(l.worker)));
    const failed = startups.find((r): r is Extract<PoolLoopReport, { type: 'failed' }> => r.type === 'failed');
    let acceptor: AcceptThread<SocketAddress | string> | null = null;
    try {
      if (failed) throw new Error(failed.error);
      checkThreadPool(startups.filter((r) => r.type === 'ready' && r.waitsOnThreadPool).length);
      const { host, port, path, backlog } = options;
      acceptor = await AcceptThread.start({ host, port, path, backlog, targets: channels.map((c) => c.port1), loads });
    } catch (error) {
      for (const l of loops) l.worker.postMessage('stop');
      await Promise.all(loops.map((l) => l.done));
      throw error;
    }
    for (const l of loops) l.worker.postMessage('run');
    return new ServerPool<SocketAddress | string>(acceptor, loops, served, spawn);
  }

  /** Connections handed to each loop, held by each loop, and restarts so far. */
  stats(): ServerPoolStats {
    const loads = new Int32Array(this.#acceptor.loads);
    return { served: [...this.#served], live: [...loads].map((n) => Math.max(0, n)), restarts: this.#restarts };
  }

  #watch(index: number, loop: PoolLoop): void {
    loop.worker.on('message', (report: PoolLoopReport) => {
      if (report.type !== 'failed' || this.#closing) return;
      this.#acceptor.retire(index);
      this.emit('loopFailed', index, new Error(report.error));
      void loop.done.then(() => {
        if (this.#closing) return;
        this.#restarts++;
        const { port1, port2 } = new MessageChannel();
        const replacement = this.#spawn(index, port2);
        this.#loops[index] = replacement;
        this.#watch(index, replacement);
        void firstReport(replacement.worker).then((r) => {
          if (r.type === 'ready' && !this.#closing) {
            replacement.worker.postMessage('run');
            this.#acceptor.replace(index, port1);
          } else {
            replacement.worker.postMessage('stop');
            port1.close();
          }
        });
      });
    });
  }

  /**
   * Stops accepting, closes every connection on every loop, and resolves
   * once every loop has exited.
   * @returns Each loop's backend figures after its last close, and at start
   *   (from `loop.stats()`, live counts only), for leak checks.
   */
  close(): Promise<Array<PoolLoopReport | null>> {
    this.#closing ??= (async () => {
      await this.#acceptor.close();
      for (const loop of this.#loops) loop.worker.postMessage('stop');
      return Promise.all(this.#loops.map((l) => l.done));
    })();
    return this.#closing;
  }
}

/** Thread-pool threads left free for fs, dns, crypto and starting Workers. */
const THREAD_POOL_RESERVE = 2;

/**
 * Fails the start when loops waiting on libuv's thread pool would leave it
 * too few threads: the pool's size is fixed when Node starts, and once every
 * thread is held by a waiting loop, everything else that needs one (even
 * loading a Worker's code) waits forever.
 */
function checkThreadPool(waitingLoops: number): void {
  if (waitingLoops === 0) return;
  const size = Math.min(1024, Math.max(1, Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4));
  const needed = waitingLoops + THREAD_POOL_RESERVE;
  if (size >= needed) return;
  const error = new Error(
    `${waitingLoops} loops on this backend wait on libuv's thread pool, which has ${size} threads: start Node with UV_THREADPOOL_SIZE=${needed} or more`,
  ) as Error & { code: string };
  error.code = 'ERR_WSALOOP_THREADPOOL_TOO_SMALL';
  throw error;
}

function firstReport(worker: Worker): Promise<PoolLoopReport> {
  return new Promise((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error) => resolve({ type: 'failed', error: String(error), startup: true }));
    worker.once('exit', (code) => resolve({ type: 'failed', error: `loop thread exited (${code}) while starting`, startup: true }));
  });
}
