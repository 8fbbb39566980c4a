/**
 * An acceptor on a thread of its own that deals new connections out to loops
 * on other threads: the shape of the course notes' completion-port server
 * (one thread accepts, a pool serves), usable with every backend.
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { MessageChannel, type MessagePort, type TransferListItem, Worker } from 'node:worker_threads';
import { stateError, WsaloopError } from '../errors.js';
import { onProcessExit } from '../loop/exit-guard.js';
import { nativeError, socketApi } from '../sys/platform.js';
import { encodeLocalSockaddr, encodeSockaddr, SOCKADDR_MAX, type SocketAddress } from '../sys/sockaddr.js';
import { windows } from '../sys/winsock/library.js';
import { checkIpHost, checkNamedPipeName, checkPipeName, checkPort } from '../net/arguments.js';

/** On Windows a pipe is a named pipe: the worker keeps instances of it waiting (named-pipe-acceptor.ts). */
const NAMED_PIPES = process.platform === 'win32';

/** Options of {@link AcceptThread.start}: `host` and `port`, or a pipe's `path`. */
export interface AcceptThreadOptions {
  /** IP literal to listen on (`0.0.0.0`, `::` for dual-stack, `127.0.0.1`, ...). */
  host?: string;
  /** Port; 0 picks a free one. */
  port?: number;
  /**
   * A pipe to listen on instead of `host` and `port`: a Unix domain socket's
   * path on Linux, removed when the thread closes; on Windows a named pipe
   * (`\\.\pipe\NAME`), whose connected instances are handed out.
   */
  path?: string;
  /** Listen backlog (default 511); on Windows, with a `path`, the instances kept waiting (up to 63). */
  backlog?: number;
  /**
   * One message port per receiving loop. Each new connection is posted to
   * one of them as a {@link HandedSocket}.
   */
  targets: readonly MessagePort[];
  /**
   * The load counters to use (one Int32 per target), when the receiving
   * loops must know them before accepting starts. Default: new ones.
   */
  loads?: SharedArrayBuffer;
}

/** What a receiving loop gets for each connection: adopt it with `loop.tcp().open(socket)` (`loop.pipe()` for a pipe). */
export interface HandedSocket {
  /** The connected socket (SOCKET or fd; a named pipe instance's HANDLE on Windows): valid in every thread of the process. */
  socket: number;
}

/** Events of an {@link AcceptThread}. */
export interface AcceptThreadEvents {
  /** Accepting failed for good (not a single connection's failure); the thread has stopped. */
  error: [error: WsaloopError];
  /** The thread has stopped and the listening socket is closed. */
  close: [];
}

/** Load of a target that must get no more connections (its loop is gone). */
export const RETIRED = 0x40000000;

/** Acceptors still running: woken at process exit, which joins every Worker thread. */
const running = new Set<AcceptThread<SocketAddress | string>>();
let exitHookInstalled = false;

/** Messages from the accept thread. */
export type AcceptThreadReport =
  | { type: 'listening'; address: SocketAddress | string }
  | { type: 'error'; code: string; errno: number; message: string };

/**
 * Accepts connections with blocking `accept()` on a Worker thread of its
 * own and hands each one to the target loop with the fewest live
 * connections (round-robin among equals). `Address` is what it listens on:
 * an IP address and port, or (started with a `path`) the pipe's path. The
 * socket crosses threads as a number and is never registered with any
 * backend before the receiving loop adopts it with {@link Tcp.open}, so every
 * backend can take it, including a completion port (a socket belongs to one
 * port for life). On Windows a pipe's connections are instances of the
 * named pipe, waited for with overlapped ConnectNamedPipe on this thread
 * (as many as the backlog, up to 63) and handed out the same way, to be
 * adopted with {@link Pipe.open}.
 *
 * Each receiving loop reports a connection's end by decrementing its slot of
 * {@link AcceptThread.loads} (see {@link releaseConnection}).
 */
export class AcceptThread<Address extends SocketAddress | string = SocketAddress> extends EventEmitter<AcceptThreadEvents> {
  /** The address the thread listens on (a pipe's path for a pipe). */
  readonly address: Address;
  /** Live connections per target (Int32 slots), shared with the receiving loops. */
  readonly loads: SharedArrayBuffer;
  readonly #worker: Worker;
  readonly #control: MessagePort;
  readonly #stopFlag: Int32Array;
  /** A Windows named pipe's acceptor waits on this event too; setting it ends the wait (0 once closed). */
  #stopEvent: number;
  #closed: Promise<void>;

