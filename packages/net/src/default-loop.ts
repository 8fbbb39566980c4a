/**
 * The loop used when an app gives none: one per process, created on first
 * use with `createLoop()` (so `WSALOOP_BACKEND`, else the platform's best
 * installed backend).
 * @module
 */
import { createLoop, type Loop } from '@wsaloop/core';

let shared: Loop | undefined;

/** The process-wide loop the net layer uses when no `loop` option is given. */
export function defaultLoop(): Loop {
  shared ??= createLoop();
  return shared;
}
