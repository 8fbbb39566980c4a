/**
 * The completion-style operations TCP and UDP handles are written against.
 * Two implementations: {@link ReactiveIo} turns a Reactor's readiness into
 * these operations (the role of Boost.Asio's reactive socket service), and
 * {@link ProactiveIo} forwards them to a Proactor. Handles never see which.
 *
 * Statuses: 0 for success, a positive native error code, or
 * {@link STATUS_CANCELED} for an operation cut short by a close.
 * @module
 */
import type { AddressFamily, SocketHandle } from '../sys/socket-api.js';

/** Status of an operation abandoned because its handle closed. */
export const STATUS_CANCELED = -1;

/** Completion of an operation with no result. */
export type Done = (status: number) => void;

/** A connected or listening stream socket. */
export interface StreamChannel {
  /** Reports each accepted connection (or accept error) until close. */
  startAccepting(onConnection: (status: number, socket: SocketHandle) => void): void;
  /** Connects to the sockaddr in `address`. */
  connect(address: Buffer, length: number, done: Done): void;
  /** Delivers received data; an empty array means end of stream. */
  readStart(onRead: (status: number, data: Uint8Array) => void): void;
  /** Stops delivering data (backpressure); data already received is kept for the next readStart. */
  readStop(): void;
  /** Sends all `buffers`, after every earlier write, then calls `done`. */
  write(buffers: Uint8Array[], done: Done): void;
  /** Half-closes the sending side once every earlier write has been sent. */
  shutdown(done: Done): void;
  /**
   * Closes the socket (with a reset if `abortive`); outstanding operations
   * complete with a cancellation before `done` runs.
   */
  close(abortive: boolean, done: () => void): void;
}

/** A bound UDP socket. */
export interface DatagramChannel {
  /** Delivers each datagram with its sender's sockaddr until {@link DatagramChannel.recvStop}. */
  recvStart(onMessage: (status: number, data: Uint8Array | null, from: Buffer | null) => void): void;
  /** Stops delivering datagrams. */
  recvStop(): void;
  /** Sends one datagram gathered from `buffers` to the sockaddr in `to`. */
  send(buffers: Uint8Array[], to: Buffer, toLength: number, done: Done): void;
  /** Closes the socket; outstanding sends complete with a cancellation before `done`. */
  close(done: () => void): void;
}

/** Opens channels for sockets core created or accepted. */
export interface IoService {
  /** Prepares a socket core just created (associates it with the backend). Returns 0 or a negated error. */
  prepare(socket: SocketHandle, family: AddressFamily, kind: 'stream' | 'dgram'): number;
  /** A channel for a stream socket (new, or accepted through this service). */
  stream(socket: SocketHandle, family: AddressFamily): StreamChannel;
  /** A channel for a datagram socket. */
  datagram(socket: SocketHandle, family: AddressFamily): DatagramChannel;
  /** Running totals of this layer (accepts dropped, clients turned away, ...), merged into `loop.stats()`. */
  stats(): Record<string, number>;
}
