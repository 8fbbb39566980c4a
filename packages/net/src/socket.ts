/**
 * `Socket`: a `stream.Duplex` over a wsaloop {@link Tcp}, shaped like
 * `net.Socket` where servers and libraries (node:http, tls, ws) rely on it.
 *
 * Reading: `_read()` starts the handle reading; a `push()` that returns false
 * stops it (`readStop`), the next `_read()` resumes it. Writing: `_writev`
 * hands the chunks to one gather write and calls back from its completion, so
 * the Writable buffer (and `writableHighWaterMark`) is the only queue in
 * front of the handle's own.
 * @module
 */
import { Duplex } from 'node:stream';
import type { Loop, SocketAddress, Tcp, WsaloopError } from '@wsaloop/core';
import { defaultLoop } from './default-loop.js';
import { keepLoopRunning } from './loop-driver.js';
import { checkPort, isIp, resolveHost } from './arguments.js';

/** Options of {@link Socket}. */
export interface SocketOptions {
  /** The loop whose backend drives the socket (default: {@link defaultLoop}). */
  loop?: Loop;
  /** Keep the writable side open after the peer ends (default false, as node:net). */
  allowHalfOpen?: boolean;
  /** Readable buffer limit in bytes (Node's default when omitted). */
  readableHighWaterMark?: number;
  /** Writable buffer limit in bytes (Node's default when omitted). */
  writableHighWaterMark?: number;
  /** @internal A connected handle (an accepted connection). */
  handle?: Tcp;
  /** @internal Do not start reading at creation (a server's `pauseOnConnect`). */
  pauseOnCreate?: boolean;
}

/** Options of {@link Socket.connect} and {@link connect}. */
export interface SocketConnectOptions {
  /** Port to connect to. */
  port: number | string;
  /** Host name or IP address (default `'localhost'`, which means 127.0.0.1). */
  host?: string;
  /** Local address to bind before connecting. */
  localAddress?: string;
  /** Local port to bind before connecting (needs `localAddress`; default 0). */
  localPort?: number;
  /** Disable Nagle's algorithm once connected. */
  noDelay?: boolean;
  /** Enable TCP keep-alive once connected. */
  keepAlive?: boolean;
  /** Idle time before the first keep-alive probe, in ms. */
  keepAliveInitialDelay?: number;
  /** Set an idle timeout ({@link Socket.setTimeout}) at creation. */
  timeout?: number;
}

/** What a TCP socket address looks like to `address()`. */
export type AddressInfo = SocketAddress;

type WriteChunks = Array<{ chunk: Buffer }>;

/**
 * A TCP connection as a `stream.Duplex`, compatible with `net.Socket` where
 * servers and libraries rely on it.
 *
 * @remarks
 * Differences from node:net (the package README lists them all): a `loop`
 * option picks the backend (else {@link defaultLoop}); TCP over IPv4/IPv6
 * only (no pipes, `fd` or `handle`); `localhost` means 127.0.0.1; there is
 * no `_handle`, so node:http and tls use their JS-stream paths;
 * `setKeepAlive(true, 0)` means a 60 s delay; an unreferenced socket is
 * polled only while the loop runs for something else.
 */
export class Socket extends Duplex {
  /** The loop that drives this socket. */
  readonly loop: Loop;
  /** The server that accepted this socket, if any (as node:net sets it). */
  server: unknown = null;
  /** @internal Same as `server`; node:http reads it. */
  _server: unknown = null;
  #tcp: Tcp | null = null;
  #connecting = false;
  #wantRead = false;
  #reset = false;
  #referenced = true;
  #bytesRead = 0;
  #bytesDone = 0;
  #timeoutMs = 0;
  #timer: NodeJS.Timeout | null = null;
  /** The delay #timer was made with (it outlives setTimeout(0) to be reused). */
  #timerMs = 0;
  #onConnect: Array<() => void> = [];
  #noDelay: boolean | undefined;
  #keepAlive: { enable: boolean; delay: number } | undefined;
  #remote: SocketAddress | undefined;
  #local: SocketAddress | undefined;

