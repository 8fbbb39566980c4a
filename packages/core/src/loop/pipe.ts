/**
 * Pipe handles, as libuv's `uv_pipe_t`: a stream between local processes,
 * named by a path instead of an address and port. On Linux a pipe is a Unix
 * domain stream socket (AF_UNIX), driven by the same stream code as TCP and
 * so by every backend. On Windows a pipe is a named pipe (`\\.\pipe\NAME`),
 * which is not a socket: backends that serve them do it with overlapped file
 * I/O (see `io/named-pipe-stream.ts`); on the others a pipe refuses to bind
 * or connect with `ENOTSUP`.
 * @module
 */
import { chmodSync, statSync, unlinkSync } from 'node:fs';
import { stateError } from '../errors.js';
import type { StreamChannel } from '../io/channel.js';
import type { Loop } from './loop.js';
import { nativeError } from '../sys/platform.js';
import { decodeLocalSockaddr, encodeLocalSockaddr, SOCKADDR_MAX, SUN_PATH_SIZE } from '../sys/sockaddr.js';
import type { AddressFamily } from '../sys/socket-api.js';
import { decodePipeName, encodePipeName, grantEveryone, PIPE_NAME_MAX } from '../sys/winsock/named-pipes.js';
import { adoptNamedPipe, namedPipesOf, openNamedPipe } from '../io/named-pipe-stream.js';
import { checkNamedPipeName, checkPipeName } from '../net/arguments.js';
import type { OperationCallback } from '../net/completion.js';
import { StreamHandle, type StreamConnectionCallback, type StreamEvents } from './stream-handle.js';

/** Events of a {@link Pipe} handle. */
export type PipeEvents = StreamEvents<Pipe>;

/** Connection callback of {@link Pipe.listen}. */
export type PipeConnectionCallback = StreamConnectionCallback<Pipe>;

/** Windows names pipes in the pipe namespace; everywhere else a pipe is an AF_UNIX socket. */
const NAMED_PIPES = process.platform === 'win32';
/** Room for the longest named pipe's name, in UTF-16. */
const PIPE_NAME_BYTES = PIPE_NAME_MAX * 2;

