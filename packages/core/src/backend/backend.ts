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
import type { Proactor } from './proactor.js';
import type { Reactor } from './reactor.js';
import type { SocketApi } from '../sys/socket-api.js';
import type { WakeToken } from './wake-token.js';

/** Members shared by reactors and proactors. */
export interface BackendBase {
  /** Short name, e.g. `select` or `iocp`. */
  readonly name: string;
  /**
   * Waits up to `timeoutMs` for I/O (`-1`: no limit, `0`: do not block) and
   * dispatches what arrived to listeners / completions. Returns the number of
   * events dispatched: synchronously when it did not have to block, otherwise
   * as a Promise settled on the loop's thread after the off-thread wait.
   * A call with `timeoutMs = 0` must return synchronously.
   */
  poll(timeoutMs: number): number | Promise<number>;
  /**
   * Makes a wait in progress return promptly. The loop calls it only while
   * a poll is unresolved, which includes the backend dispatching what its
   * wait returned: a backend not waiting at that moment may ignore it (or
   * make its next poll return at once), since the loop looks at timers,
   * stop requests and pending work again before its next poll.
   */
  wake(): void;
  /** Plain data that lets another thread or Worker wake this backend. */
  readonly wakeToken: WakeToken;
  /** Releases native resources. Called once, after every socket was closed. */
  close(): void;
  /** Counts of live native resources (operations, buffers, events), for leak checks. */
  stats(): Record<string, number>;
  /**
   * True when the backend's blocking wait runs on a thread of libuv's pool
   * (koffi `.async`): a waiting loop then holds one of that pool's threads
   * (4 unless `UV_THREADPOOL_SIZE` says more), which fs, dns and crypto
   * share. Backends that wait on threads of their own leave it out.
   */
  readonly waitsOnThreadPool?: boolean;
  /**
   * The socket calls for this backend's sockets. Every real backend leaves
   * it out, and core uses the platform's (Winsock or libc). A backend over
   * another network (the in-memory one of core's tests) supplies its own;
   * its error codes must be the platform's native numbers, so errors read
   * the same.
   */
  readonly sockets?: SocketApi;
}

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
