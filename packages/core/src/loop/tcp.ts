/**
 * TCP handles: listening servers and connected streams. Written once against
 * the {@link StreamChannel} operations, so the same code runs over every
 * backend.
 * @module
 */
import { stateError, type WsaloopError } from '../errors.js';
import type { StreamChannel } from '../io/channel.js';
import type { Loop } from './loop.js';
import { nativeError } from '../sys/platform.js';
import type { SocketAddress } from '../sys/sockaddr.js';
import type { AddressFamily } from '../sys/socket-api.js';
import { checkCallback, checkHostName, checkPort, toBuffers, type WriteData } from '../net/arguments.js';
import { completion, type OperationCallback, statusError } from '../net/completion.js';
import { resolveHost } from '../net/resolve.js';
import { SocketHandleBase, type SocketHandleEvents } from './socket-handle.js';

/** Events of a {@link Tcp} handle. */
export interface TcpEvents extends SocketHandleEvents {
  /** A listening handle accepted `client` (not yet reading). */
  connection: [client: Tcp];
  /** A connect finished. */
  connect: [];
  /** Bytes received while reading. */
  data: [chunk: Buffer];
  /** The peer finished sending (half-close or close). */
  end: [];
  /** The write queue emptied after holding data. */
  drain: [];
}

/** Read callback: data, or `null` at end of stream; an error ends reading. */
export type ReadCallback = (error: WsaloopError | null, data: Buffer | null) => void;

/** Connection callback of {@link Tcp.listen}. */
export type ConnectionCallback = (error: WsaloopError | null, client?: Tcp) => void;

/**
 * A TCP socket: create with {@link Loop.tcp}.
 *
 * `close()` cancels writes still queued (their callbacks see `ECANCELED`,
 * their bytes may never be sent), as `uv_close` does: to end a connection
 * after the last write, {@link Tcp.shutdown} first and close in its callback.
 */
export class Tcp extends SocketHandleBase<TcpEvents, StreamChannel> {
  /** Always `'tcp'`. */
  readonly type = 'tcp' as const;
  #listening = false;
  #reading = false;
  #connecting = false;
  #connected = false;
  #shutdown = false;
  #onRead: ReadCallback | undefined;
  #queued = 0;

  /** @internal Use {@link Loop.tcp}. */
  constructor(loop: Loop) {
    super(loop);
  }

  /** @internal Wraps a connection a listener accepted. */
  static _accepted(loop: Loop, channel: StreamChannel): Tcp {
    const tcp = new Tcp(loop);
    tcp.channel = channel;
    tcp.#connected = true;
    return tcp;
  }

  protected openChannel(family: AddressFamily, ipv6Only: boolean): StreamChannel | number {
    return this.loop._io.openStream(family, ipv6Only);
  }

  /**
   * Adopts a connected stream socket that was accepted elsewhere in this
   * process, typically by an {@link AcceptThread} or by a loop on another
   * thread, which must no longer use it. The socket is switched to
   * non-blocking mode and tied to this loop's backend; data that arrived
   * before is not lost. Like libuv's `uv_tcp_open`.
   *
   * The socket must not be registered with another loop's backend: a socket
   * can belong to one completion port only, and Windows 10 under Wine cannot
   * move it. Sockets from an {@link AcceptThread} never are.
   * @throws TypeError for a value that is not a socket handle; WsaloopError
   *   `EISCONN` if this handle already has a socket, `ENOTCONN` if the socket
   *   is not connected, or the native error (e.g. `ENOTSOCK`).
   */
  open(socket: number): this {
    this._assertOpen('open');
    if (typeof socket !== 'number' || !Number.isSafeInteger(socket) || socket < 0) {
      throw new TypeError(`The "socket" argument must be a socket handle (a non-negative integer), received ${String(socket)}`);
    }
    if (this.channel) throw stateError('EISCONN', 'open', 'handle already has a socket');
    const channel = this.loop._io.adoptStream(socket);
    if (typeof channel === 'number') throw nativeError(channel, 'open');
    this.channel = channel;
    this.#connected = true;
    return this;
  }

