/**
 * `Socket`: a `stream.Duplex` over a wsaloop {@link Tcp} or {@link Pipe}, shaped like
 * `net.Socket`: same events in the same order, same errors, same argument
 * checks (Node's own test-net-* files are the reference).
 *
 * Reading: `_read()` starts the handle reading; a `push()` that returns false
 * stops it (`readStop`), the next `_read()` resumes it. Writing: `_writev`
 * hands the chunks to one gather write and calls back from its completion, so
 * the Writable buffer (and `writableHighWaterMark`) is the only queue in
 * front of the handle's own.
 * @module
 */
import { getDefaultAutoSelectFamilyAttemptTimeout } from 'node:net';
import { addAbortSignal, Duplex } from 'node:stream';
import type { Loop, Pipe, SocketAddress, Tcp, WsaloopError } from '@wsaloop/core';
import { defaultLoop } from './default-loop.js';
import { driveLoop } from './loop-driver.js';
import { checkConnectOptions, checkPort, checkSignal, isPipeName, rejectObjectMode, rejectUnsupported, trailingCallback } from './arguments.js';
import { codedError, invalidArgType, notSupported, outOfRange, socketClosed, systemError } from './errors.js';
import { resolveTargets, type Target } from './resolve.js';
import { OnRead, type OnReadOption } from './onread.js';
import { callable } from './callable.js';
import { assemble, chunkBytes, unsent, type WriteChunk } from './write-assembly.js';

/** Options of {@link Socket}. */
export interface SocketOptions {
  /** The loop whose backend drives the socket (default: {@link defaultLoop}). */
  loop?: Loop;
  /** Keep the writable side open after the peer ends (default false, as node:net). */
  allowHalfOpen?: boolean;
  /** Readable and writable buffer limit in bytes (Node's default when omitted). */
  highWaterMark?: number;
  /** Readable buffer limit in bytes (Node's default when omitted). */
  readableHighWaterMark?: number;
  /** Writable buffer limit in bytes (Node's default when omitted). */
  writableHighWaterMark?: number;
  /** Destroys the socket with an `AbortError` when aborted. */
  signal?: AbortSignal;
  /** Read into the caller's buffer instead of emitting `'data'` (as node:net's `onread`). */
  onread?: OnReadOption;
  /** A connected {@link Tcp} or {@link Pipe} handle of `@wsaloop/core` to wrap (node:net takes a libuv handle here). */
  handle?: Tcp | Pipe;
  /** Do not start reading at creation (a server's `pauseOnConnect`). */
  pauseOnCreate?: boolean;
}

