/**
 * Who runs the loop: a Node user expects `server.listen()` or `connect()` to
 * just work, so every loop a server or socket uses runs itself (core's
 * `loop.autoRun()`: it starts `run()` whenever it is alive and nobody runs
 * it). What the net layer adds is where a failed run goes: an application
 * callback that threw inside the loop is emitted as `'error'` on the loop's
 * listening servers or, with none, thrown as an uncaught exception as Node
 * would.
 * @module
 */
import type { Loop } from '@wsaloop/core';

/** Something that receives a failure of a run the loop started itself. */
export interface RunFailureTarget {
  /** Receives the error (a net `Server` emits it as `'error'`). */
  runFailed(error: unknown): void;
}

const targets = new WeakMap<Loop, Set<RunFailureTarget>>();

function targetsOf(loop: Loop): Set<RunFailureTarget> {
  let set = targets.get(loop);
  if (!set) {
    set = new Set();
    targets.set(loop, set);
  }
  return set;
}

/** Lets `loop` run itself, its failures going to the servers watching it. Once per loop; an app's own `autoRun` handler is kept. */
export function driveLoop(loop: Loop): void {
  if (loop.autoRunning) return;
  const watching = targetsOf(loop);
  loop.autoRun((error) => {
    if (watching.size === 0) {
      process.nextTick(() => {
        throw error;
      });
      return;
    }
    for (const target of [...watching]) target.runFailed(error);
  });
}

/** Registers `target` to receive failures of runs `loop` starts itself. */
export function watchRunFailures(loop: Loop, target: RunFailureTarget): void {
  targetsOf(loop).add(target);
}

/** Stops sending run failures to `target`. */
export function unwatchRunFailures(loop: Loop, target: RunFailureTarget): void {
  targetsOf(loop).delete(target);
}
