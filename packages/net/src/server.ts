/**
 * `Server`: a `net.Server`-compatible listener over a wsaloop {@link Tcp}.
 * Each accepted connection becomes a {@link Socket} and is emitted as
 * `'connection'`, which is all node:http, https and tls servers need.
 * @module
 */
import { EventEmitter } from 'node:events';
import type { Loop, Tcp } from '@wsaloop/core';
import { checkPort, isIp, resolveHost } from './arguments.js';
import { defaultLoop } from './default-loop.js';
import { keepLoopRunning, unwatchRunFailures, watchRunFailures } from './loop-driver.js';
import { type AddressInfo, Socket } from './socket.js';

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
}

/** Options of {@link Server.listen}. */
export interface ListenOptions {
  /** Port (0 or omitted: a free port). */
  port?: number | string;
  /** Host name or IP address to bind (default `'0.0.0.0'`). */
  host?: string;
  /** Pending-connection queue length (default 511). */
  backlog?: number;
  /** For an IPv6 host: accept IPv6 only (default false: dual-stack). */
  ipv6Only?: boolean;
}

/** Callback of {@link Server.getConnections}. */
export type ConnectionCountCallback = (error: Error | null, count: number) => void;

/** Node's error for closing a server that is not listening. */
function notRunning(): Error {
  return Object.assign(new Error('Server is not running.'), { code: 'ERR_SERVER_NOT_RUNNING' });
}

/**
 * A TCP server, compatible with `net.Server`. Events: `'listening'`,
 * `'connection'` (socket), `'error'`, `'close'`, `'drop'` (a connection
 * refused by {@link Server.maxConnections}).
 *
 * @remarks
 * Differences from node:net (the package README lists them all): a `loop`
 * option picks the backend; `listen()` binds `0.0.0.0` when no host is given
 * (node:net: `::`), takes no path, handle or `exclusive`; `'drop'` carries no
 * address details. Listening starts the loop if nobody runs it; a failure of
 * that run is emitted here as `'error'`.
 */
