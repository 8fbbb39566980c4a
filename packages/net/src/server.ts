/**
 * `Server`: a `net.Server`-compatible listener over a wsaloop {@link Tcp}
 * or {@link Pipe}.
 * Each accepted connection becomes a {@link Socket} and is emitted as
 * `'connection'`, which is all node:http, https and tls servers need.
 * @module
 */
import { EventEmitter } from 'node:events';
import { type Loop, type Pipe, resolveHost, type Tcp, type WsaloopError } from '@wsaloop/core';
import { checkSignal, trailingCallback } from './arguments.js';
import { callable } from './callable.js';
import { defaultLoop } from './default-loop.js';
import { codedError, invalidArgType, systemError } from './errors.js';
import { type ListenOptions, listenArguments } from './listen-arguments.js';
import { driveLoop, unwatchRunFailures, watchRunFailures } from './loop-driver.js';
import { type AddressInfo, kOnDestroy, Socket } from './socket.js';

export type { ListenOptions } from './listen-arguments.js';

/** Options of {@link Server} and {@link createServer}. */
export interface ServerOptions {
  /** The loop whose backend drives the server and its connections (default: {@link defaultLoop}). */
  loop?: Loop;
  /** Accepted sockets keep their writable side open after the peer ends (default false). */
  allowHalfOpen?: boolean;
  /** Accepted sockets start paused (no reading until `resume()`/`read()`). */
  pauseOnConnect?: boolean;
  /** Disable Nagle's algorithm on accepted sockets (default false, as node:net). */
  noDelay?: boolean;
  /** Enable TCP keep-alive on accepted sockets. */
  keepAlive?: boolean;
  /** Idle time before the first keep-alive probe, in ms. */
  keepAliveInitialDelay?: number;
  /** Readable and writable buffer limit of accepted sockets, in bytes. */
  highWaterMark?: number;
}

/** Callback of {@link Server.getConnections}. */
export type ConnectionCountCallback = (error: Error | null, count: number) => void;

/** Node's error for closing a server that is not listening. */
function notRunning(): Error {
  return codedError(Error, 'ERR_SERVER_NOT_RUNNING', 'Server is not running.');
}

/** What node:net's `'drop'` event reports about the refused connection. */
function dropInfo(client: Tcp): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  try {
    const local = client.address();
    Object.assign(data, { localAddress: local.address, localPort: local.port, localFamily: local.family });
    const remote = client.remoteAddress();
    Object.assign(data, { remoteAddress: remote.address, remotePort: remote.port, remoteFamily: remote.family });
  } catch {
    // The peer already left: report what is known, as node:net does.
  }
  return data;
}

/**
 * A TCP or pipe server, compatible with `net.Server` (callable without `new`, as
 * it). Events: `'listening'`, `'connection'` (socket), `'error'`, `'close'`,
 * `'drop'` (a connection refused by {@link Server.maxConnections}, with its
 * addresses).
 *
 * @remarks
 * Differences from node:net (the package README lists them all): a `loop`
 * option picks the backend; `listen()` binds `0.0.0.0` when no host is given
 * (node:net: `::`); a path is a Unix domain socket on Linux and a named pipe
 * on Windows; fds and handles are refused with `ERR_INVALID_ARG_VALUE`. Listening starts the loop if nobody runs it; a
 * failure of that run is emitted here as `'error'`.
 */
export class Server extends EventEmitter {
  /** The loop that drives this server. */
  readonly loop: Loop;
  /** Refuse (close at once) connections beyond this many open ones; unlimited when unset. */
  maxConnections: number | undefined;
  readonly #options: ServerOptions;
  #handle: Tcp | Pipe | null = null;
  #handleClosing = false;
  #listening = false;
  #referenced = true;
  #connections = 0;
  #closeEmitScheduled = false;
  readonly #runFailure = { runFailed: (error: unknown): void => void this.emit('error', error) };

  constructor(options?: ServerOptions | ((socket: Socket) => void), connectionListener?: (socket: Socket) => void) {
    super();
    if (typeof options === 'function') {
      connectionListener = options;
      options = {};
    } else if (options !== undefined && options !== null && typeof options !== 'object') {
      throw invalidArgType('options', 'of type object', options);
    }
    this.#options = { ...options };
    this.loop = this.#options.loop ?? defaultLoop();
    driveLoop(this.loop);
    if (connectionListener) this.on('connection', connectionListener);
  }

