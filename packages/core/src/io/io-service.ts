/**
 * Chooses the operations layer for a loop's backend: the reactive adapter for
 * a Reactor, the proactive one for a Proactor.
 * @module
 */
import type { Backend } from '../backend/backend.js';
import type { SocketApi } from '../sys/socket-api.js';
import type { IoService } from './channel.js';
import { ProactiveIo } from './proactive-io.js';
import { ReactiveIo } from './reactive-io.js';
import type { IoScheduler } from './scheduler.js';

/**
 * Creates the operations layer matching `backend`'s kind, run by
 * `scheduler` and making its socket calls through `api`.
 */
export function createIoService(scheduler: IoScheduler, backend: Backend, api: SocketApi): IoService {
  return backend.kind === 'reactor' ? new ReactiveIo(scheduler, backend, api) : new ProactiveIo(scheduler, backend, api);
}
