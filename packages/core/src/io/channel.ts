/**
 * The completion-style operations TCP and UDP handles are written against.
 * Two implementations: `ReactiveIo` turns a Reactor's readiness into
 * these operations (the role of Boost.Asio's reactive socket service), and
 * `ProactiveIo` forwards them to a Proactor. Handles never see which.
 *
 * The io layer owns a socket's whole life: it opens it (or adopts one
 * accepted elsewhere), ties it to the backend, accepts on it (handing up
 * channels, never raw sockets), makes its option and address calls, and
 * closes it. Handles above hold channels only.
 *
 * Statuses: 0 for success, a positive native error code, or
 * {@link STATUS_CANCELED} for an operation cut short by a close.
 * @module
 */
import type { FamilyConstants } from '../sys/sockaddr.js';
import type { AddressFamily, MulticastMembership, SocketHandle, SocketOption } from '../sys/socket-api.js';

/** Status of an operation abandoned because its handle closed. */
export const STATUS_CANCELED = -1;

/** Completion of an operation with no result. */
export type Done = (status: number) => void;

/**
 * The calls on a channel's own socket. Results follow {@link SocketApi}:
 * `>= 0` on success, else a negated native error code.
 */
export interface SocketChannel {
  /** The native socket, for display (`handle.fd`) only: every call on it goes through the channel. */
  readonly fd: SocketHandle;
  /** The socket's address family. */
  readonly family: AddressFamily;
  /** Binds to the sockaddr in `address`. */
  bind(address: Buffer, length: number): number;
  /** Sets a socket option. */
  setOption(option: SocketOption, value: number): number;
  /** Writes the local sockaddr into `out`; returns its length. */
  localAddress(out: Buffer): number;
  /** Writes the peer's sockaddr into `out`; returns its length. */
  peerAddress(out: Buffer): number;
}

/** Reports one accepted connection as a channel of its own, or (with `client` null) an error of the listener. */
export type ConnectionReport = (status: number, client: StreamChannel | null) => void;

/** A connected or listening stream socket. */
export interface StreamChannel extends SocketChannel {
  /** Starts listening with room for `backlog` pending connections. */
  listen(backlog: number): number;
  /** TCP keep-alive after `delayMs` of idleness. */
  setKeepAlive(enable: boolean, delayMs: number): number;
  /**
   * Reports each accepted connection until close. Connections that fail on
   * their way in are dropped here and counted; only the listener's own
   * errors are reported.
   */
  startAccepting(onConnection: ConnectionReport): void;
  /** Connects to the sockaddr in `address`. */
  connect(address: Buffer, length: number, done: Done): void;
  /** Delivers received data; an empty array means end of stream. */
  readStart(onRead: (status: number, data: Uint8Array) => void): void;
  /** Stops delivering data (backpressure); data already received is kept for the next readStart. */
  readStop(): void;
  /** Sends all `buffers`, after every earlier write, then calls `done`. */
  write(buffers: Uint8Array[], done: Done): void;
  /**
   * Sends at once what the socket takes of `buffers`, when no write is
   * queued before them (libuv's `uv_try_write`): the bytes sent, 0 when none
   * can go now (socket buffer full, writes queued, connecting, or a backend
   * that sends only through its completions), or a negated native error.
   * Bytes not sent are the caller's to {@link StreamChannel.write}.
   */
  tryWrite(buffers: Uint8Array[]): number;
  /** Half-closes the sending side once every earlier write has been sent. */
  shutdown(done: Done): void;
  /**
   * Closes the socket (with a reset if `abortive`); outstanding operations
   * complete with a cancellation before `done` runs.
   */
  close(abortive: boolean, done: () => void): void;
}

/** A bound UDP socket. */
export interface DatagramChannel extends SocketChannel {
  /** Joins or leaves a multicast group. */
  setMembership(membership: MulticastMembership, join: boolean): number;
  /** Delivers each datagram with its sender's sockaddr until {@link DatagramChannel.recvStop}. */
  recvStart(onMessage: (status: number, data: Uint8Array | null, from: Buffer | null) => void): void;
  /** Stops delivering datagrams. */
  recvStop(): void;
  /** Sends one datagram gathered from `buffers` to the sockaddr in `to`. */
  send(buffers: Uint8Array[], to: Buffer, toLength: number, done: Done): void;
  /** Closes the socket; outstanding sends complete with a cancellation before `done`. */
  close(done: () => void): void;
}

/** Opens channels: the one place sockets are created, adopted and tied to the backend. */
export interface IoService {
  /** Opens a stream socket (dual-stack for IPv6 unless `ipv6Only`); a negated error if it cannot. */
  openStream(family: AddressFamily, ipv6Only: boolean): StreamChannel | number;
  /** Opens a datagram socket, likewise. */
  openDatagram(family: AddressFamily, ipv6Only: boolean): DatagramChannel | number;
  /**
   * Adopts a connected stream socket accepted elsewhere in the process
   * (libuv's `uv_tcp_open`): makes it non-blocking and ties it to the
   * backend. A negated error (`ENOTCONN` when it is not connected) if it cannot.
   */
  adoptStream(socket: SocketHandle): StreamChannel | number;
  /** The address-family numbers of this io's sockets, for encoding and decoding sockaddrs. */
  readonly families: FamilyConstants;
  /** Running totals of this layer (accepts dropped, clients turned away, ...), merged into `loop.stats()`. */
  stats(): Record<string, number>;
}