  private constructor(worker: Worker, control: MessagePort, address: Address, loads: SharedArrayBuffer, stopFlag: Int32Array, stopEvent: number) {
    super();
    this.#worker = worker;
    this.#control = control;
    this.address = address;
    this.loads = loads;
    this.#stopFlag = stopFlag;
    this.#stopEvent = stopEvent;
    this.#closed = new Promise((resolve) => worker.once('exit', () => resolve()));
    if (stopEvent !== 0) {
      void this.#closed.then(() => {
        // Forgotten first: a closed handle's number may be reused by someone else's event.
        this.#stopEvent = 0;
        windows().kernel32.CloseHandle(stopEvent);
      });
    }
    worker.on('message', (report: AcceptThreadReport) => {
      if (report.type === 'error') this.emit('error', reportError(report));
    });
    void this.#closed.then(() => this.emit('close'));
  }

  /**
   * Binds, listens and starts accepting.
   * @returns The running acceptor, once it listens.
   * @throws TypeError / RangeError for bad options; WsaloopError (e.g. `EADDRINUSE`) if it cannot listen.
   */
  static async start(options: AcceptThreadOptions & { path: string }): Promise<AcceptThread<string>>;
  static async start(options: AcceptThreadOptions): Promise<AcceptThread>;
  static async start(options: AcceptThreadOptions): Promise<AcceptThread<SocketAddress | string>> {
    const { host, port, path, backlog = 511, targets } = options;
    if (path !== undefined) {
      checkPipeName(path, 'path');
      if (NAMED_PIPES) checkNamedPipeName(path, 'listen');
      else if (encodeLocalSockaddr(socketApi(), path, Buffer.alloc(SOCKADDR_MAX)) < 0) throw stateError('ENAMETOOLONG', 'listen', `${path}: too long for a pipe name`);
    } else {
      checkIpHost(host);
      checkPort(port);
    }
    if (!Number.isInteger(backlog) || backlog < 0) throw new RangeError(`The "backlog" option must be a non-negative integer, received ${String(backlog)}`);
    if (!Array.isArray(targets) || targets.length === 0) throw new TypeError('The "targets" option must be a non-empty array of MessagePorts');
    const loads = options.loads ?? new SharedArrayBuffer(4 * targets.length);
    if (!(loads instanceof SharedArrayBuffer) || loads.byteLength < 4 * targets.length) {
      throw new TypeError('The "loads" option must be a SharedArrayBuffer with 4 bytes per target');
    }
    const stopFlag = new Int32Array(new SharedArrayBuffer(4));
    // A manual-reset event: set once, it ends every later wait too.
    const stopEvent = NAMED_PIPES && path !== undefined ? windows().kernel32.CreateEventW(0, 1, 0, 0) : 0;
    // Without it the thread could never be stopped: refuse before it starts.
    if (NAMED_PIPES && path !== undefined && stopEvent === 0) throw nativeError(-windows().kernel32.GetLastError(), 'listen', path);
    const { port1: control, port2: controlRemote } = new MessageChannel();
    const worker = new Worker(new URL('./accept-thread-worker.js', import.meta.url), {
      workerData: { host, port, path, backlog, targets, loads, stop: stopFlag.buffer, stopEvent, control: controlRemote },
      transferList: [...targets, controlRemote] as TransferListItem[],
    });
    const first = await new Promise<AcceptThreadReport>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`accept thread exited (${code}) before listening`)));
    });
    worker.removeAllListeners();
    if (first.type === 'error') {
      await worker.terminate();
      if (stopEvent !== 0) windows().kernel32.CloseHandle(stopEvent);
      throw reportError(first);
    }
    const thread = new AcceptThread<SocketAddress | string>(worker, control, first.address, loads, stopFlag, stopEvent);
    AcceptThread.#track(thread);
    return thread;
  }

  /** Deals no more connections to `target` (its loop is gone). */
  retire(target: number): void {
    Atomics.store(new Int32Array(this.loads), target, RETIRED);
  }

  /** Sends `target`'s future connections to `port` (a replacement loop), starting from no load. */
  replace(target: number, port: MessagePort): void {
    this.#control.postMessage({ target, port }, [port]);
  }

  /** Stops accepting and closes the listening socket; resolves once the thread has exited. */
  close(): Promise<void> {
    this.#stop();
    this.#control.close();
    return this.#closed;
  }

  /** Asks the thread to stop and makes its blocked accept() return. Synchronous: it also runs at process exit. */
  #stop(): void {
    running.delete(this);
    if (Atomics.exchange(this.#stopFlag, 0, 1) !== 0) return;
    if (typeof this.address === 'string' && NAMED_PIPES) {
      if (this.#stopEvent !== 0) windows().kernel32.SetEvent(this.#stopEvent);
      return;
    }
    // A connection of our own ends the blocking accept() on every platform
    // (closing the listener would on Windows, but not on Linux).
    const api = socketApi();
    const to = Buffer.alloc(SOCKADDR_MAX);
    let family: 'ipv4' | 'ipv6' | 'unix';
    let length: number;
    if (typeof this.address === 'string') {
      family = 'unix';
      length = encodeLocalSockaddr(api, this.address, to);
    } else {
      family = this.address.family === 'IPv6' ? 'ipv6' : 'ipv4';
      const wildcard = this.address.address === '0.0.0.0' || this.address.address === '::';
      const host = wildcard ? (family === 'ipv6' ? '::1' : '127.0.0.1') : this.address.address;
      length = encodeSockaddr(api, family, host, this.address.port, to);
    }
    const poke = api.open(family, 'stream');
    if (poke < 0) return;
    api.setBlocking(poke, true);
    api.connect(poke, to, length);
    api.close(poke);
  }

  static #track(thread: AcceptThread<SocketAddress | string>): void {
    running.add(thread);
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    onProcessExit(() => {
      for (const t of [...running]) t.#stop();
    });
  }
}

/** Tells the acceptor that a connection handed to `target` has ended. */
export function releaseConnection(loads: SharedArrayBuffer, target: number): void {
  Atomics.sub(new Int32Array(loads), target, 1);
}

function reportError(report: Extract<AcceptThreadReport, { type: 'error' }>): WsaloopError {
  return new WsaloopError(report.message, { code: report.code, errno: report.errno, syscall: 'accept' });
}