  /**
   * Starts listening: `listen(port?, host?, backlog?, cb?)` or
   * `listen(options, cb?)`, with node:net's argument rules. `'listening'`
   * (and `cb`) follow on the next tick; a bind failure such as `EADDRINUSE`
   * is emitted as `'error'` (`syscall: 'listen'`, as node:net).
   * `listen(path, backlog?, cb?)` and `listen({ path })` listen on a pipe;
   * `fd` and handles throw `ERR_INVALID_ARG_VALUE`.
   */
  listen(port?: number | string | null, host?: string, backlog?: number, listener?: () => void): this;
  listen(port: number | string | null, host: string, listener?: () => void): this;
  listen(port: number | string | null, backlog?: number, listener?: () => void): this;
  listen(port: number | string | null, listener?: () => void): this;
  listen(path: string, backlog?: number, listener?: () => void): this;
  listen(options: ListenOptions, listener?: () => void): this;
  listen(listener?: () => void): this;
  listen(...args: unknown[]): this {
    const { options, port, path, backlog } = listenArguments(args);
    const listener = trailingCallback(args);
    if (this.#listening || this.#handle) {
      throw codedError(Error, 'ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.');
    }
    if (listener) this.once('listening', listener);
    this.#requestedPort = port;
    this.#watchSignal(checkSignal(options.signal));
    if (path !== undefined) {
      this.#listenOnPipe(path, backlog, options);
      return this;
    }
    const explicitHost = options.host ?? undefined;
    const host = explicitHost ?? '0.0.0.0';
    const tcp = this.loop.tcp();
    this.#handle = tcp;
    if (!this.#referenced) tcp.unref();
    // An IP literal binds at once, so address() works right after listen() as
    // in Node; 'listening' and any bind error still come on a later tick.
    const start = (address: string): void => {
      if (this.#handle !== tcp) return; // closed while resolving
      try {
        tcp.bind(address, port, { ipv6Only: Boolean(options.ipv6Only) });
        tcp.listen(backlog, (error, client) => (error ? undefined : this.#accepted(client!)));
      } catch (error) {
        this.#listenFailed(tcp, error as WsaloopError, address, port);
        return;
      }
      this.#listenStarted(tcp);
    };
    // An IP literal (or localhost) resolves at once, so it binds in this call.
    resolveHost(host, (error, resolved) => {
      if (!error) return start(resolved!.host);
      if (this.#handle === tcp) this.#handle = null;
      if (!tcp.isClosing()) tcp.close();
      this.emit('error', error);
    });
    return this;
  }

  /** Listens on the pipe named `path` (a Unix domain socket's path on Linux). */
  #listenOnPipe(path: string, backlog: number, options: ListenOptions): void {
    const pipe = this.loop.pipe();
    this.#handle = pipe;
    if (!this.#referenced) pipe.unref();
    try {
      pipe.bind(path);
      if (options.readableAll || options.writableAll) pipe.chmod({ readable: options.readableAll, writable: options.writableAll });
      pipe.listen(backlog, (error, client) => (error ? undefined : this.#accepted(client!)));
    } catch (error) {
      // node:net reports a pipe's listen error with port -1.
      this.#listenFailed(pipe, error as WsaloopError, path, -1);
      return;
    }
    this.#pipeName = path;
    this.#listenStarted(pipe);
  }

  /** The handle listens: errors of the listener itself become `'error'`, and `'listening'` follows on the next tick. */
  #listenStarted(handle: Tcp | Pipe): void {
    handle.on('error', (error) => this.emit('error', systemError(error, 'accept', undefined, undefined)));
    this.#listening = true;
    watchRunFailures(this.loop, this.#runFailure);
    process.nextTick(() => {
      if (this.#handle === handle) this.emit('listening');
    });
  }

  /** Binding or listening failed: the handle goes, and the error is emitted on the next tick (`syscall: 'listen'`, as node:net). */
  #listenFailed(handle: Tcp | Pipe, error: WsaloopError, address: string, port: number | undefined): void {
    this.#handle = null;
    handle.close();
    const converted = systemError(error, 'listen', address, port, 'described');
    if (port === -1 && 'code' in converted) Object.assign(converted, { port });
    process.nextTick(() => this.emit('error', converted));
  }

  /** `signal`: aborting closes the server, as node:net. */
  #watchSignal(signal: AbortSignal | undefined): void {
    if (!signal) return;
    const onAbort = (): void => void this.close();
    if (signal.aborted) {
      process.nextTick(onAbort);
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    this.once('close', () => signal.removeEventListener('abort', onAbort));
  }

  #accepted(client: Tcp | Pipe): void {
    const options = this.#options;
    if (this.maxConnections !== undefined && this.maxConnections !== null && this.#connections >= this.maxConnections) {
      this.emit('drop', client.type === 'tcp' ? dropInfo(client) : {});
      client.close();
      return;
    }
    if (client.type === 'tcp') {
      if (options.noDelay) client.setNoDelay(true);
      if (options.keepAlive) client.setKeepAlive(true, options.keepAliveInitialDelay || 60_000);
    }
    const socket = new Socket({
      loop: this.loop,
      handle: client,
      allowHalfOpen: Boolean(options.allowHalfOpen),
      pauseOnCreate: Boolean(options.pauseOnConnect),
      ...(options.highWaterMark !== undefined && { highWaterMark: options.highWaterMark }),
    });
    socket.server = this;
    socket._server = this;
    this.#connections++;
    // As node:net, the slot is free as soon as the socket is destroyed (not at its 'close').
    socket[kOnDestroy] = () => {
      this.#connections--;
      this.#emitCloseIfDrained();
    };
    this.emit('connection', socket);
  }

  /** The bound address `{ address, family, port }`, the pipe's path, or null when not listening. */
  address(): AddressInfo | string | null {
    if (!this.#listening || !this.#handle) return null;
    if (this.#handle.type === 'pipe') return this.#pipeName;
    try {
      return this.#handle.address();
    } catch {
      return null;
    }
  }

  /** @internal node:net's key of a listening server (`family:address:port`, `-1:path:-1` for a pipe), read by cluster-aware code. */
  get _connectionKey(): string | undefined {
    const address = this.address();
    if (typeof address === 'string') return `-1:${address}:-1`;
    return address ? `${address.family.slice(-1)}:${address.address}:${this.#requestedPort}` : undefined;
  }

  #requestedPort = 0;
  /** The path a pipe server listens on, as given (node:net's `address()` returns it). */
  #pipeName: string | null = null;

  /** Whether the server is listening. */
  get listening(): boolean {
    return this.#listening;
  }

  /**
   * Stops accepting. `'close'` (and `callback`) follow once every accepted
   * connection has closed; `callback` gets `ERR_SERVER_NOT_RUNNING` if the
   * server was not listening.
   */
  close(callback?: (error?: Error) => void): this {
    if (typeof callback === 'function') {
      if (this.#handle) this.once('close', () => callback());
      else this.once('close', () => callback(notRunning()));
    }
    const tcp = this.#handle;
    this.#handle = null;
    this.#listening = false;
    unwatchRunFailures(this.loop, this.#runFailure);
    if (tcp && !tcp.isClosing()) {
      this.#handleClosing = true;
      tcp.close(() => {
        this.#handleClosing = false;
        this.#emitCloseIfDrained();
      });
    } else {
      this.#emitCloseIfDrained();
    }
    return this;
  }

  #emitCloseIfDrained(): void {
    if (this.#handle || this.#handleClosing || this.#connections > 0 || this.#closeEmitScheduled) return;
    this.#closeEmitScheduled = true;
    process.nextTick(() => {
      this.#closeEmitScheduled = false;
      this.emit('close');
    });
  }

  /** Reports the number of open accepted connections. */
  getConnections(callback: ConnectionCountCallback): this {
    const count = this.#connections;
    process.nextTick(() => callback(null, count));
    return this;
  }

  /** Lets the server keep the loop (and so the process) alive; the default. */
  ref(): this {
    this.#referenced = true;
    if (this.#handle && !this.#handle.isClosing()) {
      this.#handle.ref();
    }
    return this;
  }

  /** Stops the server from keeping the loop alive on its own. */
  unref(): this {
    this.#referenced = false;
    if (this.#handle && !this.#handle.isClosing()) this.#handle.unref();
    return this;
  }

  /**
   * @internal With `captureRejections`, a rejected async `'connection'`
   * listener destroys that socket with the error (as node:net); other events
   * emit `'error'`.
   */
  override [EventEmitter.captureRejectionSymbol](error: Error, event: string, socket?: Socket): void {
    if (event === 'connection' && socket) socket.destroy(error);
    else this.emit('error', error);
  }
}

// `await using server = ...`: closes the server, as node:net's Symbol.asyncDispose.
Object.defineProperty(Server.prototype, Symbol.asyncDispose, {
  configurable: true,
  writable: true,
  value: function asyncDispose(this: Server): Promise<void> {
    if (!this.listening) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.close((error) => (error ? reject(error) : resolve())));
  },
});

// @ts-expect-error TS2629: the exported binding becomes callable without `new`, as net.Server (see callable.ts).
Server = callable(Server);

/** Creates a {@link Server}, as `net.createServer`. */
export function createServer(connectionListener?: (socket: Socket) => void): Server;
export function createServer(options?: ServerOptions, connectionListener?: (socket: Socket) => void): Server;
export function createServer(
  options?: ServerOptions | ((socket: Socket) => void),
  connectionListener?: (socket: Socket) => void,
): Server {
  return new Server(options, connectionListener);
}
