/**
 * Waiting on any number of event objects, beating WSA_MAXIMUM_WAIT_EVENTS
 * (64): events are kept in groups of 63, each group waited on by a thread of
 * its own (a worker_threads Worker) together with the group's control event,
 * which interrupts the wait when the group's membership changes or the loop
 * is woken. Used by the WSAEventSelect reactor and the event-notified
 * overlapped proactor.
 *
 * Fairness: WSAWaitForMultipleEvents reports only the lowest signalled index,
 * so a group that fired is scanned completely (each further call looks past
 * the last index found), and every signalled event of it is reported.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { type EventWakeToken, onProcessExit } from '@wsaloop/core/backend';
import { windows, WinsockConstants } from '@wsaloop/core/winsock';
import { COMMAND, CONTROL_WORDS, COUNT, EXIT, GROUP_HANDLES, IDLE, LEFT, WAIT } from './protocol.js';

const { WSA_WAIT_EVENT_0 } = WinsockConstants;

/** Events per group: the 64-handle limit minus the control event. */
export const EVENTS_PER_GROUP = GROUP_HANDLES - 1;
const TWO_32 = 0x100000000;
/** How long the process's exit waits for wait threads to leave their loops (they leave within one wake). */
const EXIT_WAIT_MS = 2000;

class Group<T> {
  readonly control: number;
  readonly events: number[] = [];
  readonly items: T[] = [];
  readonly controlWords = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  readonly published = new Float64Array(new SharedArrayBuffer(GROUP_HANDLES * 8));
  readonly scanHandles = Buffer.alloc(EVENTS_PER_GROUP * 8);
  worker: Worker | null = null;
  /** The thread was asked to wait and has not been seen to return. */
  armed = false;
  /** Membership changed since the thread's wait started. */
  dirty = false;
  /** The scan buffer no longer matches `events`. */
  stale = true;

  constructor(control: number) {
    this.control = control;
  }

  get returned(): boolean {
    return this.armed && Atomics.load(this.controlWords, COMMAND) === IDLE;
  }
}

/** Waits on event handles, each mapped to an item of type `T`. */
export class EventGroupWaiter<T> {
  readonly #win = windows();
  readonly #groups: Group<T>[] = [];
  readonly #where = new Map<number, Group<T>>();
  readonly #threadUrl: URL;
  #resolve: ((items: T[]) => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #wakePending = false;
  #closed = false;
  /** How another thread wakes a wait: set the first group's control event. */
  readonly wakeToken: EventWakeToken;

  constructor() {
    this.#threadUrl = new URL('./event-wait-thread.js', import.meta.url);
    const first = this.#newGroup();
    this.wakeToken = { kind: 'event', handle: first.control };
    if (live.size === 0 && !exitHookInstalled) {
      exitHookInstalled = true;
      onProcessExit(() => {
        for (const waiter of live) waiter._stopThreadsAtExit();
        // Node then terminates the Workers: one still inside
        // WSAWaitForMultipleEvents would return into a dying isolate, which
        // aborts the process (N-API cannot throw then). So wait, briefly,
        // until each thread has left its loop.
        const deadline = Date.now() + EXIT_WAIT_MS;
        for (const waiter of live) waiter._awaitThreadsGone(deadline);
      });
    }
    live.add(this);
  }

  /** Number of events watched. */
  get size(): number {
    return this.#where.size;
  }

  /** Number of groups (and wait threads). */
  get groups(): number {
    return this.#groups.length;
  }

  /**
   * Starts watching `event` for `item`. A group whose thread is not waiting
   * is preferred, so adding does not interrupt a wait in progress.
   */
  add(event: number, item: T): void {
    let group = this.#groups.find((g) => !g.armed && g.events.length < EVENTS_PER_GROUP);
    group ??= this.#groups.find((g) => g.events.length < EVENTS_PER_GROUP);
    group ??= this.#newGroup();
    group.events.push(event);
    group.items.push(item);
    group.stale = true;
    group.dirty = group.armed;
    this.#where.set(event, group);
  }

  /**
   * Stops watching `event` without closing it: it stays the caller's, to
   * reset and reuse at once (an event pool) or to close later. For
   * manual-reset events (WSACreateEvent's): a wait thread still waiting on it
   * from before the removal at most returns early when it is signalled, and
   * the scan that follows reports only the current members. The caller must
   * not close it before {@link close}, since a thread may still wait on it.
   */
  remove(event: number): void {
    const group = this.#where.get(event);
    if (!group) return;
    this.#where.delete(event);
    const i = group.events.indexOf(event);
    const last = group.events.length - 1;
    group.events[i] = group.events[last]!;
    group.items[i] = group.items[last]!;
    group.events.pop();
    group.items.pop();
    group.stale = true;
    if (group.armed) group.dirty = true;
  }