export class Server extends EventEmitter {
  /** The loop that drives this server. */
  readonly loop: Loop;
  /** Refuse (close at once) connections beyond this many open ones; unlimited when unset. */
  maxConnections: number | undefined;
  readonly #options: ServerOptions;
  #tcp: Tcp | null = null;
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
    }
    this.#options = { ...options };
    this.loop = this.#options.loop ?? defaultLoop();
    if (connectionListener) this.on('connection', connectionListener);
  }

  /**
   * Starts listening: `listen(port?, host?, backlog?, cb?)` or
   * `listen(options, cb?)`. `'listening'` (and `cb`) follow on the next tick;
   * a bind failure such as `EADDRINUSE` is emitted as `'error'`.
   */
  listen(port?: number | string, host?: string, backlog?: number, listener?: () => void): this;
  listen(port: number | string, host: string, listener?: () => void): this;
  listen(port: number | string, listener?: () => void): this;
  listen(options: ListenOptions, listener?: () => void): this;
  listen(listener?: () => void): this;
  listen(...args: unknown[]): this {
    const listener = typeof args[args.length - 1] === 'function' ? (args.pop() as () => void) : undefined;
    const options: ListenOptions =
      typeof args[0] === 'object' && args[0] !== null
        ? (args[0] as ListenOptions)
        : {
            ...(args[0] !== undefined && args[0] !== null && { port: args[0] as number }),
            ...(typeof args[1] === 'string' && { host: args[1] }),
            ...(typeof args[1] === 'number' && { backlog: args[1] }),
            ...(typeof args[2] === 'number' && { backlog: args[2] }),
          };
    if (typeof options.port === 'string' && !/^\d+$/.test(options.port)) {
      throw Object.assign(new TypeError('Listening on pipes or paths is not supported by @wsaloop/net'), {
        code: 'ERR_INVALID_ARG_VALUE',
      });
    }
    const port = checkPort(options.port ?? 0);
    const backlog = options.backlog ?? 511;
    if (this.#listening || this.#tcp) {
      throw Object.assign(new Error('Listen method has been called more than once without closing.'), {
        code: 'ERR_SERVER_ALREADY_LISTEN',
      });
    }
    if (listener) this.once('listening', listener);
    const host = options.host ?? '0.0.0.0';
    const tcp = this.loop.tcp();
    this.#tcp = tcp;
    if (!this.#referenced) tcp.unref();
    // An IP literal binds at once, so address() works right after listen() as
    // in Node; 'listening' and any bind error still come on a later tick.
    const start = (address: string): void => {
      if (this.#tcp !== tcp) return; // closed while resolving
      try {
        tcp.bind(address, port, { ipv6Only: Boolean(options.ipv6Only) });
        tcp.listen(backlog, (error, client) => (error ? undefined : this.#accepted(client!)));
      } catch (error) {
        this.#tcp = null;
        tcp.close();
        keepLoopRunning(this.loop);
        process.nextTick(() => this.emit('error', error));
        return;
      }
      tcp.on('error', (error) => this.emit('error', error));
      this.#listening = true;
      watchRunFailures(this.loop, this.#runFailure);
      keepLoopRunning(this.loop);
      process.nextTick(() => {
        if (this.#tcp === tcp) this.emit('listening');
      });
    };
    const literal = host === 'localhost' ? '127.0.0.1' : host;
    if (isIp(literal)) start(literal);
    else
      resolveHost(host, (error, address) => {
        if (!error) return start(address!);
        if (this.#tcp === tcp) this.#tcp = null;
        if (!tcp.isClosing()) tcp.close();
        this.emit('error', error);
      });
    return this;
  }

  #accepted(client: Tcp): void {
    const options = this.#options;
    if (this.maxConnections !== undefined && this.#connections >= this.maxConnections) {
      client.close();
      this.emit('drop', {});
      return;
    }
    if (options.noDelay) client.setNoDelay(true);
    if (options.keepAlive) client.setKeepAlive(true, options.keepAliveInitialDelay || 60_000);
    const socket = new Socket({
      loop: this.loop,
      handle: client,
      allowHalfOpen: Boolean(options.allowHalfOpen),
      pauseOnCreate: Boolean(options.pauseOnConnect),
    });
    socket.server = this;
    socket._server = this;
    this.#connections++;
    socket.once('close', () => {
      this.#connections--;
      this.#emitCloseIfDrained();
    });
    this.emit('connection', socket);
  }

  /** The bound address `{ address, family, port }`, or null when not listening. */
  address(): AddressInfo | null {
    if (!this.#listening || !this.#tcp) return null;
    try {
      return this.#tcp.address();
    } catch {
      return null;
    }
  }

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
    if (callback) {
      if (this.#tcp) this.once('close', () => callback());
      else this.once('close', () => callback(notRunning()));
    }
    const tcp = this.#tcp;
    this.#tcp = null;
    this.#listening = false;
    unwatchRunFailures(this.loop, this.#runFailure);
    if (tcp && !tcp.isClosing()) {
      this.#handleClosing = true;
      tcp.close(() => {
        this.#handleClosing = false;
        this.#emitCloseIfDrained();
      });
      keepLoopRunning(this.loop);
    } else {
      this.#emitCloseIfDrained();
    }
    return this;
  }

  #emitCloseIfDrained(): void {
    if (this.#tcp || this.#handleClosing || this.#connections > 0 || this.#closeEmitScheduled) return;
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
    if (this.#tcp && !this.#tcp.isClosing()) {
      this.#tcp.ref();
      keepLoopRunning(this.loop); // an unreferenced server may have let the run end
    }
    return this;
  }

  /** Stops the server from keeping the loop alive on its own. */
  unref(): this {
    this.#referenced = false;
    if (this.#tcp && !this.#tcp.isClosing()) this.#tcp.unref();
    return this;
  }
}

/** Creates a {@link Server}, as `net.createServer`. */
export function createServer(connectionListener?: (socket: Socket) => void): Server;
export function createServer(options?: ServerOptions, connectionListener?: (socket: Socket) => void): Server;
export function createServer(
  options?: ServerOptions | ((socket: Socket) => void),
  connectionListener?: (socket: Socket) => void,
): Server {
  return new Server(options, connectionListener);
}
