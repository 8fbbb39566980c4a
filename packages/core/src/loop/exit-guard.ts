/**
 * Lets the process exit while a loop is blocked in an off-thread wait. At
 * exit, Node joins its thread pool; a pool thread parked in select or
 * GetQueuedCompletionStatusEx would make `process.exit()` hang forever. One
 * `exit` listener wakes every backend that is waiting.
 *
 * That listener only sees the loops of its own thread. A Worker stopped by
 * the process exiting (or by `terminate()`) emits no `exit` and runs no more
 * JavaScript, yet Node tears it down only once its thread-pool requests and
 * its own sub-Workers have finished: a loop hosted in a Worker and blocked
 * without limit would hold the whole process (main thread joining the
 * Worker, a pool thread in poll). So off the main thread no single wait
 * lasts longer than {@link WORKER_WAIT_SLICE_MS}; the loop waits again while
 * nothing arrived.
 * @module
 */
import { isMainThread } from 'node:worker_threads';
import type { BackendBase } from '../backend/backend.js';

/** Longest single backend wait of a loop hosted in a Worker, in ms: the most a process exit waits for it. */
export const WORKER_WAIT_SLICE_MS = 250;

/**
 * The timeout to give the backend for a wait of `timeoutMs` (`-1`: no
 * limit): the same on the main thread, at most {@link WORKER_WAIT_SLICE_MS}
 * in a Worker.
 */
export function waitSlice(timeoutMs: number): number {
  if (isMainThread || timeoutMs === 0) return timeoutMs;
  return timeoutMs < 0 ? WORKER_WAIT_SLICE_MS : Math.min(timeoutMs, WORKER_WAIT_SLICE_MS);
}

const waiting = new Set<BackendBase>();
let installed = false;

function wakeAll(): void {
  for (const backend of waiting) backend.wake();
}

/** Records that `backend` is blocked in an off-thread wait. */
export function waitStarted(backend: BackendBase): void {
  waiting.add(backend);
  if (!installed) {
    installed = true;
    process.on('exit', wakeAll);
  }
}

/** Records that `backend`'s wait ended. */
export function waitEnded(backend: BackendBase): void {
  waiting.delete(backend);
}
