/**
 * The members every backend has, whichever kind it is. Its own file so the
 * two kinds' contracts (`Reactor`, `Proactor`) build on it
 * without importing the union of both.
 * @module
 */
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
   * True when the backend's blocking wait is Node's own event loop watching
   * the backend's descriptor (`uv_poll`): no thread is parked in a wait, so
   * nothing has to be woken for the process to exit.
   */
  readonly waitsInNodeLoop?: boolean;
  /**
   * The socket calls for this backend's sockets. Every real backend leaves
   * it out, and core uses the platform's (Winsock or libc). A backend over
   * another network (the in-memory one of core's tests) supplies its own;
   * its error codes must be the platform's native numbers, so errors read
   * the same.
   */
  readonly sockets?: SocketApi;
}
