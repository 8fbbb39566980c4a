/**
 * What the io adapters need of the loop that runs them, and nothing more:
 * they are written against this, not against the loop, so they can be read
 * and tested on their own. The loop provides it when it creates its io.
 * @module
 */

/** The loop's side of the io adapters' contract. */
export interface IoScheduler {
  /**
   * Runs `fn` in the loop's next pending phase. A completion that is ready
   * at once is delivered this way, never re-entrantly from the call that
   * started the operation.
   */
  defer(fn: () => void): void;
  /**
   * An application callback threw. The loop finishes the phase and then
   * reports the first such error from `run()`; the adapter keeps its own
   * bookkeeping consistent and carries on.
   */
  callbackFailed(error: unknown): void;
  /**
   * A change made from outside the loop (a Node timer that resumes paused
   * accepting) needs the loop to look again: wakes a poll that is blocked.
   */
  wakeIfPolling(): void;
}
