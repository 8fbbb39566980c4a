/**
 * The readiness contract (select, WSAAsyncSelect, WSAEventSelect): the backend
 * says which sockets can make progress; core's reactive adapter then performs
 * the non-blocking calls.
 * @module
 */
import type { SocketHandle } from '../sys/socket-api.js';
import type { BackendBase } from './backend-base.js';
import type { Proactor } from './proactor.js';

/** Interest / readiness bits. */
export const Readiness = {
  /** Data, a pending connection, or end-of-stream can be received. */
  READABLE: 1,
  /** Data can be sent, or a connect finished. */
  WRITABLE: 2,
  /** An error is pending (for example a failed connect); see the error code. */
  ERROR: 4,
} as const;

/**
 * Receives readiness for one socket; called by the reactor only from inside
 * {@link BackendBase.poll}.
 */
export interface ReadinessListener {
  /**
   * @param events Bits of {@link Readiness}.
   * @param errorCode Positive native error code when the model reports one
   *   with the event (WSAEventSelect's `iErrorCode`, WSAAsyncSelect's
   *   `WSAGETSELECTERROR`), else 0; the adapter then asks the socket.
   */
  onReadiness(events: number, errorCode: number): void;
}

/**
 * A readiness backend.
 *
 * Reactors may be level-triggered (select reports a condition while it
 * holds) or re-enabling (the Windows message/event models report a condition
 * once, and again only after the matching call failed with `WSAEWOULDBLOCK`).
 * Core's adapter is written for both: it always attempts an operation before
 * waiting, and waits only after the attempt would block, which is exactly the
 * re-enabling rule. A reactor may therefore ignore interest changes natively
 * (registering every event once), but must never report readiness for a
 * socket after {@link Reactor.unregister}.
 */
export interface Reactor extends BackendBase {
  /** Discriminates reactors from proactors. */
  readonly kind: 'reactor';
  /**
   * Most receive calls (`recv` / `recvfrom`) core's adapter makes for one
   * readiness report of a socket; when absent, the adapter's default (16).
   * WSAAsyncSelect sets 1: each recv that leaves data behind makes Winsock
   * post another FD_READ message, so one recv per message is the model's rule.
   */
  readonly readsPerEvent?: number;
  /** Starts watching `socket` for the {@link Readiness} bits in `interest`. */
  register(socket: SocketHandle, interest: number, listener: ReadinessListener): void;
  /** Changes the interest set of a registered socket. */
  modify(socket: SocketHandle, interest: number): void;
  /** Stops watching `socket`; called before core closes it. */
  unregister(socket: SocketHandle): void;
  /**
   * Called when an `accept()` on listening `socket` would block, the call
   * that re-enables FD_ACCEPT. A re-enabling reactor whose platform may not
   * post FD_ACCEPT again after it (Wine) renews the socket's registration
   * here, which posts it anew if connections are queued. Optional.
   */
  acceptWouldBlock?(socket: SocketHandle): void;
  /**
   * The proactor that serves this reactor's Windows named pipes, which have
   * no readiness to wait for: present when the reactor serves them. It must
   * have `namedPipes`, and the reactor's `poll` reports its completions as
   * well as readiness (its `wake`, `close` and `stats` cover it too). Read
   * only when a pipe is used, so a reactor may make it then.
   */
  readonly namedPipeProactor?: Proactor;
}
