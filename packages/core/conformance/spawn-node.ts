/**
 * Starting a child `node` for a test. Under load, Wine's CreateProcess now
 * and then fails with nothing started (`spawn UNKNOWN`, thrown by spawn
 * itself: seen in the exit cases and in the examples' reset storms). Nothing
 * has run yet, so the start is tried again after a moment. What a child does
 * once started is never retried.
 * @module
 */
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';

/** Tries after the first, each after RETRY_PAUSE_MS (one retry sufficed in every failure seen). */
const RETRIES = 2;
const RETRY_PAUSE_MS = 500;

/** Spawns `process.execPath` with `args`; resolves with the started child. */
export async function spawnNode(args: readonly string[], options: SpawnOptions): Promise<ChildProcess> {
  for (let retry = 0; ; retry++) {
    try {
      return spawn(process.execPath, args, options);
    } catch (error) {
      if ((error as { code?: string }).code !== 'UNKNOWN' || retry === RETRIES) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
  }
}
