/**
 * A backend's blocking wait, done by Node's own event loop: the backend's
 * descriptor (an epoll instance, an io_uring ring) joins Node's loop through
 * libuv's `uv_poll` (koffi's `node.poll`), so the loop's thread sleeps in
 * Node's own `epoll_wait` and no pool thread or thread hop is involved.
 * Both are pollable: an epoll instance is readable while it has events, a
 * ring while its completion queue has entries.
 *
 * libuv calls a poll callback outside of any Node callback scope, so
 * nothing runs the `process.nextTick` queue and the promise jobs the
 * callback queued until some later Node callback ends. This wait drains them
 * itself when its callback returns, as Node does after each of its own
 * callbacks: that is where the loop's `run()` continues.
 * @module
 */
import koffi from 'koffi';

type PollHandle = koffi.node.PollHandle;

/** Node's own drain of the nextTick queue and promise jobs (what ends every MakeCallback). */
const drainTicks: () => void =
  typeof (process as { _tickCallback?: unknown })._tickCallback === 'function'
    ? (process as unknown as { _tickCallback: () => void })._tickCallback.bind(process)
    : // Without it, an immediate gets Node to drain them in this same turn of its loop.
      () => void setImmediate(() => {});

/** Reports an exception thrown where nobody can catch it, as Node reports one thrown by a callback. */
function throwUncaught(error: unknown): void {
  setImmediate(() => {
    throw error;
  });
}

/** This thread's watches that are started, stopped at exit: Node's teardown must not call into them. */
const started = new Set<NodeLoopWait>();
let exitHooked = false;

/**
 * One descriptor watched for readability by Node's event loop, one wait at a
 * time. The watch is started only while a wait is armed, so it holds Node's
 * loop alive as a pending I/O request would, and an idle descriptor that is
 * readable costs Node's loop nothing.
 */
export class NodeLoopWait {
  readonly #fd: number;
  #handle: PollHandle | null = null;
  /** Started in Node's loop (uv_poll_start). */
  #started = false;
  #onReady: (() => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onPoll = (): void => this.#report();
  readonly #onTimeout = (): void => {
    this.#timer = undefined;
    const onReady = this.#onReady;
    this.#onReady = null;
    onReady?.();
    // Node drains the queues after a timer's callback: look once that is done.
    setImmediate(() => this.#stopUnlessArmed());
  };

  constructor(fd: number) {
    this.#fd = fd;
  }

  /**
   * Calls `onReady` once, on this thread, when the descriptor is readable
   * or `timeoutMs` has passed (a negative timeout: no limit). `onReady`
   * must not throw.
   */
  arm(timeoutMs: number, onReady: () => void): void {
    if (this.#onReady) throw new Error('NodeLoopWait: a wait is already armed');
    this.#onReady = onReady;
    if (!this.#started) {
      if (this.#handle) this.#handle.start({ readable: true }, this.#onPoll);
      else this.#handle = koffi.node.poll(this.#fd, { readable: true }, this.#onPoll);
      this.#started = true;
      started.add(this);
      if (!exitHooked) {
        exitHooked = true;
        process.once('exit', () => {
          for (const wait of started) wait.close();
        });
      }
    }
    if (timeoutMs >= 0) this.#timer = setTimeout(this.#onTimeout, timeoutMs);
  }

  /** Drops the armed wait, if any, without calling it. */
  #disarm(): void {
    this.#onReady = null;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#stopUnlessArmed();
  }

  /** Leaves Node's loop for good. The descriptor stays open: it is the caller's. */
  close(): void {
    this.#disarm();
    this.#handle?.close();
    this.#handle = null;
  }

  #report(): void {
    const onReady = this.#onReady;
    if (!onReady) return this.#stopUnlessArmed();
    this.#onReady = null;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      onReady();
      drainTicks();
    } catch (error) {
      // Thrown by a nextTick callback: libuv's callback has no caller to take it.
      throwUncaught(error);
    }
    // The loop usually arms its next wait during the drain.
    this.#stopUnlessArmed();
  }

  /**
   * With no wait armed, stops watching: the watch must not hold Node's loop
   * alive, nor be reported again and again while the descriptor stays
   * readable. (A stop costs no system call; the next start, one epoll_ctl.)
   */
  #stopUnlessArmed(): void {
    if (this.#onReady || !this.#started) return;
    this.#handle?.stop();
    this.#started = false;
    started.delete(this);
  }
}
