/**
 * Which accept failures an application may see. libuv's rule: an error that
 * belongs to one incoming connection (reset or aborted before or while it was
 * accepted) never reaches the listener's callback; the io layer closes that
 * socket, keeps accepting and counts it. Only errors of the listening socket
 * itself are reported. Running out of descriptors or buffers is neither: the
 * listener is healthy but cannot take the connection now, so accepting backs
 * off and turns the waiting clients away (see {@link AcceptGuard}).
 * @module
 */
import { socketApi } from '../sys/platform.js';

/** What an accept failure means for the listener. */
export type AcceptFailure = 'connection' | 'resources' | 'listener';

/**
 * Errors that only the listening socket can cause: it is closed, not a
 * socket, not listening, or an argument is bad. Everything else that is not
 * a resource shortage is blamed on the connection: Linux's accept() passes
 * a new connection's pending network errors (ENETDOWN, EPROTO, EHOSTUNREACH,
 * EOPNOTSUPP, ...) up "to be treated like EAGAIN" (accept(2)), and Winsock
 * reports a reset half-open connection as WSAECONNRESET, WSAECONNABORTED or,
 * from an AcceptEx completion under Wine, WSAENOTCONN.
 */
const LISTENER_ERRORS = new Set(['EBADF', 'ENOTSOCK', 'EINVAL', 'EFAULT']);

/** Out of descriptors (process or system), socket buffers or memory. */
const RESOURCE_ERRORS = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM']);

/** Classifies a failed accept's native error code (positive). */
export function classifyAcceptFailure(status: number): AcceptFailure {
  const code = socketApi().errorCode(status);
  if (RESOURCE_ERRORS.has(code)) return 'resources';
  return LISTENER_ERRORS.has(code) ? 'listener' : 'connection';
}
