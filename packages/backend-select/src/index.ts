/**
 * `@wsaloop/backend-select`: a Reactor over `select()`. On Windows it calls
 * Winsock's select with fd_sets sized to the sockets watched (no FD_SETSIZE
 * limit); on Linux it calls poll, so apps and tests run natively too.
 *
 * ```ts
 * const loop = createLoop({ backend: 'select' });
 * ```
 * @module @wsaloop/backend-select
 */
import { type BackendOptions, checkBackendOptions, type Reactor } from '@wsaloop/core/backend';
import { PollWaiter } from './posix-poll.js';
import { SelectReactor } from './select-reactor.js';
import { WinsockSelectWaiter } from './winsock-select.js';
import { PipeSidecar } from '@wsaloop/winsock-kit';

export { SelectReactor } from './select-reactor.js';
export type { ReadinessWaiter, WatchedSocket } from './waiter.js';

/** The select backend takes no options. */
export const knownOptions: readonly string[] = [];

/**
 * Creates a select reactor for one loop.
 * @throws UnknownBackendOptionError (a TypeError) for any option.
 */
export function createBackend(options: BackendOptions = {}): Reactor {
  checkBackendOptions('select', options, knownOptions);
  if (process.platform !== 'win32') return new SelectReactor(new PollWaiter());
  // select() takes sockets only: named pipes are served beside it.
  return new SelectReactor(new WinsockSelectWaiter(), new PipeSidecar());
}
