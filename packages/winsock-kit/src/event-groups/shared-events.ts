/**
 * Event objects shared by several waiters-for-something ("members": sockets
 * registered with WSAEventSelect, overlapped operations in flight), waited on
 * through an {@link EventGroupWaiter}. One wait thread watches 63 events, so
 * sharing divides the wait threads (each a worker_threads Worker, a whole V8
 * isolate) by the members per event: 10,000 idle sockets need 3 threads, not
 * 159.
 *
 * Placement: the first {@link SharedEventOptions.aloneFirst} members get an
 * event of their own (a small server behaves exactly as with one event per
 * member: a signal names its member); past that, a new member joins the
 * event with the fewest members, up to {@link SharedEventOptions.perEvent},
 * and only then is another event (and eventually another group) created.
 *
 * What the owner must do, since a shared event's signal does not say whose it
 * is: reset the event *before* looking at its members (a member that fires
 * after the reset sets it again for the next wait), look at every member, and
 * look again at an event a member was just put on ({@link touch}): placing a
 * member may reset the event (NtDeviceIoControlFile clears the event of an
 * operation it starts), swallowing another member's signal.
 * @module
 */
import { EventGroupWaiter, EVENTS_PER_GROUP } from './event-group-waiter.js';
import { windows } from '@wsaloop/core/winsock';

/** An event object and its members. */
export interface SharedEvent<T> {
  /** The event handle (manual-reset, from WSACreateEvent). */
  readonly event: number;
  /** Members waiting on it. */
  readonly members: T[];
  /** Places taken (members, and members about to be added). */
  taken: number;
}

/** Placement policy of a {@link SharedEvents}. */
export interface SharedEventOptions {
  /** Most members per event. */
  perEvent: number;
  /** Events created before members start sharing them (default: one wait group's worth, 63). */
  aloneFirst?: number;
}

/** Shared event objects, waited on by an {@link EventGroupWaiter}. */
export class SharedEvents<T> {
  readonly #ws2 = windows().ws2;
  readonly #waiter = new EventGroupWaiter<SharedEvent<T>>();
  readonly #events: SharedEvent<T>[] = [];
  /** Events with no place taken: used first. */
  readonly #empty: SharedEvent<T>[] = [];
  readonly #touched = new Set<SharedEvent<T>>();
  readonly #perEvent: number;
  readonly #aloneFirst: number;

  constructor(options: SharedEventOptions) {
    this.#perEvent = options.perEvent;
    this.#aloneFirst = options.aloneFirst ?? EVENTS_PER_GROUP;
  }

  /** Wakes a wait from another thread (the first group's control event). */
  get wakeToken(): EventGroupWaiter<SharedEvent<T>>['wakeToken'] {
    return this.#waiter.wakeToken;
  }

  /**
   * Takes a place on an event for one member and marks the event touched.
   * Write the event into the member, then {@link add} it once it waits.
   * @throws Error when no event object can be created.
   */
  take(): SharedEvent<T> {
    const shared = this.#empty.pop() ?? (this.#events.length < this.#aloneFirst ? this.#create() : (this.#leastTaken() ?? this.#create()));
    shared.taken++;
    this.#touched.add(shared);
    return shared;
  }

  /** `member` now waits on `shared` (a place taken with {@link take}). */
  add(shared: SharedEvent<T>, member: T): void {
    shared.members.push(member);
  }

  /** Removes `member` (if it was added) and gives its place back. */
  leave(shared: SharedEvent<T>, member: T): void {
    const members = shared.members;
    const i = members.indexOf(member);
    if (i >= 0) {
      members[i] = members[members.length - 1]!;
      members.pop();
    }
    if (--shared.taken === 0) this.#empty.push(shared);
  }

  /** Marks `shared` to be looked at again before the next wait (see the module comment). */
  touch(shared: SharedEvent<T>): void {
    this.#touched.add(shared);
  }

  /** Whether some event must be looked at before a wait. */
  get hasTouched(): boolean {
    return this.#touched.size > 0;
  }

  /**
   * The events signalled now (every group scanned, without blocking) and
   * those touched since the last call. The caller resets and looks at each.
   */
  check(): SharedEvent<T>[] {
    return this.#withTouched(this.#waiter.check());
  }

  /**
   * The events signalled (and touched): at once when some were touched or
   * `look` finds some, else a Promise settled by a wait thread, the timeout
   * or {@link wake}.
   */
  wait(timeoutMs: number, look: boolean): SharedEvent<T>[] | Promise<SharedEvent<T>[]> {
    if (this.#touched.size > 0) return this.check();
    const result = this.#waiter.wait(timeoutMs, look);
    return Array.isArray(result) ? this.#withTouched(result) : result.then((found) => this.#withTouched(found));
  }

  /** Makes a wait in progress, or the next one, return. */
  wake(): void {
    this.#waiter.wake();
  }

  /** Resets `shared`'s event: call before looking at its members. */
  reset(shared: SharedEvent<T>): void {
    this.#ws2.WSAResetEvent(shared.event);
  }

  /** Stops the wait threads and closes every event. */
  close(): void {
    this.#waiter.close();
    this.#events.length = 0;
    this.#empty.length = 0;
    this.#touched.clear();
  }

  /** Events some member holds a place on. */
  get liveEvents(): number {
    return this.#events.length - this.#empty.length;
  }

  /** Events created (kept for reuse). */
  get eventsAllocated(): number {
    return this.#events.length;
  }

  /** Members waiting. */
  get members(): number {
    let n = 0;
    for (const shared of this.#events) n += shared.members.length;
    return n;
  }

  /** Wait groups (and threads) created. */
  get groups(): number {
    return this.#waiter.groups;
  }

  #withTouched(found: SharedEvent<T>[]): SharedEvent<T>[] {
    if (this.#touched.size === 0) return found;
    for (const shared of found) this.#touched.add(shared);
    const all = [...this.#touched];
    this.#touched.clear();
    return all;
  }

  #leastTaken(): SharedEvent<T> | undefined {
    let best: SharedEvent<T> | undefined;
    for (const shared of this.#events) {
      if (shared.taken < this.#perEvent && (!best || shared.taken < best.taken)) best = shared;
    }
    return best;
  }

  #create(): SharedEvent<T> {
    const event = this.#ws2.WSACreateEvent();
    if (!event) throw new Error(`WSACreateEvent failed with WSA error ${this.#ws2.WSAGetLastError()}`);
    const shared: SharedEvent<T> = { event, members: [], taken: 0 };
    this.#events.push(shared);
    this.#waiter.add(event, shared);
    return shared;
  }
}