  constructor(options: SocketOptions = {}) {
    super({
      allowHalfOpen: Boolean(options.allowHalfOpen),
      // 'close' carries hadError and comes once the handle is closed, as node:net.
      emitClose: false,
      autoDestroy: true,
      ...(options.readableHighWaterMark !== undefined && { readableHighWaterMark: options.readableHighWaterMark }),
      ...(options.writableHighWaterMark !== undefined && { writableHighWaterMark: options.writableHighWaterMark }),
    });
    this.loop = options.loop ?? options.handle?.loop ?? defaultLoop();
    if (options.handle) {
      this.#tcp = options.handle;
      keepLoopRunning(this.loop);
      if (!options.pauseOnCreate) this.read(0);
    }
  }

  // ---- stream implementation ----

  override _read(): void {
    const tcp = this.#tcp;
    if (!tcp || this.#connecting) {
      this.#wantRead = true;
      return;
    }
    if (!tcp.reading && !tcp.isClosing()) tcp.readStart(this.#onRead);
  }

  readonly #onRead = (error: WsaloopError | null, data: Buffer | null): void => {
    if (data) {
      this.#bytesRead += data.byteLength;
      if (this.#timeoutMs) this.#timer?.refresh();
      if (!this.push(data)) this.#tcp?.readStop();
      return;
    }
    if (error) {
      this.destroy(error);
      return;
    }
    this.push(null);
    // Emits 'end' even when nobody reads, so a socket nobody consumes still closes.
    this.read(0);
  };

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  override _writev(chunks: WriteChunks, callback: (error?: Error | null) => void): void {
    if (this.#connecting) {
      this.#onConnect.push(() => this._writev(chunks, callback));
      return;
    }
    const tcp = this.#tcp;
    if (!tcp) {
      callback(notConnected('write'));
      return;
    }
    const buffers = chunks.length === 1 ? chunks[0]!.chunk : chunks.map((c) => c.chunk);
    let bytes = 0;
    for (const c of chunks) bytes += c.chunk.byteLength;
    tcp.write(buffers, (error) => {
      if (error) return callback(error);
      this.#bytesDone += bytes;
      if (this.#timeoutMs) this.#timer?.refresh();
      callback();
    });
    keepLoopRunning(this.loop);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#connecting) {
      this.#onConnect.push(() => this._final(callback));
      return;
    }
    const tcp = this.#tcp;
    if (!tcp || tcp.isClosing()) return callback();
    // As node:net: a shutdown that fails (peer already gone) is not an error of end().
    tcp.shutdown(() => callback());
    keepLoopRunning(this.loop);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearTimer();
    this.#connecting = false;
    this.#onConnect = [];
    const hadError = error !== null;
    const tcp = this.#tcp;
    // A later nextTick than the one emitting 'error': 'close' always comes last.
    const emitClose = (): void => process.nextTick(() => this.emit('close', hadError));
    if (tcp && !tcp.isClosing()) {
      if (this.#reset) tcp.reset(emitClose);
      else tcp.close(emitClose);
      keepLoopRunning(this.loop);
    } else {
      emitClose();
    }
    callback(error);
  }

  // ---- connecting ----

  /**
   * Connects to `port` on `host` (default `localhost`, i.e. 127.0.0.1).
   * `'connect'` then `'ready'` follow; a failure destroys the socket with the
   * error (`ECONNREFUSED`, ...).
   */
  connect(options: SocketConnectOptions, connectListener?: () => void): this;
  connect(port: number | string, host?: string, connectListener?: () => void): this;
  connect(port: number | string, connectListener?: () => void): this;
  connect(
    first: SocketConnectOptions | number | string,
    second?: string | (() => void),
    third?: () => void,
  ): this {
    const options: SocketConnectOptions =
      typeof first === 'object' && first !== null
        ? first
        : { port: first, ...(typeof second === 'string' && { host: second }) };
    const listener = typeof second === 'function' ? second : third;
    if (this.#tcp || this.#connecting) {
      throw Object.assign(new Error('Socket is already connected or connecting'), { code: 'ERR_SOCKET_CONNECTING' });
    }
    const port = checkPort(options.port);
    if (listener) this.once('connect', listener);
    if (options.noDelay !== undefined) this.setNoDelay(options.noDelay);
    if (options.keepAlive) this.setKeepAlive(true, options.keepAliveInitialDelay ?? 0);
    if (options.timeout) this.setTimeout(options.timeout);
    const tcp = this.loop.tcp();
    this.#tcp = tcp;
    this.#connecting = true;
    if (!this.#referenced) tcp.unref();
    const host = options.host ?? 'localhost';
    const start = (address: string): void => {
      if (this.destroyed) return;
      try {
        if (options.localAddress) tcp.bind(options.localAddress, options.localPort ?? 0);
      } catch (error) {
        this.destroy(error as Error);
        return;
      }
      tcp.connect(address, port, (error) => this.#connected(error));
      keepLoopRunning(this.loop);
    };
    const literal = host === 'localhost' ? '127.0.0.1' : host;
    if (isIp(literal)) start(literal);
    else
      resolveHost(host, (error, address) => {
        if (error) this.destroy(error);
        else start(address!);
      });
    return this;
  }

  #connected(error: WsaloopError | null): void {
    if (this.destroyed || !this.#connecting) return;
    this.#connecting = false;
    if (error) {
      this.destroy(error);
      return;
    }
    if (this.#noDelay !== undefined) this.setNoDelay(this.#noDelay);
    if (this.#keepAlive) this.setKeepAlive(this.#keepAlive.enable, this.#keepAlive.delay);
    const queued = this.#onConnect;
    this.#onConnect = [];
    for (const fn of queued) fn();
    this.emit('connect');
    this.emit('ready');
    if (this.#wantRead) {
      this.#wantRead = false;
      this._read();
    } else if (!this.isPaused()) {
      this.read(0);
    }
  }

  /** Whether a connect is in progress. */
  get connecting(): boolean {
    return this.#connecting;
  }

  /** True until the socket is connected (no handle yet, or still connecting). */
  get pending(): boolean {
    return !this.#tcp || this.#connecting;
  }

  /** `'opening'`, `'open'`, `'readOnly'`, `'writeOnly'` or `'closed'`, as node:net. */
  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.#connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  // ---- closing ----

  /** Ends the writable side, then destroys the socket once everything written was flushed. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Closes with a TCP reset (RST) instead of a FIN, discarding unsent data, then destroys. */
  resetAndDestroy(): this {
    this.#reset = true;
    if (!this.destroyed) this.destroy();
    return this;
  }

  // ---- options and timers ----

  /** Enables or disables Nagle's algorithm (applied at connect if still connecting). */
  setNoDelay(noDelay = true): this {
    this.#noDelay = noDelay;
    const tcp = this.#tcp;
    if (tcp && !this.#connecting && !tcp.isClosing()) ignoreStateError(() => tcp.setNoDelay(noDelay));
    return this;
  }

  /** Enables or disables TCP keep-alive (applied at connect if still connecting). */
  setKeepAlive(enable = false, initialDelay = 0): this {
    const delay = Math.max(0, Math.floor(Number(initialDelay) || 0));
    this.#keepAlive = { enable, delay };
    const tcp = this.#tcp;
    // Node's delay 0 keeps the system default; Winsock needs a number: 60 s as libuv's default.
    if (tcp && !this.#connecting && !tcp.isClosing()) {
      ignoreStateError(() => tcp.setKeepAlive(enable, delay === 0 ? 60_000 : delay));
    }
    return this;
  }

  /**
   * Emits `'timeout'` after `ms` of inactivity (no bytes read or written);
   * 0 disables it. As in Node, the socket is not closed: the listener decides.
   */
  setTimeout(ms: number, callback?: () => void): this {
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
      throw new RangeError(`The "msecs" argument must be a non-negative finite number, received ${String(ms)}`);
    }
    if (ms === 0) {
      // node:http turns the keep-alive timeout off and on for every request:
      // keep the timer object and let it fire unheeded instead of re-creating it.
      this.#timeoutMs = 0;
      if (callback) this.removeListener('timeout', callback);
      return this;
    }
    if (callback) this.once('timeout', callback);
    if (this.destroyed) return this;
    if (this.#timer && this.#timerMs === ms) {
      this.#timer.refresh();
    } else {
      this.#clearTimer();
      this.#timer = setTimeout(() => {
        if (this.#timeoutMs === ms && !this.destroyed) this.emit('timeout');
      }, ms);
      this.#timer.unref();
      this.#timerMs = ms;
    }
    this.#timeoutMs = ms;
    return this;
  }

  /** The idle timeout in ms set by {@link Socket.setTimeout} (0: none). */
  get timeout(): number {
    return this.#timeoutMs;
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerMs = 0;
  }

  /** Lets the socket keep the loop (and so the process) alive; the default. */
  ref(): this {
    this.#referenced = true;
    if (this.#tcp && !this.#tcp.isClosing()) {
      this.#tcp.ref();
      keepLoopRunning(this.loop); // an unreferenced socket may have let the run end
    }
    return this;
  }

  /** Stops the socket from keeping the loop alive on its own. */
  unref(): this {
    this.#referenced = false;
    if (this.#tcp && !this.#tcp.isClosing()) this.#tcp.unref();
    return this;
  }

  // ---- addresses and counters ----

  /** The local address, as `{ address, family, port }` (`{}` when not bound). */
  address(): AddressInfo | Record<string, never> {
    return this.#localAddress() ?? {};
  }

  #localAddress(): SocketAddress | undefined {
    if (!this.#local && this.#tcp && !this.#tcp.isClosing() && !this.#connecting) {
      this.#local = ignoreStateError(() => this.#tcp!.address());
    }
    return this.#local;
  }

  #remoteAddress(): SocketAddress | undefined {
    if (!this.#remote && this.#tcp && !this.#tcp.isClosing() && !this.#connecting) {
      this.#remote = ignoreStateError(() => this.#tcp!.remoteAddress());
    }
    return this.#remote;
  }

  /** The peer's IP address. */
  get remoteAddress(): string | undefined {
    return this.#remoteAddress()?.address;
  }

  /** The peer's port. */
  get remotePort(): number | undefined {
    return this.#remoteAddress()?.port;
  }

  /** `'IPv4'` or `'IPv6'`. */
  get remoteFamily(): string | undefined {
    return this.#remoteAddress()?.family;
  }

  /** The local IP address. */
  get localAddress(): string | undefined {
    return this.#localAddress()?.address;
  }

  /** The local port. */
  get localPort(): number | undefined {
    return this.#localAddress()?.port;
  }

  /** `'IPv4'` or `'IPv6'`. */
  get localFamily(): string | undefined {
    return this.#localAddress()?.family;
  }

  /** Bytes received. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** Bytes written, including those still buffered (as node:net counts them). */
  get bytesWritten(): number {
    return this.#bytesDone + this.writableLength;
  }

  /** Bytes waiting in the Writable buffer (node:net's deprecated `bufferSize`). */
  get bufferSize(): number {
    return this.writableLength;
  }
}

function notConnected(syscall: string): Error {
  return Object.assign(new Error(`${syscall} ENOTCONN: socket is not connected`), { code: 'ENOTCONN', syscall });
}

/** Socket options and addresses on a socket being torn down: Node ignores such failures. */
function ignoreStateError<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
