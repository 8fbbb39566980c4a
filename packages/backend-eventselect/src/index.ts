/**
 * `@wsaloop/backend-eventselect`: a Reactor over WSAEventSelect. The first 63
 * sockets get an event object of their own, later ones share them (up to 64
 * sockets to an event); the events are waited on in groups of 63 by parallel
 * wait threads (so any number of sockets, not 64, and 4032 to a thread),
 * every socket of a group or event that fired is checked (no starvation of
 * high indexes), and `WSAEnumNetworkEvents` reads the events with their
 * error codes.
 *
 * ```ts
 * const loop = createLoop({ backend: 'eventselect' });
 * ```
 * @module @wsaloop/backend-eventselect
 */
import { BackendUnsupportedError, type BackendOptions, checkBackendOptions, type Reactor } from '@wsaloop/core/backend';
import { EventSelectReactor } from './event-select-reactor.js';

export { EventSelectReactor } from './event-select-reactor.js';

/** The eventselect backend takes no options. */
export const knownOptions: readonly string[] = [];

/**
 * Creates a WSAEventSelect reactor for one loop.
 * @throws BackendUnsupportedError when not running on Windows; UnknownBackendOptionError
 *   (a TypeError) for any option.
 */
export function createBackend(options: BackendOptions = {}): Reactor {
  if (process.platform !== 'win32') {
    throw new BackendUnsupportedError('the eventselect backend needs Windows (Winsock WSAEventSelect); use the select backend on this platform');
  }
  checkBackendOptions('eventselect', options, knownOptions);
  return new EventSelectReactor();
}
