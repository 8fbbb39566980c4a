/**
 * What every backend provides, whichever Winsock model it drives. A backend is
 * either a {@link Reactor} (it reports readiness, core performs the I/O) or a
 * {@link Proactor} (it performs the I/O and reports completions). Core runs
 * TCP and UDP over both; see `io/` for the two adapters.
 *
 * Threading contract: every method is called on the loop's thread (Node's main
 * thread or the Worker that created the loop). A backend that blocks does so
 * off that thread (koffi `.async` or a thread of its own) and returns a
 * Promise from {@link BackendBase.poll}; listeners and completions are only
 * ever invoked from inside `poll`, on the loop's thread.
 * @module
 */
import type { BackendBase } from './backend-base.js';
import type { Proactor } from './proactor.js';
import type { Reactor } from './reactor.js';

export type { BackendBase } from './backend-base.js';

/** Any backend. */
export type Backend = Reactor | Proactor;

/** Options a backend package's factory receives (everything in `createLoop`'s options except `backend`). */
export type BackendOptions = Record<string, unknown>;

/**
 * What a backend package exports: `createBackend`, called once per loop.
 * `@wsaloop/backend-<name>` packages export it as a named export.
 */
export interface BackendModule {
  /**
   * Creates the backend.
   * @throws UnknownBackendOptionError for an option not in `knownOptions`
   *   (see `checkBackendOptions`).
   */
  createBackend(options: BackendOptions): Backend;
  /** Names of the options `createBackend` accepts (empty: none). */
  readonly knownOptions: readonly string[];
}

/**
 * Thrown by a backend factory when the platform lacks what the backend needs
 * (for instance a Winsock-only model on Linux).
 */
export class BackendUnsupportedError extends Error {
  /** Always `ERR_WSALOOP_BACKEND_UNSUPPORTED`. */
  readonly code = 'ERR_WSALOOP_BACKEND_UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'BackendUnsupportedError';
  }
}
