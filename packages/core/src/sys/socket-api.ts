/**
 * The platform-neutral socket calls core and the backends make. One
 * implementation per platform: Winsock (`winsock/sockets.ts`) and POSIX
 * (`posix/sockets.ts`). Every call is non-blocking and synchronous; results
 * follow the libuv convention: a value `>= 0` is success, a negative value is
 * the negated native error code (a WSA code on Windows, an errno on POSIX).
 * @module
 */

/** A native socket: a Winsock `SOCKET` on Windows, a file descriptor on POSIX. */
export type SocketHandle = number;

/** An IP address family. */
export type IpFamily = 'ipv4' | 'ipv6';

/** Address family of a socket: IP, or a local (AF_UNIX) socket named by a path. */
export type AddressFamily = IpFamily | 'unix';

/** Socket type: stream (TCP, or a local stream socket) or datagram (UDP). */
export type SocketKind = 'stream' | 'dgram';

/** Options that map onto `setsockopt`, named by intent instead of by constant. */
export type SocketOption =
  | 'reuseAddress'
  | 'exclusiveAddress'
  | 'noDelay'
  | 'keepAlive'
  | 'broadcast'
  | 'ttl'
  | 'multicastTtl'
  | 'multicastLoop'
  | 'ipv6Only'
  | 'sendBufferSize'
  | 'receiveBufferSize'
  | 'lingerZero';

/** Membership change for a multicast group. */
export interface MulticastMembership {
  group: Buffer;
  interfaceAddress: Buffer | null;
  family: AddressFamily;
  interfaceIndex: number;
}

/** The synchronous socket calls of one platform. */
export interface SocketApi {
  /** `'winsock'` on Windows, `'posix'` elsewhere. */
  readonly platform: 'winsock' | 'posix';
  /** Native value of AF_INET. */
  readonly AF_INET: number;
  /** Native value of AF_INET6. */
  readonly AF_INET6: number;
  /** Native value of AF_UNIX. */
  readonly AF_UNIX: number;

  /** Creates a non-blocking, non-inheritable socket (overlapped-capable on Windows). */
  open(family: AddressFamily, kind: SocketKind): number;
  /** Closes the socket. */
  close(socket: SocketHandle): number;
  bind(socket: SocketHandle, address: Buffer, length: number): number;
  listen(socket: SocketHandle, backlog: number): number;
  /**
   * Accepts one connection, without waiting when the listener is
   * non-blocking (as every socket {@link SocketApi.open} makes); the new
   * socket is non-blocking too (a blocking listener's may not be: Winsock
   * copies the listener's mode).
   */
  accept(socket: SocketHandle): number;
  /** Starts a non-blocking connect: 0, or a negated in-progress / error code. */
  connect(socket: SocketHandle, address: Buffer, length: number): number;
  recv(socket: SocketHandle, buffer: Uint8Array, offset: number, length: number): number;
  send(socket: SocketHandle, buffer: Uint8Array, offset: number, length: number): number;
  /** Gather send of several buffers in one call. */
  sendv(socket: SocketHandle, buffers: readonly Uint8Array[], first: number, firstOffset: number): number;
  /** Receives one datagram; the sender's address is written into `from` (length in `fromLength[0]`). */
  recvFrom(socket: SocketHandle, buffer: Uint8Array, offset: number, length: number, from: Buffer, fromLength: Int32Array): number;
  /** Sends one datagram, gathered from `buffers`. */
  sendTo(socket: SocketHandle, buffers: readonly Uint8Array[], to: Buffer, toLength: number): number;
  /**
   * Switches blocking mode. Loops only use non-blocking sockets; this is for
   * code that drives a socket itself on a thread of its own (the blocking
   * I/O model).
   */
  setBlocking(socket: SocketHandle, blocking: boolean): number;
  /** Half-closes the sending side (`shutdown(SD_SEND)` / `SHUT_WR`). */
  shutdownSend(socket: SocketHandle): number;
  setOption(socket: SocketHandle, option: SocketOption, value: number, family: AddressFamily): number;
  /** TCP keep-alive with an initial delay in milliseconds. */
  setKeepAlive(socket: SocketHandle, enable: boolean, delayMs: number): number;
  setMembership(socket: SocketHandle, membership: MulticastMembership, join: boolean): number;
  /** Pending error of the socket (SO_ERROR), as a positive native code (0 if none). */
  pendingError(socket: SocketHandle): number;
  /** Writes the local address into `out`; returns its length or a negated error. */
  localAddress(socket: SocketHandle, out: Buffer): number;
  /** Writes the peer address into `out`; returns its length or a negated error. */
  peerAddress(socket: SocketHandle, out: Buffer): number;

  /** True when `code` (positive) means "try again later". */
  isWouldBlock(code: number): boolean;
  /** True when `code` (positive) means a connect is under way. */
  isConnectInProgress(code: number): boolean;
  /** Node-style name of a native error code, e.g. 10061 -> `ECONNREFUSED`. */
  errorCode(code: number): string;
  /** Human-readable description of a native error code. */
  errorMessage(code: number): string;
}