/** Options of {@link Socket.connect} and {@link connect}: a `port` (and `host`), or a pipe's `path`. */
export interface SocketConnectOptions {
  /** Port to connect to. */
  port?: number | string;
  /** A pipe to connect to instead of a port: a Unix domain socket's path on Linux (the TCP options are then ignored, as node:net). */
  path?: string;
  /** Host name or IP address (default `'localhost'`). */
  host?: string;
  /** Local address to bind before connecting. */
  localAddress?: string;
  /** Local port to bind before connecting (default 0). */
  localPort?: number;
  /** Address family to resolve `host` to: 0 (either), 4 or 6. */
  family?: number;
  /** `dns.lookup` hints (`dns.ADDRCONFIG`, ...). */
  hints?: number;
  /** Replaces `dns.lookup` (same signature). */
  lookup?: (hostname: string, options: object, callback: (...args: never[]) => void) => void;
  /** Try every address the lookup gives, in turn (default: node:net's `getDefaultAutoSelectFamily()`). */
  autoSelectFamily?: boolean;
  /** How long to wait for one address before trying the next, in ms (default 250). */
  autoSelectFamilyAttemptTimeout?: number;
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

type WriteChunks = WriteChunk[];
type Callback = (error?: Error | null) => void;

/** @internal Called when an accepted socket is destroyed: frees its server's connection slot. */
export const kOnDestroy = Symbol('wsaloop.onDestroy');

/**
 * A TCP or pipe connection as a `stream.Duplex`, compatible with
 * `net.Socket` (callable without `new`, as it).
 *
 * @remarks
 * Differences from node:net (the package README lists them all): a `loop`
 * option picks the backend (else {@link defaultLoop}); pipes are Unix domain
 * sockets on Linux and named pipes on Windows; `fd` and
 * libuv handles throw `ERR_INVALID_ARG_VALUE`; there is no `_handle`, so
 * node:http and tls use their JS-stream paths.
 */
export class Socket extends Duplex {
  /** The loop that drives this socket. */
  readonly loop: Loop;
  /** The server that accepted this socket, if any (as node:net sets it). */
  server: unknown = null;
  /** @internal Same as `server`; node:http reads it. */
  _server: unknown = null;
  /**
   * The `address:port`s tried by family auto-selection, in order (undefined
   * when the host was an IP literal or `autoSelectFamily` was off, as node:net).
   */
  autoSelectFamilyAttemptedAddresses: string[] | undefined = undefined;
  /** The idle timeout given to {@link Socket.setTimeout} (undefined until then, as node:net). */
  timeout: number | undefined = undefined;
  /** @internal */
  [kOnDestroy]: (() => void) | undefined;
  #stream: Tcp | Pipe | null = null;
  #connecting = false;
  #wantRead = false;
  #referenced = true;
  #bytesRead = 0;
  #bytesDone = 0;
  #timer: NodeJS.Timeout | null = null;
  /** The delay #timer was made with (it outlives setTimeout(0) to be reused). */
  #timerMs = 0;
  #pendingWrites: Array<{ chunks: WriteChunks; callback: Callback }> = [];
  #pendingFinal: Callback | null = null;
  #noDelay: boolean | undefined;
  #keepAlive: { enable: boolean; delay: number } | undefined;
  #remote: SocketAddress | undefined;
  #local: SocketAddress | undefined;
  #onread: OnRead | undefined;
  #attemptTimer: NodeJS.Timeout | null = null;

