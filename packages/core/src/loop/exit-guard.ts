/**
 * Lets the process exit while a loop is blocked in an off-thread wait. At
 * exit, Node joins its thread pool; a pool thread parked in select or
 * GetQueuedCompletionStatusEx would make `process.exit()` hang forever. One
 * `exit` listener wakes every backend that is waiting.
 * @module
 */
import type { BackendBase } from '../backend/backend.js';

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
