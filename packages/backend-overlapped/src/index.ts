/**
 * `@wsaloop/backend-overlapped`: a Proactor over overlapped I/O (WSARecv,
 * WSASend, WSARecvFrom, WSASendTo, AcceptEx, ConnectEx on sockets created with
 * WSA_FLAG_OVERLAPPED), with both notification styles of Winsock's overlapped
 * model, chosen by the `notify` option without changing application code:
 *
 * - `'event'` (default): up to 64 operations in flight share an event object
 *   in their WSAOVERLAPPED; events are waited on with
 *   WSAWaitForMultipleEvents in groups of 63 (plus a control event), one
 *   wait thread per group, so any number of operations can be in flight.
 * - `'routine'`: operations are started with a completion routine on a thread
 *   of the backend's own, which waits alertably and runs them; completions
 *   reach the loop in order, and Node's thread never blocks.
 *
 * ```ts
 * const loop = createLoop({ backend: 'overlapped', notify: 'routine' });
 * ```
 *
 * Both share core's overlapped machinery with the IOCP backend: native
 * OVERLAPPEDs, pooled receive buffers, sockaddr out-parameters kept alive
 * until reported, and closing with operations in flight (cancel, wait for
 * every completion, report ECANCELED).
 * @module @wsaloop/backend-overlapped
 */
import { BackendUnsupportedError, type BackendOptions, checkBackendOptions, type Proactor } from '@wsaloop/core/backend';
import { EventOverlappedProactor } from '@wsaloop/winsock-kit';
import { notifyMode, OVERLAPPED_BACKEND_OPTION_NAMES, type OverlappedBackendOptions } from './options.js';
import { RoutineProactor } from './routine/routine-proactor.js';

export { EventOverlappedProactor } from '@wsaloop/winsock-kit';
export { RoutineProactor, type RoutineDiagnostics } from './routine/routine-proactor.js';
export { notifyMode, type NotifyMode, type OverlappedBackendOptions } from './options.js';

/** Names of the options the overlapped backend accepts (see {@link OverlappedBackendOptions}). */
export const knownOptions: readonly string[] = OVERLAPPED_BACKEND_OPTION_NAMES;

/**
 * Creates an overlapped-I/O proactor for one loop, notified by event objects
 * or by completion routines (`options.notify`).
 * @throws BackendUnsupportedError when not running on Windows;
 *   UnknownBackendOptionError (a TypeError) for an option not in
 *   {@link knownOptions}; TypeError / RangeError for a bad value.
 */
export function createBackend(options: BackendOptions = {}): Proactor {
  if (process.platform !== 'win32') {
    throw new BackendUnsupportedError('the overlapped backend needs Windows (overlapped Winsock I/O); use the select backend on this platform');
  }
  checkBackendOptions('overlapped', options, knownOptions);
  const opts = options as OverlappedBackendOptions;
  return notifyMode(opts) === 'routine' ? new RoutineProactor(opts) : new EventOverlappedProactor(opts);
}
