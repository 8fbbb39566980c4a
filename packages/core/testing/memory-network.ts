/**
 * An in-memory network behind the {@link SocketApi} interface: TCP-like
 * streams and UDP-like datagrams between sockets of one process, on the
 * loopback addresses, with bounded buffers (so backpressure and a peer that
 * never reads are real) and faults a test can inject. Core's io adapters run
 * over it unchanged, which lets the loop's semantics be tested in
 * milliseconds, natively, and shows backend authors the contract at work.
 *
 * Error codes are the platform's own numbers (Node's `os.constants.errno`)
 * and their names come from the platform's socket layer, so errors read as
 * they would on real sockets. It speaks POSIX errno values: its tests run
 * natively on Linux, not under Wine, where Winsock would read them as
 * other codes.
 * @module
 */
import { constants } from 'node:os';
import type { AddressFamily, IpFamily, MulticastMembership, SocketApi, SocketHandle, SocketKind, SocketOption } from '@wsaloop/core/backend';
import { decodeSockaddr, encodeSockaddr, socketApi } from '@wsaloop/core/backend';

const E = constants.errno as Record<string, number>;
/** The platform errno of `name`. */
export const errno = (name: string): number => {
  const code = E[name];
  if (code === undefined) throw new Error(`no errno ${name} on this platform`);
  return code;
};

/** Bytes a stream socket's receive side holds before its peer's sends would block. */
export const STREAM_BUFFER = 256 * 1024;
/** Datagrams a socket queues before more are dropped, as a full UDP buffer does. */
const DATAGRAM_QUEUE = 256;
/** Socket numbers start here, far from any real descriptor. */
const FIRST_SOCKET = 1_000_000;
const FIRST_EPHEMERAL_PORT = 49152;

interface Endpoint {
  host: string;
  port: number;
}

/** One socket of the network. */
export class MemorySocket {
  readonly fd: SocketHandle;
  readonly kind: SocketKind;
  readonly family: IpFamily;
  local: Endpoint | null = null;
  state: 'open' | 'listening' | 'connected' | 'closed' = 'open';
  /** Connections waiting for accept(), and the most that may wait. */
  readonly backlog: MemorySocket[] = [];
  backlogLimit = 0;
  peer: MemorySocket | null = null;
  /** Bytes received and not yet read. */
  readonly received: Buffer[] = [];
  receivedBytes = 0;
  /** The peer sent FIN: reads return 0 once `received` is empty. */
  peerEnded = false;
  /** This side sent FIN. */
  sendShut = false;
  /** An error the next call reports (ECONNRESET after a reset). */
  pendingError = 0;
  readonly datagrams: Array<{ data: Buffer; from: Endpoint }> = [];
  readonly options = new Map<SocketOption, number>();

  constructor(fd: SocketHandle, kind: SocketKind, family: IpFamily) {
    this.fd = fd;
    this.kind = kind;
    this.family = family;
  }

  /** Room left in this socket's receive side. */
  get room(): number {
    return STREAM_BUFFER - this.receivedBytes;
  }
}

/** Accept faults that leave the connection in the backlog: the process, not the peer, is short. */
const RESOURCE_FAULTS = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM'].map(errno));

/** Which call a {@link MemoryNetwork.failNext} fault hits. */
export type FaultableCall = 'accept' | 'open' | 'connect' | 'send' | 'recv';

/** The network: every socket, the addresses in use, and the faults armed. */
export class MemoryNetwork implements SocketApi {
  readonly platform: 'winsock' | 'posix';
  readonly AF_INET: number;
  readonly AF_INET6: number;
  readonly AF_UNIX: number;
  readonly #sockets = new Map<SocketHandle, MemorySocket>();
  readonly #bound = new Map<string, MemorySocket>();
  readonly #faults = new Map<FaultableCall, number[]>();
  readonly #watchers = new Set<() => void>();
  #nextSocket = FIRST_SOCKET;
  #nextPort = FIRST_EPHEMERAL_PORT;

  constructor() {
    const platform = socketApi();
    this.platform = platform.platform;
    this.AF_INET = platform.AF_INET;
    this.AF_INET6 = platform.AF_INET6;
    this.AF_UNIX = platform.AF_UNIX;
  }

  // ---- for tests and backends ----

  /** Makes the next `call` fail with the errno called `code` (repeat to queue several). */
  failNext(call: FaultableCall, code: string): void {
    const queue = this.#faults.get(call) ?? [];
    queue.push(errno(code));
    this.#faults.set(call, queue);
  }