  constructor(options: SocketOptions | number = {}) {
    if (typeof options === 'number') throw notSupported('options.fd', options, 'file descriptors');
    if (options === null || typeof options !== 'object') throw invalidArgType('options', 'of type object', options);
    const opts = options as SocketOptions & Record<string, unknown>;
    rejectObjectMode(opts);
    rejectUnsupported({ ...opts, handle: undefined });
    if (opts.handle !== undefined && opts.handle !== null && !isCoreStream(opts.handle)) {
      throw notSupported('options.handle', opts.handle, 'libuv handles; pass a connected Tcp or Pipe of @wsaloop/core');
    }
    const signal = checkSignal(opts.signal, 'signal');
    super({
      // As node:net: the Duplex never ends the writable side by itself;
      // #onEnd does it unless allowHalfOpen, so a write after the peer's FIN
      // fails with EPIPE as in Node.
      allowHalfOpen: true,
      // As node:net: strings reach _writev as strings, to be encoded straight into the send (write-assembly.ts).
      decodeStrings: false,
      // 'close' carries hadError and comes once the handle is closed, as node:net.
      emitClose: false,
      autoDestroy: true,
      ...(opts.highWaterMark !== undefined && { highWaterMark: opts.highWaterMark }),
      ...(opts.readableHighWaterMark !== undefined && { readableHighWaterMark: opts.readableHighWaterMark }),
      ...(opts.writableHighWaterMark !== undefined && { writableHighWaterMark: opts.writableHighWaterMark }),
    });
    this.allowHalfOpen = Boolean(opts.allowHalfOpen);
    this.on('end', this.#onEnd);
    this.loop = opts.loop ?? opts.handle?.loop ?? defaultLoop();
    driveLoop(this.loop);
    if (opts.onread) this.#onread = new OnRead(opts.onread);
    if (opts.handle) {
      this.#stream = opts.handle;
      if (opts.pauseOnCreate) {
        // As node:net: paused *and* not flowing, so a 'data' listener alone
        // does not start the flow; resume() does.
        (this as { readableFlowing: boolean | null }).readableFlowing = false;
      } else {
        this.read(0);
      }
    }
    if (signal) addAbortSignal(signal, this);
  }

  // ---- stream implementation ----

  override _read(): void {
    const stream = this.#stream;
    if (!stream || this.#connecting) {
      this.#wantRead = true;
      return;
    }
    if (!stream.reading && !stream.isClosing() && !this.#readEnded) stream.readStart(this.#onRead);
  }

  /** The peer's FIN (or a read error) was seen: the handle must not read again. */
  #readEnded = false;

  readonly #onRead = (error: WsaloopError | null, data: Buffer | null): void => {
    if (data) {
      this.#bytesRead += data.byteLength;
      if (this.timeout) this.#timer?.refresh();
      if (this.#onread) {
        if (!this.#onread.deliver(this, data)) this.#stream?.readStop();
        return;
      }
      if (!this.push(data)) this.#stream?.readStop();
      return;
    }
    if (error) {
      this.destroy(systemError(error, 'read', undefined, undefined));
      return;
    }
    this.#readEnded = true;
    this.#onread?.atEnd();
    this.push(null);
    // Emits 'end' even when nobody reads, so a socket nobody consumes still closes.
    this.read(0);
  };

  /** After the peer's FIN: end our side too unless half-open, and make later writes fail as node:net does. */
  readonly #onEnd = (): void => {
    if (!this.allowHalfOpen) this.write = writeAfterFin;
  };

  override _write(chunk: Buffer | string, encoding: BufferEncoding | 'buffer', callback: Callback): void {
    this._writev([{ chunk, encoding }], callback);
  }

  override _writev(chunks: WriteChunks, callback: Callback): void {
    if (this.#connecting) {
      this.#pendingWrites.push({ chunks, callback });
      return;
    }
    const stream = this.#stream;
    if (!stream || stream.isClosing()) {
      callback(socketClosed());
      return;
    }
    const bytes = chunkBytes(chunks);
    const data = assemble(chunks, bytes);
    // As node:net: a write started is activity, and so is its completion.
    if (this.timeout) this.#timer?.refresh();
    // As node:net's StreamBase: send what the socket takes now and complete
    // on the spot; only the rest waits for the loop.
    let sent: number;
    try {
      sent = stream.tryWrite(data);
    } catch (error) {
      return callback(systemError(error as WsaloopError, 'write', undefined, undefined));
    }
    if (sent === bytes) {
      this.#bytesDone += bytes;
      return callback();
    }
    stream.write(unsent(data, sent), (error) => {
      if (error) return callback(systemError(error, 'write', undefined, undefined));
      this.#bytesDone += bytes;
      if (this.timeout) this.#timer?.refresh();
      callback();
    });
  }

  override _final(callback: Callback): void {
    if (this.#connecting) {
      this.#pendingFinal = callback;
      return;
    }
    const stream = this.#stream;
    if (!stream || stream.isClosing()) return callback();
    // As node:net: a shutdown that fails (peer already gone) is not an error of end().
    stream.shutdown(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearTimer();
    this.#clearAttemptTimer();
    // node:net makes its handle at connect(), before any lookup: a socket
    // destroyed while resolving closes as one with a handle (later, with hadError).
    const hadHandle = this.#stream !== null || this.#connecting;
    this.#connecting = false;
    this.#pendingFinal = null;
    const writes = this.#pendingWrites;
    this.#pendingWrites = [];
    const hadError = error !== null;
    const stream = this.#stream;
    // As node:net: no handle and no local address once destroyed.
    this.#stream = null;
    this.#local = undefined;
    const onDestroy = this[kOnDestroy];
    this[kOnDestroy] = undefined;
    onDestroy?.();
    const emitClose = (): void =>
      process.nextTick(() => {
        // Writes queued while connecting learn they never went out (node:net does this at 'close').
        for (const w of writes) w.callback(codedError(Error, 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION', 'Socket closed before the connection was established'));
        // node:net's 'close' carries hadError only when a handle was closed.
        if (hadHandle) this.emit('close', hadError);
        else this.emit('close');
      });
    const reset = this.#reset;
    this.#reset = false;
    // 'error' (from callback) is emitted before 'close', as node:net.
    callback(error);
    if (stream && !stream.isClosing()) {
      if (reset) stream.reset(emitClose);
      else stream.close(emitClose);
    } else if (hadHandle) {
      setImmediate(emitClose); // where a handle's close callback would come
    } else {
      emitClose();
    }
  }

  #reset = false;

  // ---- connecting ----

  /**
   * Connects: `connect(options, cb?)`, `connect(port, host?, cb?)`. Host
   * names are resolved with `dns.lookup` (or `options.lookup`) and reported
   * as `'lookup'`; each address tried is a `'connectionAttempt'`; then
   * `'connect'` and `'ready'`. A failure destroys the socket with node:net's
   * error (`connect ECONNREFUSED 127.0.0.1:1`, ...). A destroyed or closed
   * socket can connect again, as in Node.
   */
  connect(options: SocketConnectOptions, connectListener?: () => void): this;
  connect(port: number | string, host?: string, connectListener?: () => void): this;
  connect(port: number | string, connectListener?: () => void): this;
  connect(...args: unknown[]): this {
    const listener = trailingCallback(args);
    if (listener) args.pop();
    const first = args[0];
    const options = (
      typeof first === 'object' && first !== null
        ? first
        : isPipeName(first)
          ? { path: first }
          : { port: first, ...(typeof args[1] === 'string' && { host: args[1] }) }
    ) as SocketConnectOptions & Record<string, unknown>;
    const path = options.path ?? undefined;
    if (options.port === undefined && path === undefined) {
      throw codedError(TypeError, 'ERR_MISSING_ARGS', 'The "options" or "port" or "path" argument must be specified');
    }
    if (path !== undefined && typeof path !== 'string') throw invalidArgType('options.path', 'of type string', path);
    if ((this.#stream || this.#connecting) && !this.destroyed) {
      throw codedError(Error, 'ERR_SOCKET_CONNECTING', 'Socket is already connected or connecting');
    }
    // A path wins over a port, and the TCP options are not looked at, as node:net.
    if (path === undefined) checkConnectOptions(options);
    const port = path === undefined ? checkPort(options.port) : 0;
    if (this.destroyed) this.#undestroy();
    if (listener) this.once('connect', listener);
    if (path !== undefined) {
      if (options.timeout) this.setTimeout(options.timeout);
      this.#connecting = true;
      this.#connectPipe(path);
      return this;
    }
    if (options.noDelay !== undefined) this.setNoDelay(options.noDelay);
    if (options.keepAlive) this.setKeepAlive(true, options.keepAliveInitialDelay ?? 0);
    if (options.timeout) this.setTimeout(options.timeout);
    this.#connecting = true;
    const host = options.host || 'localhost';
    resolveTargets(
      { ...options, host, port },
      { emit: (event, ...rest) => this.emit(event, ...rest), stillConnecting: () => this.#connecting },
      (error, targets, autoSelected) => {
        if (!this.#connecting) return;
        if (error) return void this.destroy(error);
        this.autoSelectFamilyAttemptedAddresses = autoSelected ? [] : undefined;
        this.#attempt(targets!, 0, port, options, []);
      },
    );
    return this;
  }

  /** Connects to the pipe named `path`; a failure destroys the socket with node:net's error (`connect ENOENT /tmp/app.sock`). */
  #connectPipe(path: string): void {
    const pipe = this.loop.pipe();
    this.#stream = pipe;
    if (!this.#referenced) pipe.unref();
    const failed = (error: unknown): void => void this.destroy(systemError(error as WsaloopError, 'connect', path));
    try {
      pipe.connect(path, (error) => {
        if (this.#stream !== pipe || !this.#connecting) return; // destroyed meanwhile
        if (error) failed(error);
        else this.#connected();
      });
    } catch (error) {
      // A name no pipe can have, or no pipes on this platform: reported as a failed connect, later, as node:net does.
      process.nextTick(failed, error);
    }
  }

  /** Makes a destroyed socket usable again, as node:net's connect() does. */
  #undestroy(): void {
    (this as unknown as { _undestroy(): void })._undestroy();
    this.#remote = undefined;
    this.#local = undefined;
    this.#bytesRead = 0;
    this.#bytesDone = 0;
    this.#readEnded = false;
    if (this.write !== Socket.prototype.write) this.write = Socket.prototype.write;
  }

  /** Tries `targets[index]`; on failure (or its attempt timeout) the next one, as node:net's family auto-selection. */
  #attempt(targets: Target[], index: number, port: number, options: SocketConnectOptions, errors: Error[]): void {
    const { address, family } = targets[index]!;
    const last = index === targets.length - 1;
    const stream = this.loop.tcp();
    this.#stream = stream;
    if (!this.#referenced) stream.unref();
    const { localAddress, localPort } = options;
    if (localAddress || localPort) {
      const local = localAddress || (family === 6 ? '::' : '0.0.0.0');
      try {
        stream.bind(local, localPort ?? 0);
      } catch (error) {
        this.destroy(systemError(error as WsaloopError, 'bind', local, localPort));
        return;
      }
    }
    this.autoSelectFamilyAttemptedAddresses?.push(`${address}:${port}`);
    this.emit('connectionAttempt', address, port, family);
    if (!this.#connecting) return; // a listener destroyed the socket
    const next = (error: Error | null): void => {
      errors.push(...(error ? [error] : []));
      if (this.#stream === stream) this.#stream = null;
      if (!stream.isClosing()) stream.close();
      this.#attempt(targets, index + 1, port, options, errors);
    };
    if (!last) {
      const timeout = options.autoSelectFamilyAttemptTimeout ?? getDefaultAutoSelectFamilyAttemptTimeout();
      this.#attemptTimer = setTimeout(() => {
        this.#attemptTimer = null;
        this.emit('connectionAttemptTimeout', address, port, family);
        if (this.#connecting) next(null);
      }, timeout);
    }
    stream.connect(address, port, (error) => {
      if (this.#stream !== stream || !this.#connecting) return; // timed out, or destroyed
      this.#clearAttemptTimer();
      if (!error) return this.#connected();
      const local = localAddress && localPort ? ` - Local (${localAddress}:${localPort})` : '';
      const converted = systemError(error, 'connect', address, port);
      if (local) converted.message += local;
      if (last) {
        const all = [...errors, converted];
        this.destroy(all.length > 1 ? aggregate(all) : converted);
        return;
      }
      this.emit('connectionAttemptFailed', address, port, family, converted);
      if (this.#connecting) next(converted);
    });
  }

  #clearAttemptTimer(): void {
    if (this.#attemptTimer) clearTimeout(this.#attemptTimer);
    this.#attemptTimer = null;
  }

  #connected(): void {
    this.#connecting = false;
    if (this.#noDelay !== undefined) this.setNoDelay(this.#noDelay);
    if (this.#keepAlive) this.setKeepAlive(this.#keepAlive.enable, this.#keepAlive.delay);
    const writes = this.#pendingWrites;
    this.#pendingWrites = [];
    for (const w of writes) this._writev(w.chunks, w.callback);
    const final = this.#pendingFinal;
    this.#pendingFinal = null;
    if (final) this._final(final);
    this.emit('connect');
    this.emit('ready');
    if (this.destroyed) return;
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

  /** @internal node:net's legacy name of {@link Socket.connecting}. */
  get _connecting(): boolean {
    return this.#connecting;
  }

  /** True while the socket has no connected handle (not yet connected, connecting, or destroyed). */
  get pending(): boolean {
    return !this.#stream || this.#connecting;
  }

  /** `'opening'`, `'open'`, `'readOnly'`, `'writeOnly'` or `'closed'`, as node:net. */
  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.#connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  // ---- pausing (onread mode stops the handle itself, as node:net) ----

  override pause(): this {
    if (this.#onread && this.#stream && !this.#connecting && this.#stream.reading) this.#stream.readStop();
    return super.pause();
  }

  override resume(): this {
    super.resume();
    const stream = this.#stream;
    if (this.#onread && stream && !this.#connecting && !stream.isClosing() && !stream.reading && !this.#readEnded) {
      if (this.#onread.resumeLeftover(this) && !stream.isClosing()) stream.readStart(this.#onRead);
    }
    return this;
  }

  // ---- closing ----

  /** Ends the writable side, then destroys the socket once everything written was flushed. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /**
   * Closes with a TCP reset (RST) instead of a FIN, discarding unsent data,
   * then destroys. While connecting, the reset happens once connected; on a
   * socket with no connection it destroys with `ERR_SOCKET_CLOSED`, as node:net.
   */
  resetAndDestroy(): this {
    if (!this.#stream && !this.#connecting) {
      this.destroy(socketClosed());
    } else if (this.#connecting) {
      this.once('connect', () => this.resetAndDestroy());
    } else if (!this.destroyed) {
      this.#reset = true;
      this.destroy();
    }
    return this;
  }

  // ---- options and timers ----

  /** Enables or disables Nagle's algorithm (applied at connect if still connecting). */
  setNoDelay(noDelay?: unknown): this {
    const enable = Boolean(noDelay === undefined ? true : noDelay);
    this.#noDelay = enable;
    const stream = this.#stream;
    if (stream?.type === 'tcp' && !this.#connecting && !stream.isClosing()) ignoreStateError(() => stream.setNoDelay(enable));
    return this;
  }

  /** Enables or disables TCP keep-alive (applied at connect if still connecting). */
  setKeepAlive(enable?: unknown, initialDelay = 0): this {
    const on = Boolean(enable);
    const delay = Math.max(0, Math.floor(Number(initialDelay) || 0));
    this.#keepAlive = { enable: on, delay };
    const stream = this.#stream;
    // Node's delay 0 keeps the system default; Winsock needs a number: 60 s as libuv's default.
    if (stream?.type === 'tcp' && !this.#connecting && !stream.isClosing()) {
      ignoreStateError(() => stream.setKeepAlive(on, delay === 0 ? 60_000 : delay));
    }
    return this;
  }

  /**
   * Emits `'timeout'` after `ms` of inactivity (no bytes read or written);
   * 0 disables it. As in Node, the socket is not closed: the listener
   * decides; on a destroyed socket this does nothing.
   * @throws TypeError `ERR_INVALID_ARG_TYPE`, RangeError `ERR_OUT_OF_RANGE` as node:net.
   */
  setTimeout(ms: number, callback?: () => void): this {
    if (this.destroyed) return this;
    this.timeout = ms;
    if (typeof ms !== 'number') throw invalidArgType('msecs', 'of type number', ms);
    if (ms < 0 || !Number.isFinite(ms)) throw outOfRange('msecs', 'a non-negative finite number', ms);
    if (callback !== undefined && typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    if (ms === 0) {
      // node:http turns the keep-alive timeout off and on for every request:
      // keep the timer object and let it fire unheeded instead of re-creating it.
      if (callback) this.removeListener('timeout', callback);
      return this;
    }
    if (callback) this.once('timeout', callback);
    if (this.#timer && this.#timerMs === ms) {
      this.#timer.refresh();
    } else {
      this.#clearTimer();
      this.#timer = setTimeout(() => {
        if (this.timeout === ms && !this.destroyed) this.emit('timeout');
      }, ms);
      this.#timer.unref();
      this.#timerMs = ms;
    }
    return this;
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerMs = 0;
  }

  /** Lets the socket keep the loop (and so the process) alive; the default. */
  ref(): this {
    this.#referenced = true;
    if (this.#stream && !this.#stream.isClosing()) {
      this.#stream.ref();
    }
    return this;
  }

  /** Stops the socket from keeping the loop alive on its own. */
  unref(): this {
    this.#referenced = false;
    if (this.#stream && !this.#stream.isClosing()) this.#stream.unref();
    return this;
  }

  // ---- addresses and counters ----

  /** The local address, as `{ address, family, port }` (`{}` when not bound, and on a pipe, as node:net). */
  address(): AddressInfo | Record<string, never> {
    return this.#localAddress() ?? {};
  }

  /** The TCP handle, when connected over TCP: a pipe has no IP addresses. */
  #tcp(): Tcp | null {
    const stream = this.#stream;
    return stream?.type === 'tcp' && !stream.isClosing() && !this.#connecting ? stream : null;
  }

  #localAddress(): SocketAddress | undefined {
    const tcp = this.#tcp();
    if (!this.#local && tcp) this.#local = ignoreStateError(() => tcp.address());
    return this.#local;
  }

  #remoteAddress(): SocketAddress | undefined {
    const tcp = this.#tcp();
    if (!this.#remote && tcp) this.#remote = ignoreStateError(() => tcp.remoteAddress());
    return this.#remote;
  }

  /** The peer's IP address. */
  get remoteAddress(): string | undefined {
    return #stream in this ? this.#remoteAddress()?.address : undefined;
  }

  /** The peer's port. */
  get remotePort(): number | undefined {
    return #stream in this ? this.#remoteAddress()?.port : undefined;
  }

  /** `'IPv4'` or `'IPv6'`. */
  get remoteFamily(): string | undefined {
    return #stream in this ? this.#remoteAddress()?.family : undefined;
  }

  /** The local IP address. */
  get localAddress(): string | undefined {
    return #stream in this ? this.#localAddress()?.address : undefined;
  }

  /** The local port. */
  get localPort(): number | undefined {
    return #stream in this ? this.#localAddress()?.port : undefined;
  }

  /** `'IPv4'` or `'IPv6'`. */
  get localFamily(): string | undefined {
    return #stream in this ? this.#localAddress()?.family : undefined;
  }

  /** Bytes received. */
  get bytesRead(): number {
    return #stream in this ? this.#bytesRead : (undefined as unknown as number);
  }

  /** Bytes written, including those still buffered (as node:net counts them). */
  get bytesWritten(): number {
    if (!(#stream in this)) return undefined as unknown as number; // read on the prototype, as node:net allows
    return this.#bytesDone + this.writableLength;
  }

  /** Bytes waiting in the Writable buffer (node:net's deprecated `bufferSize`). */
  get bufferSize(): number {
    return this.writableLength;
  }
}

// @ts-expect-error TS2629: the exported binding becomes callable without `new`, as net.Socket (see callable.ts).
Socket = callable(Socket);

/** The write() a socket gets once the peer ended and allowHalfOpen is off: fails with node:net's EPIPE. */
function writeAfterFin(this: Socket, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
  if (!this.writableEnded) return Duplex.prototype.write.call(this, chunk, encoding as BufferEncoding, cb as Callback);
  const callback = typeof encoding === 'function' ? encoding : cb;
  const error = codedError(Error, 'EPIPE', 'This socket has been ended by the other party');
  if (typeof callback === 'function') process.nextTick(callback as Callback, error);
  this.destroy(error);
  return false;
}

function aggregate(errors: Error[]): Error {
  return Object.assign(new AggregateError(errors), { code: (errors[0] as { code?: string }).code });
}

/**
 * Whether `handle` is a core stream handle (`Tcp` or `Pipe`). Checked by
 * shape, not `instanceof`: a servePool loop or an app may hold another copy
 * of @wsaloop/core (its CJS and ESM builds are two classes), and a
 * libuv-style object must still fail.
 */
function isCoreStream(handle: unknown): handle is Tcp | Pipe {
  const h = handle as Partial<Tcp | Pipe>;
  return (h.type === 'tcp' || h.type === 'pipe') && typeof h.readStart === 'function' && typeof h.isClosing === 'function' && typeof h.loop === 'object';
}

/** Socket options and addresses on a socket being torn down: Node ignores such failures. */
function ignoreStateError<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