/**
 * A pipe: create with {@link Loop.pipe}. Bind a server to a name and
 * listen, or connect a client to one; then read, write, shut down and
 * close exactly as a {@link Tcp} stream.
 *
 * On Windows a pipe is a named pipe: names are `\\.\pipe\NAME` (at most
 * 256 characters), served by every Windows backend (one without named
 * pipes, such as an in-memory test backend, refuses with `ENOTSUP`). A
 * server refuses remote clients. A client that finds every instance of a
 * server busy tries again for up to 30 s. Named pipes have no half-close:
 * as in libuv, once {@link Pipe.shutdown} has completed, 50 ms without data
 * (while reading) is taken as the peer's end of stream.
 * {@link Pipe.open} adopts a connected instance that an
 * {@link AcceptThread} handed over (a `HANDLE` as a number).
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
  /** This handle bound a name (it is a server's). */
  #bound = false;

  /** @internal Use {@link Loop.pipe}. */
  constructor(loop: Loop) {
    super(loop);
  }

  protected acceptedClient(channel: StreamChannel): Pipe {
    const pipe = new Pipe(this.loop);
    pipe.setConnected(channel);
    return pipe;
  }

  protected override openChannel(family: AddressFamily, ipv6Only: boolean): StreamChannel | number {
    return NAMED_PIPES ? openNamedPipe(this.loop._io) : super.openChannel(family, ipv6Only);
  }

  protected override adoptChannel(handle: number): StreamChannel | number {
    if (!NAMED_PIPES) return super.adoptChannel(handle);
    if (!namedPipesOf(this.loop._io)) throw stateError('ENOTSUP', 'open', `the ${this.loop.backend.name} backend does not serve Windows named pipes`);
    return adoptNamedPipe(this.loop._io, handle);
  }

  protected bindForListen(): void {
    throw stateError('EINVAL', 'listen', 'a pipe must be bound to a name before it listens');
  }

  /**
   * Binds to `name`, a path (or an abstract name on Linux).
   * @throws TypeError for a name that is not a non-empty string without NUL
   *   bytes (but a leading one); WsaloopError `ENAMETOOLONG` for a name longer
   *   than a socket address holds, on Windows `EACCES` for a name outside
   *   `\\.\pipe\` and `ENOTSUP` on a backend without named pipes, or the
   *   bind error (`EADDRINUSE` for a name in use, `EACCES`, `ENOENT` for a
   *   missing directory).
   */
  bind(name: string): this {
    this._assertOpen('bind');
    const { address, length } = this.#sockaddr(name, 'bind');
    const channel = this.ensureSocket('unix', 'bind');
    const rc = channel.bind(address, length);
    if (rc < 0) throw nativeError(rc, 'bind', name);
    this.#bound = true;
    if (!name.startsWith('\0') && !NAMED_PIPES) this.#boundPath = name;
    return this;
  }

  /**
   * Connects to the pipe named `name`.
   * @returns A Promise when no callback is given.
   * @throws TypeError for a bad name or callback; WsaloopError `ENAMETOOLONG`
   *   or `ENOTSUP` as {@link Pipe.bind}, `ENOENT` on Windows for a name
   *   outside `\\.\pipe\`. A server that is not there fails the connect
   *   itself with `ENOENT` (no such path) or `ECONNREFUSED`; on Windows, one
   *   whose every instance stays busy for 30 s with `ETIMEDOUT`.
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
   * On Windows, an entry for Everyone is set in the named pipe's DACL.
   * @throws TypeError when neither is asked for; WsaloopError `EBADF` when
   *   the pipe is not bound, or the file system's (Windows: the security
   *   call's) error.
   */
  chmod(access: { readable?: boolean; writable?: boolean }): this {
    this._assertOpen('chmod');
    if (!access || (!access.readable && !access.writable)) throw new TypeError('The "access" argument must ask for readable and/or writable');
    if (!this.channel || !this.#bound) throw stateError('EBADF', 'chmod', 'pipe is not bound');
    if (NAMED_PIPES) {
      const rc = grantEveryone(this.channel.fd, access);
      if (rc < 0) throw nativeError(rc, 'chmod');
      return this;
    }
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
    return this.#name('getsockname', (channel, out) => channel.localAddress(out));
  }

  /** The name of the peer's end: the server's name, seen from a client; usually '' seen from a server. @throws WsaloopError `ENOTCONN` when not connected. */
  remoteAddress(): string {
    return this.#name('getpeername', (channel, out) => channel.peerAddress(out));
  }

  /** A name read with `read`. */
  #name(syscall: string, read: (channel: StreamChannel, out: Buffer) => number): string {
    if (NAMED_PIPES) {
      const { sockaddr, length } = this.readSockaddr(syscall, read, PIPE_NAME_BYTES);
      return decodePipeName(sockaddr, length);
    }
    const { sockaddr, length } = this.readSockaddr(syscall, read);
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
    checkPipeName(name);
    if (NAMED_PIPES) return this.#pipeName(name, syscall);
    const address = Buffer.alloc(SOCKADDR_MAX);
    const length = encodeLocalSockaddr(this.loop._io.families, name, address);
    if (length < 0) throw stateError('ENAMETOOLONG', syscall, `${name}: a pipe name holds at most ${SUN_PATH_SIZE - 1} bytes`);
    return { address, length };
  }

  /** Checks a Windows pipe name and encodes it (UTF-16LE, the "address" of a named pipe). */
  #pipeName(name: string, syscall: string): { address: Buffer; length: number } {
    if (!namedPipesOf(this.loop._io)) {
      throw stateError('ENOTSUP', syscall, `the ${this.loop.backend.name} backend does not serve Windows named pipes`);
    }
    checkNamedPipeName(name, syscall);
    const address = Buffer.alloc(PIPE_NAME_BYTES);
    return { address, length: encodePipeName(name, address) };
  }
}
