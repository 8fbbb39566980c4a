/**
 * The completion contract (overlapped I/O, completion ports): the backend
 * starts operations and reports their results. Core owns the sockets and the
 * stream semantics; the backend owns every byte of native memory an
 * operation uses until the operation's completion has been reported.
 * @module
 */
import type { AddressFamily, SocketHandle, SocketKind } from '../sys/socket-api.js';
import type { BackendBase } from './backend-base.js';

/**
 * One operation handed to a proactor. `status` is 0 on success or a positive
 * native error code (995, `ERROR_OPERATION_ABORTED`, when cancelled by a
 * close). Each request completes exactly once, from inside
 * {@link BackendBase.poll}.
 */
export interface CompletionRequest {
  complete(status: number): void;
}

/**
 * An accept: completes with the new connected socket. `backlog` is a hint:
 * true when the connection was taken from a queue of them (a burst), so
 * posting more accepts would take it sooner.
 */
export interface AcceptRequest {
  complete(status: number, socket: SocketHandle, backlog?: boolean): void;
  /**
   * Posted for a burst only: when no connection is queued, the proactor may
   * complete it at once with the would-block code instead of keeping it
   * pending.
   */
  readonly optional?: boolean;
}

/**
 * A stream receive: completes with the bytes received (the array is the
 * caller's to keep), or an empty array at end of stream.
 */
export interface RecvRequest {
  complete(status: number, data: Uint8Array | null): void;
}

/** A datagram receive: the bytes and the sender's sockaddr (the caller's to keep). */
export interface RecvFromRequest {
  complete(status: number, data: Uint8Array | null, from: Buffer | null): void;
}

/** A completion backend. */
export interface Proactor extends BackendBase {
  /** Discriminates proactors from reactors. */
  readonly kind: 'proactor';
  /** Accepts core keeps posted per listening socket (default 4 when absent). */
  readonly acceptsAhead?: number;
  /** Prepares a socket core created (e.g. associates it with a completion port). Returns 0 or a negated error. */
  associate(socket: SocketHandle, family: AddressFamily, kind: SocketKind): number;
  /** Accepts one connection on the listening `socket`. */
  accept(socket: SocketHandle, family: AddressFamily, request: AcceptRequest): void;
  /** Connects the bound-or-unbound `socket` to the sockaddr in `address`. */
  connect(socket: SocketHandle, family: AddressFamily, address: Buffer, length: number, request: CompletionRequest): void;
  /** Receives once from a stream socket. */
  recv(socket: SocketHandle, request: RecvRequest): void;
  /**
   * Sends all of `buffers` (a gather write). The buffers stay referenced and
   * unchanged by the caller until the request completes.
   */
  send(socket: SocketHandle, buffers: readonly Uint8Array[], request: CompletionRequest): void;
  /** Receives one datagram. */
  recvFrom(socket: SocketHandle, request: RecvFromRequest): void;
  /** Sends one datagram gathered from `buffers` to the sockaddr in `address`. */
  sendTo(socket: SocketHandle, buffers: readonly Uint8Array[], address: Buffer, length: number, request: CompletionRequest): void;
  /**
   * Cancels every operation in flight on `socket` (each completes with
   * `ERROR_OPERATION_ABORTED` unless it finished first), closes the socket,
   * and calls `done` from inside `poll` once the last completion has been
   * reported and its memory released.
   */
  closeSocket(socket: SocketHandle, done: () => void): void;
}
