/**
 * `@wsaloop/backend-epoll`: a Reactor over Linux epoll, the readiness model
 * that scales with the sockets that are busy rather than those that are
 * open. The default backend on Linux.
 *
 * ```ts
 * const loop = createLoop({ backend: 'epoll', maxEvents: 1024 });
 * ```
 * @module @wsaloop/backend-epoll
 */
import { BackendUnsupportedError, type BackendOptions, checkBackendOptions, type Reactor } from '@wsaloop/core/backend';
import { EPOLL_OPTION_NAMES, EpollReactor, type EpollOptions } from './epoll-reactor.js';

export { EpollReactor, type EpollOptions, PROMOTE_AFTER_WAKES } from './epoll-reactor.js';

/** Names of the options the epoll backend accepts (see {@link EpollOptions}). */
export const knownOptions: readonly string[] = EPOLL_OPTION_NAMES;

/**
 * Creates an epoll reactor for one loop.
 * @throws BackendUnsupportedError when not running on Linux;
 *   UnknownBackendOptionError (a TypeError) for an option not in
 *   {@link knownOptions}; RangeError for an out-of-range value.
 */
export function createBackend(options: BackendOptions = {}): Reactor {
  if (process.platform !== 'linux') {
    throw new BackendUnsupportedError('the epoll backend needs Linux; on Windows use iocp, eventselect, overlapped, asyncselect or select');
  }
  checkBackendOptions('epoll', options, knownOptions);
  return new EpollReactor(options as EpollOptions);
}
