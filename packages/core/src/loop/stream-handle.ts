/**
 * What the two stream handles share, as libuv's `uv_stream_t`: listening,
 * reading, ordered writes, half-close and close, written once against the
 * {@link StreamChannel} operations, so the same code runs over every backend.
 * {@link Tcp} names its ends by IP address and port, {@link Pipe} by path.
 * @module
 */
import { stateError, type WsaloopError } from '../errors.js';
import type { StreamChannel } from '../io/channel.js';
import type { Loop } from './loop.js';
import { nativeError } from '../sys/platform.js';
import type { AddressFamily } from '../sys/socket-api.js';
import { checkCallback, toBuffers, type WriteData } from '../net/arguments.js';
import { completion, type OperationCallback, statusError } from '../net/completion.js';
import { SocketHandleBase, type SocketHandleEvents } from './socket-handle.js';

/** Events of a stream handle whose accepted connections are `Client`s. */
export interface StreamEvents<Client> extends SocketHandleEvents {
  /** A listening handle accepted `client` (not yet reading). */
  connection: [client: Client];
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

/** Connection callback of `listen`: an accepted client, or an error of the listener itself. */
export type StreamConnectionCallback<Client> = (error: WsaloopError | null, client?: Client) => void;

/** How a connect ends: null on success. */
export type ConnectFinish = (error: WsaloopError | null) => void;

/**
 * A connected or listening stream socket: the base of {@link Tcp} and
 * {@link Pipe}.
 *
 * `close()` cancels writes still queued (their callbacks see `ECANCELED`,
 * their bytes may never be sent), as `uv_close` does: to end a connection
 * after the last write, {@link StreamHandle.shutdown} first and close in its
 * callback.
 */
export abstract class StreamHandle<Client> extends SocketHandleBase<StreamEvents<Client>, StreamChannel> {
  #listening = false;
  #reading = false;
  #connecting = false;
  #connected = false;
  #shutdown = false;
  #abortive = false;
  #onRead: ReadCallback | undefined;
  #queued = 0;

  protected constructor(loop: Loop) {
    super(loop);
  }

  /** A handle of this kind around a connection this listener accepted. */
  protected abstract acceptedClient(channel: StreamChannel): Client;

  /** Names the socket before a `listen` on an unbound handle (or throws why it cannot). */
  protected abstract bindForListen(): void;

  protected openChannel(family: AddressFamily, ipv6Only: boolean): StreamChannel | number {
    return this.loop._io.openStream(family, ipv6Only);
  }

  /** Takes `channel`, a connected socket (accepted, or adopted by `open`). */
  protected setConnected(channel: StreamChannel): void {
    this.channel = channel;
    this.#connected = true;
  }

  /**
   * Adopts a connected stream socket that was accepted elsewhere in this
   * process, typically by an {@link AcceptThread} or by a loop on another
   * thread, which must no longer use it. The socket is switched to
   * non-blocking mode and tied to this loop's backend; data that arrived
   * before is not lost. Like libuv's `uv_tcp_open` and `uv_pipe_open`.
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
    const channel = this.adoptChannel(socket);
    if (typeof channel === 'number') throw nativeError(channel, 'open');
    this.setConnected(channel);
    return this;
  }

  /** The channel for a connected socket from elsewhere ({@link open}), or a negated error. */
  protected adoptChannel(socket: number): StreamChannel | number {
    return this.loop._io.adoptStream(socket);
  }

  /** The channel of a handle that has a socket (every caller checked the state first). */
  #stream(): StreamChannel {
    return this.channel!;
  }

  /**
   * Starts listening; each accepted connection is passed to `onConnection`
   * and emitted as `connection`. A TCP handle that is not bound binds to
   * `0.0.0.0:0` first; a pipe must be bound.
   * @throws RangeError for a bad backlog; WsaloopError `EBADF` on a closed handle, or the listen error.
   */
  listen(backlog = 511, onConnection?: StreamConnectionCallback<Client>): this {
    this._assertOpen('listen');
    if (typeof backlog !== 'number' || !Number.isInteger(backlog) || backlog < 0) {
      throw new RangeError(`The "backlog" argument must be a non-negative integer, received ${String(backlog)}`);
    }
    checkCallback(onConnection);
    if (this.#listening) throw stateError('EINVAL', 'listen', 'already listening');
    if (this.#connected || this.#connecting) throw stateError('EINVAL', 'listen', 'socket is connected');
    if (!this.channel) this.bindForListen();
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
      const client = this.acceptedClient(accepted!);
      onConnection?.(null, client);
      this.emit('connection', client);
    });
    return this;
  }

  /**
   * The connect every stream handle makes: refuses a closed, connecting,
   * connected or listening handle, counts the request, and hands `begin` a
   * `finish` to call once (with the outcome).
   */
  protected connectWith(callback: OperationCallback | undefined, begin: (finish: ConnectFinish) => void): Promise<void> | void {
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
    begin((error) => {
      this.#connecting = false;
      this.loop._requestFinished();
      if (!error) {
        this.#connected = true;
        this.emit('connect');
      }
      done.settle(error);
    });
    return done.result;
  }

  /** Opens the socket for `family` (if needed) and connects it to a sockaddr; `finish` gets the outcome. */
  protected connectTo(family: AddressFamily, address: Buffer, length: number, finish: ConnectFinish, host?: string, port?: number): void {
    try {
      this.ensureSocket(family, 'connect');
    } catch (error) {
      this.loop._defer(() => finish(error as WsaloopError));
      return;
    }
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

  /** Stops reading (backpressure); received data waits for the next {@link StreamHandle.readStart}. */
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

  /**
   * Writes at once what the socket takes of `data`, without queueing, as
   * libuv's `uv_try_write`: for a caller (a stream layer) that completes its
   * own write on the spot when everything went, and queues the rest with
   * {@link StreamHandle.write}. Returns the bytes sent: 0 when none can go
   * now (the socket's buffer is full, earlier writes are still queued, the
   * handle is connecting, or the backend sends only through completions).
   * No `drain` event follows a try.
   * @throws WsaloopError `EBADF`, `EPIPE` or `ENOTCONN` as {@link StreamHandle.write},
   * or the send's own error (`ECONNRESET`, ...).
   * @throws TypeError for data that is not bytes or text.
   */
  tryWrite(data: WriteData): number {
    const buffers = toBuffers(data);
    if (this.isClosing()) throw stateError('EBADF', 'write', 'handle is closed');
    if (this.#shutdown) throw stateError('EPIPE', 'write', 'write after shutdown');
    if (!this.#connected) {
      if (this.#connecting) return 0;
      throw stateError('ENOTCONN', 'write', 'socket is not connected');
    }
    if (this.#queued > 0) return 0;
    const n = this.#stream().tryWrite(buffers);
    if (n < 0) throw nativeError(n, 'write');
    return n;
  }

  /** Bytes accepted by {@link StreamHandle.write} whose writes have not completed. */
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
