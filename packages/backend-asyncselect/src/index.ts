/**
 * `@wsaloop/backend-asyncselect`: a Reactor over WSAAsyncSelect. Winsock
 * posts each socket's network events as messages to a message-only window
 * (never visible, no desktop needed) that a pump thread of the backend's own
 * creates and pumps; the pump forwards the messages in batches to the loop's
 * thread through shared memory. The window, its class and the thread are torn
 * down when the loop closes.
 *
 * ```ts
 * const loop = createLoop({ backend: 'asyncselect' });
 * ```
 * @module @wsaloop/backend-asyncselect
 */
import { BackendUnsupportedError, type BackendOptions, checkBackendOptions, type Reactor } from '@wsaloop/core/backend';
import { AsyncSelectReactor } from './async-select-reactor.js';

export { AsyncSelectReactor, type PumpInfo } from './async-select-reactor.js';

/** The asyncselect backend takes no options. */
export const knownOptions: readonly string[] = [];

/**
 * Creates a WSAAsyncSelect reactor for one loop.
 * @throws BackendUnsupportedError when not running on Windows; UnknownBackendOptionError
 *   (a TypeError) for any option.
 */
export function createBackend(options: BackendOptions = {}): Reactor {
  if (process.platform !== 'win32') {
    throw new BackendUnsupportedError('the asyncselect backend needs Windows (Winsock WSAAsyncSelect and a message-only window); use the select backend on this platform');
  }
  checkBackendOptions('asyncselect', options, knownOptions);
  return new AsyncSelectReactor();
}
