/**
 * A backend's blocking wait, done by Node's own event loop: the backend's
 * descriptor (an epoll instance, an io_uring ring) joins Node's loop through
 * libuv's `uv_poll` (koffi's `node.poll`), so the loop's thread sleeps in
 * Node's own `epoll_wait` and no pool thread or thread hop is involved.
 * Both are pollable: an epoll instance is readable while it has events, a
 * ring while its completion queue has entries.
 *
 * A backend may also hand Node's loop one socket to watch on its own
 * ({@link NodeLoopWatch}), sparing the look into its own descriptor that a
 * wake through it costs.
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

/**
 * This thread's watches that hold a libuv handle, started or stopped,
 * closed at exit. Node's teardown must not call into a started one; and in
 * a Worker, a handle left open is closed by koffi's finalizer while the
 * thread's libuv loop is torn down, which crashed the process (a Worker
 * that stopped its loop and then called `process.exit()`: a segmentation
 * fault every time).
 */
const open = new Set<{ close(): void }>();
let exitHooked = false;

/** Records a watch that holds a handle, hooking the process's exit the first time. */
function watchOpened(watch: { close(): void }): void {
  open.add(watch);
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const each of open) each.close();
  });
}

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
      else {
        this.#handle = koffi.node.poll(this.#fd, { readable: true }, this.#onPoll);
        watchOpened(this);
      }
      this.#started = true;
    }
    if (timeoutMs >= 0) this.#timer = setTimeout(this.#onTimeout, timeoutMs);
  }

  /** Whether a wait is armed and not yet answered. */
  get armed(): boolean {
    return this.#onReady !== null;
  }

  /**
   * Answers the armed wait by another route (a {@link NodeLoopWatch}'s
   * report): drops its callback and timer, calls `answer` in their place,
   * then drains Node's queues as a report of this descriptor would. The
   * watch stays started when the loop arms its next wait meanwhile, as it
   * usually does. `answer` must not throw.
   */
  answer(answer: () => void): void {
    this.#clearArmed();
    try {
      answer();
      drainTicks();
    } catch (error) {
      // Thrown by a nextTick callback: libuv's callback has no caller to take it.
      throwUncaught(error);
    }
    // The loop usually arms its next wait during the drain.
    this.#stopUnlessArmed();
  }

  /** Drops the armed wait, if any, without calling it. */
  #disarm(): void {
    this.#clearArmed();
    this.#stopUnlessArmed();
  }

  /** Leaves Node's loop for good. The descriptor stays open: it is the caller's. */
  close(): void {
    this.#disarm();
    this.#handle?.close();
    this.#handle = null;
    open.delete(this);
  }

  #report(): void {
    const onReady = this.#onReady;
    if (!onReady) return this.#stopUnlessArmed();
    this.answer(onReady);
  }

  /** Forgets the armed wait's callback and timer. */
  #clearArmed(): void {
    this.#onReady = null;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
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
  }
}

/**
 * Receives a {@link NodeLoopWatch}'s reports: what the socket is ready for
 * (errors and hang-ups come as readable and writable, the calls then tell),
 * and `failed` when libuv could not watch it.
 */
export type NodeLoopWatchListener = (readable: boolean, writable: boolean, failed: boolean) => void;

/**
 * One socket watched by Node's event loop on its own (libuv's `uv_poll`,
 * level-triggered: reported on every turn of Node's loop while it is
 * ready). Where one socket carries all the traffic, this spares the wake
 * through a backend's own descriptor its extra look. The watch is
 * unreferenced: it never holds Node's loop alive (a {@link NodeLoopWait}
 * does that while the backend waits), so a watch reported while its loop is
 * not waiting must be stopped, or closed, by its listener.
 */
export class NodeLoopWatch {
  #handle: PollHandle | null;
  readonly #onPoll: (events: koffi.IKoffiPollEvents) => void;

  /** Starts watching `fd` for the readiness asked for. */
  constructor(fd: number, readable: boolean, writable: boolean, listener: NodeLoopWatchListener) {
    const onPoll = (status: number, events: koffi.IKoffiPollEvents): void => listener(events.readable || events.disconnect, events.writable, status < 0);
    // koffi 2.16 calls it with libuv's status first, whatever its typings say.
    this.#onPoll = onPoll as unknown as (events: koffi.IKoffiPollEvents) => void;
    this.#handle = koffi.node.poll(fd, watchOptions(readable, writable), this.#onPoll);
    this.#handle.unref();
    watchOpened(this);
  }

  /** Changes the readiness watched for. */
  watch(readable: boolean, writable: boolean): void {
    this.#handle?.start(watchOptions(readable, writable), this.#onPoll);
  }

  /** Stops watching for good; no report follows. The socket stays open: it is the caller's. */
  close(): void {
    if (!this.#handle) return;
    this.#handle.close();
    this.#handle = null;
    open.delete(this);
  }
}

/** libuv's events for the readiness asked for (a peer's hang-up counts as readable). */
function watchOptions(readable: boolean, writable: boolean): koffi.IKoffiPollOptions {
  return { readable, writable, disconnect: readable };
}