  /**
   * Reports the items whose events are signalled now, without blocking and
   * without a thread hop: every group is scanned once (a group whose thread
   * returned is taken back first). Report each item before the next scan:
   * an event still signalled and still watched is reported again.
   */
  check(): T[] {
    if (this.#closed) return [];
    const found: T[] = [];
    for (const group of this.#groups) {
      if (group.returned) group.armed = false;
      this.#scan(group, found);
    }
    return found;
  }

  /**
   * Reports the items whose events are signalled. Synchronous when it can
   * answer without blocking (`timeoutMs` 0, or `look` asks to check first),
   * else a Promise settled by a wait thread, the timeout, or {@link wake}.
   */
  wait(timeoutMs: number, look: boolean): T[] | Promise<T[]> {
    if (this.#closed) return [];
    this.#interruptChanged();
    let found = this.#collectReturned();
    if (this.#wakePending) {
      this.#wakePending = false;
      return found;
    }
    if (found.length > 0) return found;
    // A zero timeout is a look too: a loop that never waits must still see readiness.
    if (look || timeoutMs === 0) {
      found = this.#scanAll();
      if (found.length > 0 || timeoutMs === 0) return found;
    }
    for (const group of this.#groups) this.#arm(group);
    return new Promise<T[]>((resolve) => {
      this.#resolve = resolve;
      if (timeoutMs > 0) this.#timer = setTimeout(() => this.#settle(), timeoutMs);
      for (const group of this.#groups) group.worker?.ref();
    });
  }

  /** Makes a wait in progress, or the next one, return. */
  wake(): void {
    if (this.#resolve) this.#settle();
    else this.#wakePending = true;
  }

  /** Stops every wait thread and closes every event. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    live.delete(this);
    this.#stopThreads();
    for (const group of this.#groups) {
      for (const event of group.events) this.#win.ws2.WSACloseEvent(event);
      this.#win.kernel32.CloseHandle(group.control);
    }
    this.#groups.length = 0;
    this.#where.clear();
  }

  /** @internal Asks every thread to leave, interrupting its wait. */
  _stopThreadsAtExit(): void {
    this.#stopThreads();
  }

  /** @internal Waits (until `deadline`, a Date.now() time) for every started thread to have left its loop. */
  _awaitThreadsGone(deadline: number): void {
    for (const group of this.#groups) {
      if (!group.worker) continue;
      for (let left = deadline - Date.now(); left > 0 && Atomics.load(group.controlWords, LEFT) === 0; left = deadline - Date.now()) {
        Atomics.wait(group.controlWords, LEFT, 0, left);
      }
    }
  }

  #stopThreads(): void {
    for (const group of this.#groups) {
      Atomics.store(group.controlWords, COMMAND, EXIT);
      Atomics.notify(group.controlWords, COMMAND);
      this.#win.kernel32.SetEvent(group.control);
      group.worker?.unref();
    }
  }

  #newGroup(): Group<T> {
    // Auto-reset: one SetEvent interrupts one wait and is then consumed.
    const control = this.#win.kernel32.CreateEventW(0, 0, 0, 0);
    if (!control) throw new Error(`CreateEventW failed with error ${this.#win.kernel32.GetLastError()}`);
    const group = new Group<T>(control);
    this.#groups.push(group);
    return group;
  }

  /** Interrupts the waits of groups whose membership changed, so they re-arm with it. */
  #interruptChanged(): void {
    for (const group of this.#groups) {
      if (group.dirty && group.armed) {
        group.dirty = false;
        this.#win.kernel32.SetEvent(group.control);
      }
    }
  }

  #arm(group: Group<T>): void {
    if (group.armed) return;
    if (!group.worker) {
      group.worker = new Worker(this.#threadUrl, { workerData: { control: group.controlWords.buffer, handles: group.published.buffer } });
      group.worker.on('message', () => {
        // A message can trail a return that a scan already consumed.
        if (this.#resolve && group.returned) this.#settle();
      });
      group.worker.unref();
    }
    group.published[0] = group.control;
    for (let i = 0; i < group.events.length; i++) group.published[i + 1] = group.events[i]!;
    group.controlWords[COUNT] = group.events.length + 1;
    group.armed = true;
    group.dirty = false;
    Atomics.store(group.controlWords, COMMAND, WAIT);
    Atomics.notify(group.controlWords, COMMAND);
  }

  #settle(): void {
    const resolve = this.#resolve;
    if (!resolve) return;
    this.#resolve = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const group of this.#groups) group.worker?.unref();
    resolve(this.#collectReturned());
  }

  /** Scans every group whose thread returned since it was armed. */
  #collectReturned(): T[] {
    const found: T[] = [];
    for (const group of this.#groups) {
      if (!group.returned) continue;
      group.armed = false;
      this.#scan(group, found);
    }
    return found;
  }

  #scanAll(): T[] {
    const found: T[] = [];
    for (const group of this.#groups) this.#scan(group, found);
    return found;
  }

  /** Appends the items of every signalled event of `group`, lowest index first. */
  #scan(group: Group<T>, found: T[]): void {
    const n = group.events.length;
    if (n === 0) return;
    if (group.stale) {
      for (let i = 0; i < n; i++) {
        const h = group.events[i]!;
        group.scanHandles.writeUInt32LE(h % TWO_32, i * 8);
        group.scanHandles.writeUInt32LE(Math.floor(h / TWO_32), i * 8 + 4);
      }
      group.stale = false;
    }
    for (let start = 0; start < n; ) {
      const rc = this.#win.ws2.WSAWaitForMultipleEvents(n - start, start === 0 ? group.scanHandles : group.scanHandles.subarray(start * 8), 0, 0, 0);
      const index = rc - WSA_WAIT_EVENT_0;
      if (index < 0 || index >= n - start) return;
      found.push(group.items[start + index]!);
      start += index + 1;
    }
  }
}

/** Waiters whose threads must be let go when the process exits. */
const live = new Set<{ _stopThreadsAtExit(): void; _awaitThreadsGone(deadline: number): void }>();
let exitHookInstalled = false;