  /** The channel of a handle that has a socket (every caller checked the state first). */
  #stream(): StreamChannel {
    return this.channel!;
  }

  /**
   * Starts listening; each accepted connection is passed to `onConnection`
   * and emitted as `connection`. Binds to `0.0.0.0:0` if not bound.
   * @throws RangeError for a bad backlog; WsaloopError `EBADF` on a closed handle, or the listen error.
   */
  listen(backlog = 511, onConnection?: ConnectionCallback): this {
    this._assertOpen('listen');
    if (typeof backlog !== 'number' || !Number.isInteger(backlog) || backlog < 0) {
      throw new RangeError(`The "backlog" argument must be a non-negative integer, received ${String(backlog)}`);
    }
    checkCallback(onConnection);
    if (this.#listening) throw stateError('EINVAL', 'listen', 'already listening');
    if (this.#connected || this.#connecting) throw stateError('EINVAL', 'listen', 'socket is connected');
    if (!this.channel) this.bind('0.0.0.0', 0);
    const rc = this.#stream().listen(backlog);
    if (rc < 0) throw nativeError(rc, 'listen');
    this.#listening = true;
    this._setActive(true);
    this.#stream().startAccepting((status, accepted) => {
      if (status !== 0) {
        // Only the listener's own errors come here: io drops connections
        // that fail on their way in, and backs off when out of descriptors.
        const error = statusError(status, 'accept')!;
        onConnection?.(error);
        this.emit('error', error);
        return;
      }
      const client = Tcp._accepted(this.loop, accepted!);
      onConnection?.(null, client);
      this.emit('connection', client);
    });
    return this;
  }

  /**
   * Connects to `host:port`. `host` may be an IP literal or a name (resolved
   * with `dns.lookup`, off the main thread).
   * @returns A Promise when no callback is given.
   * @throws TypeError / RangeError for a bad host, port or callback.
   */
  connect(host: string, port: number, callback: OperationCallback): void;
  connect(host: string, port: number): Promise<void>;
  connect(host: string, port: number, callback?: OperationCallback): Promise<void> | void {
    checkHostName(host);
    checkPort(port);
    const done = completion(checkCallback<OperationCallback>(callback));
    if (this.isClosing()) {
      this.loop._defer(() => done.settle(stateError('EBADF', 'connect', 'handle is closed')));
      return done.result;
    }
    if (this.#connecting || this.#connected || this.#listening) {
      this.loop._defer(() => done.settle(stateError(this.#connecting ? 'EALREADY' : 'EISCONN', 'connect')));
      return done.result;
    }
    this.#connecting = true;
    this.loop._requestStarted();
    const finish = (error: WsaloopError | null): void => {
      this.#connecting = false;
      this.loop._requestFinished();
      if (!error) {
        this.#connected = true;
        this.emit('connect');
      }
      done.settle(error);
    };
    // A literal resolves at once (this call); a name after a lookup.
    resolveHost(host, (err, resolved) => {
      if (this.isClosing()) return finish(stateError('ECANCELED', 'connect', 'handle closed during lookup'));
      if (err) return finish(stateError(err.code ?? 'ENOTFOUND', 'getaddrinfo', host));
      this.#startConnect(resolved!.host, resolved!.family, port, finish);
    });
    return done.result;
  }

  #startConnect(host: string, family: AddressFamily, port: number, finish: (error: WsaloopError | null) => void): void {
    try {
      this.ensureSocket(family, 'connect');
    } catch (error) {
      this.loop._defer(() => finish(error as WsaloopError));
      return;
    }
    const { address, length } = this.sockaddr(host, family, port);
    this.#stream().connect(address, length, (status) => finish(statusError(status, 'connect', host, port)));
  }

  /**
   * Starts reading. Data arrives through `onRead` (if given) and `data`
   * events; end of stream through `onRead(null, null)` and `end`; a read
   * error through `onRead(error)` and `error`. Reading stops by itself at end
   * of stream or on error.
   *
   * Without `onRead`, the callback given before is kept: `readStop()` then
   * `readStart()` resumes reading into the same callback, the way a Node
   * stream is paused and resumed. A new `onRead` replaces the old one.
   * @throws WsaloopError `EBADF` on a closed handle, `ENOTCONN` before connecting.
   */
  readStart(onRead?: ReadCallback): this {
    this._assertOpen('read_start');
    checkCallback(onRead);
    if (!this.#connected) throw stateError('ENOTCONN', 'read_start', 'socket is not connected');
    if (onRead) this.#onRead = onRead;
    if (this.#reading) return this;
    this.#reading = true;
    this._setActive(true);
    this.#stream().readStart((status, data) => {
      if (status !== 0 || data.byteLength === 0) {
        this.#reading = false;
        this._setActive(this.#listening);
        if (status !== 0) {
          const error = statusError(status, 'read')!;
          this.#onRead?.(error, null);
          this.emit('error', error);
        } else {
          this.#onRead?.(null, null);
          this.emit('end');
        }
        return;
      }
      const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      this.#onRead?.(null, chunk);
      this.emit('data', chunk);
    });
    return this;
  }

  /** Stops reading (backpressure); received data waits for the next {@link Tcp.readStart}. */
  readStop(): this {
    if (!this.#reading) return this;
    this.#reading = false;
    this._setActive(this.#listening);
    this.channel?.readStop();
    return this;
  }

  /** Whether the handle is reading. */
  get reading(): boolean {
    return this.#reading;
  }

  /**
   * Writes `data` (a Buffer, Uint8Array, string, or an array of them as one
   * gather write) after every earlier write. The bytes must not change until
   * the write completes. Errors go to the callback / Promise only.
   * @returns A Promise when no callback is given.
   * @throws TypeError for data that is not bytes or text.
   */
  write(data: WriteData, callback: OperationCallback): void;
  write(data: WriteData): Promise<void>;
  write(data: WriteData, callback?: OperationCallback): Promise<void> | void {
    const buffers = toBuffers(data);
    const done = completion(checkCallback<OperationCallback>(callback));
    const refused = this.isClosing()
      ? stateError('EBADF', 'write', 'handle is closed')
      : this.#shutdown
        ? stateError('EPIPE', 'write', 'write after shutdown')
        : !this.#connected && !this.#connecting
          ? stateError('ENOTCONN', 'write', 'socket is not connected')
          : null;
    if (refused) {
      this.loop._defer(() => done.settle(refused));
      return done.result;
    }
    let bytes = 0;
    for (const b of buffers) bytes += b.byteLength;
    this.#queued += bytes;
    this.loop._requestStarted();
    this.#stream().write(buffers, (status) => {
      this.loop._requestFinished();
      this.#queued -= bytes;
      done.settle(statusError(status, 'write'));
      if (this.#queued === 0 && bytes > 0 && !this.isClosing()) this.emit('drain');
    });
    return done.result;
  }

  /** Bytes accepted by {@link Tcp.write} whose writes have not completed. */
  get writeQueueSize(): number {
    return this.#queued;
  }

  /**
   * Half-closes: sends FIN after every queued write. Reading continues.
   * @returns A Promise when no callback is given.
   */
  shutdown(callback: OperationCallback): void;
  shutdown(): Promise<void>;
  shutdown(callback?: OperationCallback): Promise<void> | void {
    const done = completion(checkCallback<OperationCallback>(callback));
    const refused = this.isClosing()
      ? stateError('EBADF', 'shutdown', 'handle is closed')
      : !this.#connected && !this.#connecting
        ? stateError('ENOTCONN', 'shutdown', 'socket is not connected')
        : this.#shutdown
          ? stateError('EPIPE', 'shutdown', 'already shut down')
          : null;
    if (refused) {
      this.loop._defer(() => done.settle(refused));
      return done.result;
    }
    this.#shutdown = true;
    this.loop._requestStarted();
    this.#stream().shutdown((status) => {
      this.loop._requestFinished();
      done.settle(statusError(status, 'shutdown'));
    });
    return done.result;
  }

  /** Closes abortively: the peer sees a reset (RST), queued data is discarded. */
  reset(callback?: () => void): void {
    this.#abortive = true;
    this.close(callback);
  }

  #abortive = false;

  /** Enables or disables Nagle's algorithm (`TCP_NODELAY`). */
  setNoDelay(enable = true): this {
    this.setOption('noDelay', enable ? 1 : 0, 'setsockopt');
    return this;
  }

  /**
   * Enables or disables TCP keep-alive probes, starting after `initialDelayMs` of idleness.
   * @throws RangeError for a negative delay.
   */
  setKeepAlive(enable = true, initialDelayMs = 60_000): this {
    if (typeof initialDelayMs !== 'number' || !(initialDelayMs >= 0)) {
      throw new RangeError(`The "initialDelayMs" argument must be >= 0, received ${String(initialDelayMs)}`);
    }
    const rc = this.boundChannel('setsockopt').setKeepAlive(enable, initialDelayMs);
    if (rc < 0) throw nativeError(rc, 'setsockopt');
    return this;
  }

  /** The peer's address. @throws WsaloopError `ENOTCONN` when not connected. */
  remoteAddress(): SocketAddress {
    return this.readAddress('getpeername', (channel, out) => channel.peerAddress(out));
  }

  protected _close(): void {
    this.#reading = this.#listening = false;
    if (this.channel) {
      // A socket that was only bound (say, bind failed with EADDRINUSE) is
      // still tied to the backend: it closes through its channel too.
      this.channel.close(this.#abortive, () => this._closeDone());
    } else {
      this._closeDone();
    }
  }
}
