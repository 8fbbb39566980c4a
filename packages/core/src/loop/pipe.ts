/**
 * Pipe handles, as libuv's `uv_pipe_t`: a stream between local processes,
 * named by a path instead of an address and port. On Linux a pipe is a Unix
 * domain stream socket (AF_UNIX), driven by the same stream code as TCP and
 * so by every backend. Windows' named pipes (`\\.\pipe\NAME`) are not
 * sockets: they are not built yet, and a pipe refuses to bind or connect
 * there with `ENOTSUP` rather than serve something node:net's pipes cannot
 * talk to.
 * @module
 */
import { chmodSync, statSync, unlinkSync } from 'node:fs';
import { stateError } from '../errors.js';
import type { StreamChannel } from '../io/channel.js';
import type { Loop } from './loop.js';
import { nativeError } from '../sys/platform.js';
import { decodeLocalSockaddr, encodeLocalSockaddr, SOCKADDR_MAX, SUN_PATH_SIZE } from '../sys/sockaddr.js';
import { checkPipeName } from '../net/arguments.js';
import type { OperationCallback } from '../net/completion.js';
import { StreamHandle, type StreamConnectionCallback, type StreamEvents } from './stream-handle.js';

/** Events of a {@link Pipe} handle. */
export type PipeEvents = StreamEvents<Pipe>;

/** Connection callback of {@link Pipe.listen}. */
export type PipeConnectionCallback = StreamConnectionCallback<Pipe>;

/**
 * A pipe: create with {@link Loop.pipe}. Bind a server to a name and
 * listen, or connect a client to one; then read, write, shut down and
 * close exactly as a {@link Tcp} stream.
 *
 * Names are filesystem paths (at most 107 bytes), or on Linux names in the
 * abstract namespace, which start with `'\0'` and leave no file. An
 * abstract name is exactly its bytes, as libuv 1.46+ and most Linux programs
 * name it; Node 20's node:net pads it with NULs to 108 bytes, which is
 * another name, so the two do not meet on one. A server's path is removed
 * when its handle closes, as libuv does; a path left behind by a process
 * that died makes `bind` fail with `EADDRINUSE` until it is removed.
 */
export class Pipe extends StreamHandle<Pipe> {
  /** Always `'pipe'`. */
  readonly type = 'pipe' as const;
  /** The filesystem path this handle bound, removed at close. */
  #boundPath: string | null = null;

  /** @internal Use {@link Loop.pipe}. */
  constructor(loop: Loop) {
    super(loop);
  }

  protected acceptedClient(channel: StreamChannel): Pipe {
    const pipe = new Pipe(this.loop);
    pipe.setConnected(channel);
    return pipe;
  }

  protected bindForListen(): void {
    throw stateError('EINVAL', 'listen', 'a pipe must be bound to a name before it listens');
  }

  /**
   * Binds to `name`, a path (or an abstract name on Linux).
   * @throws TypeError for a name that is not a non-empty string without NUL
   *   bytes (but a leading one); WsaloopError `ENAMETOOLONG` for a name longer
   *   than a socket address holds, `ENOTSUP` on Windows, or the bind error
   *   (`EADDRINUSE` for a name in use, `EACCES`, `ENOENT` for a missing directory).
   */
  bind(name: string): this {
    this._assertOpen('bind');
    const { address, length } = this.#sockaddr(name, 'bind');
    const channel = this.ensureSocket('unix', 'bind');
    const rc = channel.bind(address, length);
    if (rc < 0) throw nativeError(rc, 'bind', name);
    if (!name.startsWith('\0')) this.#boundPath = name;
    return this;
  }

  /**
   * Connects to the pipe named `name`.
   * @returns A Promise when no callback is given.
   * @throws TypeError for a bad name or callback; WsaloopError `ENAMETOOLONG`
   *   or `ENOTSUP` as {@link Pipe.bind}. A server that is not there fails the
   *   connect itself with `ENOENT` (no such path) or `ECONNREFUSED`.
   */
  connect(name: string, callback: OperationCallback): void;
  connect(name: string): Promise<void>;
  connect(name: string, callback?: OperationCallback): Promise<void> | void {
    const { address, length } = this.#sockaddr(name, 'connect');
    return this.connectWith(callback, (finish) => this.connectTo('unix', address, length, finish, name));
  }

  /**
   * Lets every user read from and/or write to (so connect to) the bound
   * pipe, as libuv's `uv_pipe_chmod`: the permissions asked for are added to
   * those its file has. Does nothing for an abstract name, which has no file.
   * @throws TypeError when neither is asked for; WsaloopError `EBADF` when
   *   the pipe is not bound, or the file system's error.
   */
  chmod(access: { readable?: boolean; writable?: boolean }): this {
    this._assertOpen('chmod');
    if (!access || (!access.readable && !access.writable)) throw new TypeError('The "access" argument must ask for readable and/or writable');
    if (!this.channel) throw stateError('EBADF', 'chmod', 'pipe is not bound');
    if (this.#boundPath === null) return this;
    const all = (access.readable ? 0o444 : 0) | (access.writable ? 0o222 : 0);
    try {
      chmodSync(this.#boundPath, (statSync(this.#boundPath).mode & 0o777) | all);
    } catch (error) {
      const { code = 'EIO', message } = error as NodeJS.ErrnoException;
      throw stateError(code, 'chmod', message);
    }
    return this;
  }

  /** The name this pipe is bound to ('' for a client's unnamed end). @throws WsaloopError `EBADF` before bind/connect or after close. */
  address(): string {
    const { sockaddr, length } = this.readSockaddr('getsockname', (channel, out) => channel.localAddress(out));
    return decodeLocalSockaddr(sockaddr, length);
  }

  /** The name of the peer's end: the server's name, seen from a client; usually '' seen from a server. @throws WsaloopError `ENOTCONN` when not connected. */
  remoteAddress(): string {
    const { sockaddr, length } = this.readSockaddr('getpeername', (channel, out) => channel.peerAddress(out));
    return decodeLocalSockaddr(sockaddr, length);
  }

  protected override _close(): void {
    if (this.#boundPath !== null) {
      // As libuv: the server's name goes with it, so the next bind succeeds.
      try {
        unlinkSync(this.#boundPath);
      } catch {
        // Already removed by someone else: nothing to do.
      }
      this.#boundPath = null;
    }
    super._close();
  }

  /** Checks `name` and encodes it as a sockaddr_un. */
  #sockaddr(name: string, syscall: string): { address: Buffer; length: number } {
    checkPipeName(name, syscall);
    const address = Buffer.alloc(SOCKADDR_MAX);
    const length = encodeLocalSockaddr(this.loop._io.families, name, address);
    if (length < 0) throw stateError('ENAMETOOLONG', syscall, `${name}: a pipe name holds at most ${SUN_PATH_SIZE - 1} bytes`);
    return { address, length };
  }
}