  /** The socket numbered `fd`, if open. */
  socket(fd: SocketHandle): MemorySocket | undefined {
    return this.#sockets.get(fd);
  }

  /** Sockets open now. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  /** Calls `watcher` after every change of state (a backend waiting for readiness listens here). */
  watch(watcher: () => void): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /**
   * Resets the connection of `fd` as a peer that vanished would: its peer's
   * next receive fails with ECONNRESET, and `fd` is closed.
   */
  reset(fd: SocketHandle): void {
    const socket = this.#sockets.get(fd);
    const peer = socket?.peer;
    if (socket && peer) {
      peer.pendingError = errno('ECONNRESET');
      peer.peer = null;
      socket.peer = null;
    }
    this.close(fd);
  }

  /** Whether `fd` has something to read, a connection to accept, or an error. */
  readable(fd: SocketHandle): boolean {
    const s = this.#sockets.get(fd);
    if (!s) return false;
    if (s.pendingError) return true;
    if (s.state === 'listening') return s.backlog.length > 0;
    if (s.kind === 'dgram') return s.datagrams.length > 0;
    return s.state === 'connected' && (s.receivedBytes > 0 || s.peerEnded);
  }

  /** Whether a send on `fd` would take at least one byte (or fail at once). */
  writable(fd: SocketHandle): boolean {
    const s = this.#sockets.get(fd);
    if (!s || s.kind === 'dgram') return Boolean(s);
    if (s.state !== 'connected') return false;
    return !s.peer || s.sendShut || s.peer.room > 0;
  }

  // ---- SocketApi ----

