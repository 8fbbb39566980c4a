/**
 * Who runs the loop: a Node user expects `server.listen()` or `connect()` to
 * just work, so the stream layer starts `loop.run()` itself when a server or
 * socket becomes active and nobody runs the loop.
 *
 * The start is deferred to a macrotask (`setImmediate`), so an app that calls
 * `await loop.run()` itself in the same turn (the usual
 * `server.listen(...); await loop.run()`) runs the loop with its own call and
 * the net layer stays out of the way. When a run the net layer started
 * rejects (an application callback threw inside the loop), the error is
 * emitted as `'error'` on the loop's listening servers, or, with none,
 * thrown as an uncaught exception as Node would; then the loop is run again
 * if it still has work.
 * @module
 */
import type { Loop } from '@wsaloop/core';

/** Something that receives a failure of a run the net layer started. */
export interface RunFailureTarget {
  /** Receives the error (a net `Server` emits it as `'error'`). */
  runFailed(error: unknown): void;
}

interface Driver {
  scheduled: boolean;
  readonly targets: Set<RunFailureTarget>;
}

const drivers = new WeakMap<Loop, Driver>();

function driverOf(loop: Loop): Driver {
  let driver = drivers.get(loop);
  if (!driver) {
    driver = { scheduled: false, targets: new Set() };
    drivers.set(loop, driver);
  }
  return driver;
}

/** Makes sure `loop` runs soon: starts `loop.run()` unless someone already runs it. */
export function keepLoopRunning(loop: Loop): void {
  const driver = driverOf(loop);
  if (loop.running || driver.scheduled) return;
  driver.scheduled = true;
  setImmediate(() => {
    driver.scheduled = false;
    if (loop.running || !loop.alive) return;
    loop.run().then(
      () => {},
      (error: unknown) => {
        surface(driver, error);
        if (loop.alive) keepLoopRunning(loop);
      },
    );
  });
}

function surface(driver: Driver, error: unknown): void {
  if (driver.targets.size === 0) {
    process.nextTick(() => {
      throw error;
    });
    return;
  }
  for (const target of [...driver.targets]) target.runFailed(error);
}

/** Registers `target` to receive failures of runs the net layer starts on `loop`. */
export function watchRunFailures(loop: Loop, target: RunFailureTarget): void {
  driverOf(loop).targets.add(target);
}

/** Stops sending run failures to `target`. */
export function unwatchRunFailures(loop: Loop, target: RunFailureTarget): void {
  driverOf(loop).targets.delete(target);
}
