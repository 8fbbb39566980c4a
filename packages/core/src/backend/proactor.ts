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
 * Receives the accepts of one listening socket; called only from inside
 * {@link BackendBase.poll}.
 */
export interface AcceptListener {
  /**
   * One accept finished: `status` 0 and the new connected socket (ready for
   * the other operations, as if {@link Proactor.associate}d), or a positive
   * native error and -1. The proactor closed the socket of a connection
   * that failed on its way in itself. After a failure the proactor posts
   * again only once this returns, so a {@link Proactor.stopAccepting} made
   * here (for a listener's own error, or no descriptors left) takes effect
   * before it.
   */
  accepted(status: number, socket: SocketHandle): void;
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

/**
 * Windows named pipes on a completion backend. A pipe handle (a server
 * instance or a client's end, opened overlapped by core) is tied to the
 * backend with {@link NamedPipeOperations.associatePipe}; from then on the
 * Proactor's `recv`, `send` and `closeSocket` take it as they take a socket
 * (ReadFile, WriteFile and CloseHandle underneath). A receive that meets the
 * peer's close completes as end of stream (an empty array), never as
 * `ERROR_BROKEN_PIPE`; a zero-byte message from the peer is not an end and
 * is never reported.
 */
export interface NamedPipeOperations {
  /** Ties a pipe handle to the backend. Returns 0 or a negated Win32 error. */
  associatePipe(handle: SocketHandle): number;
  /**
   * Waits for a client on the server instance `handle` (ConnectNamedPipe):
   * completes with 0 once one has connected, including one that connected
   * before the wait started. A client that came and went meanwhile
   * completes it with `ERROR_NO_DATA` (232).
   */
  awaitClient(handle: SocketHandle, request: CompletionRequest): void;
}

/** A completion backend. */
export interface Proactor extends BackendBase {
  /** Present when this backend serves Windows named pipes. */
  readonly namedPipes?: NamedPipeOperations;
  /** Discriminates proactors from reactors. */
  readonly kind: 'proactor';
  /** Prepares a socket core created (e.g. associates it with a completion port). Returns 0 or a negated error. */
  associate(socket: SocketHandle, family: AddressFamily, kind: SocketKind): number;
  /**
   * Starts accepting on the listening `socket`, and keeps accepting until
   * {@link Proactor.stopAccepting} or {@link Proactor.closeSocket}: how many
   * accepts stay posted (a few ahead, more while a burst fills the backlog)
   * is the proactor's policy, not the caller's. Each finished accept goes to
   * `listener`, failures included; an accept that found nothing to take is
   * not reported. Called again after a stop, it posts again.
   */
  startAccepting(socket: SocketHandle, family: AddressFamily, listener: AcceptListener): void;
  /**
   * Stops posting accepts on `socket`. Accepts already posted still finish
   * and are reported.
   */
  stopAccepting(socket: SocketHandle): void;
  /** Connects the bound-or-unbound `socket` to the sockaddr in `address`. */
  connect(socket: SocketHandle, family: AddressFamily, address: Buffer, length: number, request: CompletionRequest): void;
  /** Receives once from a stream socket. */
  recv(socket: SocketHandle, request: RecvRequest): void;
  /**
   * Sends all of `buffers` (a gather write). The buffers stay referenced and
   * unchanged by the caller until the request completes. Core starts a
   * socket's next send before the last one completes: the bytes of sends on
   * one socket must reach the stream in the order they were started, never
   * interleaved (Winsock keeps overlapped sends in order; io_uring does not,
   * and its proactor sends one at a time).
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