  open(family: AddressFamily, kind: SocketKind): number {
    const fault = this.#fault('open');
    if (fault) return -fault;
    // Loopback IP only: pipes are tested on real sockets.
    if (family === 'unix') return -errno('EAFNOSUPPORT');
    const socket = new MemorySocket(this.#nextSocket++, kind, family);
    this.#sockets.set(socket.fd, socket);
    return socket.fd;
  }

  close(fd: SocketHandle): number {
    const socket = this.#sockets.get(fd);
    if (!socket) return -errno('EBADF');
    this.#sockets.delete(fd);
    if (socket.local && this.#bound.get(this.#key(socket.kind, socket.local)) === socket) this.#bound.delete(this.#key(socket.kind, socket.local));
    socket.state = 'closed';
    const peer = socket.peer;
    if (peer) {
      // A close with unread data, or with linger 0, resets; otherwise FIN.
      if (socket.receivedBytes > 0 || socket.options.get('lingerZero') === 1) peer.pendingError = errno('ECONNRESET');
      else peer.peerEnded = true;
      peer.peer = null;
    }
    for (const waiting of socket.backlog) this.reset(waiting.fd);
    this.#changed();
    return 0;
  }

  bind(fd: SocketHandle, address: Buffer, _length: number): number {
    const socket = this.#sockets.get(fd);
    if (!socket) return -errno('EBADF');
    if (socket.local) return -errno('EINVAL');
    const where = decodeSockaddr(this, address);
    if (!where) return -errno('EAFNOSUPPORT');
    const host = this.#loopback(where.address);
    if (!host) return -errno('EADDRNOTAVAIL');
    const port = where.port === 0 ? this.#ephemeral(socket.kind, host) : where.port;
    if (this.#bound.has(this.#key(socket.kind, { host, port }))) return -errno('EADDRINUSE');
    socket.local = { host, port };
    this.#bound.set(this.#key(socket.kind, socket.local), socket);
    return 0;
  }

  listen(fd: SocketHandle, backlog: number): number {
    const socket = this.#sockets.get(fd);
    if (!socket) return -errno('EBADF');
    if (socket.kind !== 'stream' || socket.state === 'connected') return -errno('EINVAL');
    if (!socket.local) this.bind(fd, this.#sockaddr(socket.family, socket.family === 'ipv4' ? '127.0.0.1' : '::1', 0), 0);
    socket.state = 'listening';
    socket.backlogLimit = Math.max(1, backlog);
    return 0;
  }

  accept(fd: SocketHandle): number {
    const listener = this.#sockets.get(fd);
    if (!listener) return -errno('EBADF');
    if (listener.state !== 'listening') return -errno('EINVAL');
    if (listener.backlog.length === 0) return -errno('EAGAIN');
    const fault = this.#fault('accept');
    if (fault) {
      // Out of descriptors or memory, the connection stays queued, as on a
      // real stack; any other failure means it died on its way in.
      if (!RESOURCE_FAULTS.has(fault)) this.reset(listener.backlog.shift()!.fd);
      return -fault;
    }
    const accepted = listener.backlog.shift()!;
    this.#changed();
    return accepted.fd;
  }

  connect(fd: SocketHandle, address: Buffer, _length: number): number {
    const socket = this.#sockets.get(fd);
    if (!socket) return -errno('EBADF');
    if (socket.state === 'connected') return -errno('EISCONN');
    const fault = this.#fault('connect');
    if (fault) return -fault;
    const where = decodeSockaddr(this, address);
    const host = where && this.#loopback(where.address);
    if (!where || !host) return -errno('ENETUNREACH');
    if (socket.kind === 'dgram') {
      socket.peer = null;
      return 0;
    }
    const listener = this.#bound.get(this.#key('stream', { host, port: where.port }));
    if (!listener || listener.state !== 'listening') return -errno('ECONNREFUSED');
    if (listener.backlog.length >= listener.backlogLimit) return -errno('ECONNREFUSED');
    if (!socket.local) this.bind(fd, this.#sockaddr(socket.family, host, 0), 0);
    const server = this.#sockets.get(this.open(socket.family, 'stream'))!;
    server.local = { ...listener.local! };
    server.state = socket.state = 'connected';
    server.peer = socket;
    socket.peer = server;
    listener.backlog.push(server);
    this.#changed();
    return 0;
  }

  recv(fd: SocketHandle, buffer: Uint8Array, offset: number, length: number): number {
    const socket = this.#sockets.get(fd);
    if (!socket) return -errno('EBADF');
    const fault = this.#fault('recv');
    if (fault) return -fault;
    if (socket.pendingError) return -this.#takeError(socket);
    if (socket.state !== 'connected') return -errno('ENOTCONN');
    if (socket.receivedBytes === 0) return socket.peerEnded ? 0 : -errno('EAGAIN');
    let n = 0;
    while (n < length && socket.received.length > 0) {
      const chunk = socket.received[0]!;
      const take = Math.min(chunk.byteLength, length - n);
      buffer.set(chunk.subarray(0, take), offset + n);
      n += take;
      if (take === chunk.byteLength) socket.received.shift();
      else socket.received[0] = chunk.subarray(take);
    }
    socket.receivedBytes -= n;
    this.#changed();
    return n;
  }

  send(fd: SocketHandle, buffer: Uint8Array, offset: number, length: number): number {
    return this.sendv(fd, [buffer.subarray(offset, offset + length)], 0, 0);
  }

  sendv(fd: SocketHandle, buffers: readonly Uint8Array[], first: number, firstOffset: number): number {
    const socket = this.#sockets.get(fd);
    if (!socket) return -errno('EBADF');
    const fault = this.#fault('send');
    if (fault) return -fault;
    if (socket.pendingError) return -this.#takeError(socket);
    if (socket.sendShut) return -errno('EPIPE');
    if (socket.state !== 'connected') return -errno('ENOTCONN');
    const peer = socket.peer;
    if (!peer) return -errno('EPIPE');
    let sent = 0;
    for (let i = first; i < buffers.length && peer.room > 0; i++) {
      const piece = i === first ? buffers[i]!.subarray(firstOffset) : buffers[i]!;
      const take = Math.min(piece.byteLength, peer.room);
      if (take === 0) continue;
      peer.received.push(Buffer.from(piece.subarray(0, take)));
      peer.receivedBytes += take;
      sent += take;
    }
    if (sent === 0) return -errno('EAGAIN');
    this.#changed();
    return sent;
  }

  recvFrom(fd: SocketHandle, buffer: Uint8Array, offset: number, length: number, from: Buffer, fromLength: Int32Array): number {
    const socket = this.#sockets.get(fd);
    if (!socket) return -errno('EBADF');
    const datagram = socket.datagrams.shift();
    if (!datagram) return -errno('EAGAIN');
    const n = Math.min(length, datagram.data.byteLength);
    buffer.set(datagram.data.subarray(0, n), offset);
    fromLength[0] = encodeSockaddr(this, socket.family, datagram.from.host, datagram.from.port, from);
    this.#changed();
    return n;
  }

  sendTo(fd: SocketHandle, buffers: readonly Uint8Array[], to: Buffer, _toLength: number): number {
    const socket = this.#sockets.get(fd);
    if (!socket) return -errno('EBADF');
    const fault = this.#fault('send');
    if (fault) return -fault;
    const where = decodeSockaddr(this, to);
    const host = where && this.#loopback(where.address);
    if (!where || !host) return -errno('ENETUNREACH');
    if (!socket.local) this.bind(fd, this.#sockaddr(socket.family, socket.family === 'ipv4' ? '0.0.0.0' : '::', 0), 0);
    const data = Buffer.concat(buffers);
    const target = this.#bound.get(this.#key('dgram', { host, port: where.port }));
    // No receiver, or a full queue: the datagram is lost, as UDP's would be.
    if (target && target.datagrams.length < DATAGRAM_QUEUE) target.datagrams.push({ data, from: { host: this.#loopback(socket.local!.host) ?? host, port: socket.local!.port } });
    this.#changed();
    return data.byteLength;
  }

  setBlocking(fd: SocketHandle, _blocking: boolean): number {
    return this.#sockets.has(fd) ? 0 : -errno('EBADF');
  }

  shutdownSend(fd: SocketHandle): number {
    const socket = this.#sockets.get(fd);
    if (!socket) return -errno('EBADF');
    if (socket.state !== 'connected') return -errno('ENOTCONN');
    socket.sendShut = true;
    if (socket.peer) socket.peer.peerEnded = true;
    this.#changed();
    return 0;
  }

  setOption(fd: SocketHandle, option: SocketOption, value: number, _family: AddressFamily): number {
    const socket = this.#sockets.get(fd);
    if (!socket) return -errno('EBADF');
    socket.options.set(option, value);
    return 0;
  }

  setKeepAlive(fd: SocketHandle, enable: boolean, _delayMs: number): number {
    return this.setOption(fd, 'keepAlive', enable ? 1 : 0, 'ipv4');
  }

  setMembership(fd: SocketHandle, _membership: MulticastMembership, _join: boolean): number {
    return this.#sockets.has(fd) ? -errno('ENOPROTOOPT') : -errno('EBADF');
  }

  pendingError(fd: SocketHandle): number {
    const socket = this.#sockets.get(fd);
    return socket ? this.#takeError(socket) : errno('EBADF');
  }

  localAddress(fd: SocketHandle, out: Buffer): number {
    const socket = this.#sockets.get(fd);
    if (!socket) return -errno('EBADF');
    if (!socket.local) return encodeSockaddr(this, socket.family, socket.family === 'ipv4' ? '0.0.0.0' : '::', 0, out);
    return encodeSockaddr(this, socket.family, socket.local.host, socket.local.port, out);
  }

  peerAddress(fd: SocketHandle, out: Buffer): number {
    const socket = this.#sockets.get(fd);
    if (!socket) return -errno('EBADF');
    const peer = socket.peer;
    if (socket.state !== 'connected' || !peer?.local) return -errno('ENOTCONN');
    return encodeSockaddr(this, socket.family, peer.local.host, peer.local.port, out);
  }

  isWouldBlock(code: number): boolean {
    return socketApi().isWouldBlock(code);
  }

  isConnectInProgress(code: number): boolean {
    return socketApi().isConnectInProgress(code);
  }

  errorCode(code: number): string {
    return socketApi().errorCode(code);
  }

  errorMessage(code: number): string {
    return socketApi().errorMessage(code);
  }

  // ---- internals ----

  #changed(): void {
    for (const watcher of [...this.#watchers]) watcher();
  }

  #fault(call: FaultableCall): number {
    return this.#faults.get(call)?.shift() ?? 0;
  }

  #takeError(socket: MemorySocket): number {
    const code = socket.pendingError;
    socket.pendingError = 0;
    return code;
  }

  /** The loopback address `address` names (the wildcard binds loopback), or null for any other. */
  #loopback(address: string): string | null {
    if (address === '127.0.0.1' || address === '0.0.0.0' || address === '::ffff:127.0.0.1') return '127.0.0.1';
    if (address === '::1' || address === '::') return '::1';
    return null;
  }

  #key(kind: SocketKind, at: Endpoint): string {
    return `${kind} ${at.host} ${at.port}`;
  }

  #ephemeral(kind: SocketKind, host: string): number {
    for (;;) {
      const port = this.#nextPort++;
      if (this.#nextPort > 65535) this.#nextPort = FIRST_EPHEMERAL_PORT;
      if (!this.#bound.has(this.#key(kind, { host, port }))) return port;
    }
  }

  #sockaddr(family: IpFamily, host: string, port: number): Buffer {
    const out = Buffer.alloc(28);
    encodeSockaddr(this, family, host, port, out);
    return out;
  }
}
