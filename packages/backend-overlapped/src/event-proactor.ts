/**
 * Overlapped I/O notified by event objects (the course notes' first style).
 *
 * Each operation in flight gets an event object of its own (from a pool:
 * WSACreateEvent once, WSAResetEvent before each reuse) in its OVERLAPPED's
 * hEvent. The events are waited on with WSAWaitForMultipleEvents by core's
 * {@link EventGroupWaiter}: 63 per group plus the group's control event,
 * each group on a wait thread of its own, so any number of operations can be
 * in flight and Node's thread never blocks. A group that fired is scanned
 * completely: every signalled operation is reported, not only the lowest
 * index. Results are read from the OVERLAPPED by core's
 * {@link OverlappedProactor} (WSAGetOverlappedResult for a failure's WSA error).
 * @module
 */
import type { EventWakeToken } from '@wsaloop/core/backend';
import { EventGroupWaiter, OFFSET_EVENT, type OverlappedOperation, OverlappedProactor, type OverlappedOptions, windows } from '@wsaloop/core/winsock';

const TWO_32 = 0x100000000;

/** Manual-reset event objects, created on demand and reset before reuse. */
class EventPool {
  readonly #ws2 = windows().ws2;
  readonly #free: number[] = [];
  #created = 0;
  #inUse = 0;

  /** An unsignalled event. */
  acquire(): number {
    let event = this.#free.pop();
    if (event === undefined) {
      event = this.#ws2.WSACreateEvent();
      if (!event) throw new Error(`WSACreateEvent failed with WSA error ${this.#ws2.WSAGetLastError()}`);
      this.#created++;
    }
    this.#inUse++;
    return event;
  }

  /** Takes an event back once nothing can signal it any more. */
  release(event: number): void {
    this.#ws2.WSAResetEvent(event);
    this.#inUse--;
    this.#free.push(event);
  }

  get inUse(): number {
    return this.#inUse;
  }

  get created(): number {
    return this.#created;
  }

  /** Closes the pooled events (call once none is in use). */
  close(): void {
    for (const event of this.#free) this.#ws2.WSACloseEvent(event);
    this.#created -= this.#free.length;
    this.#free.length = 0;
  }
}

/** The event-notified overlapped proactor. */
export class EventOverlappedProactor extends OverlappedProactor {
  readonly name = 'overlapped';
  /** Wakes a wait by setting the first group's control event. */
  readonly wakeToken: EventWakeToken;
  readonly #waiter = new EventGroupWaiter<OverlappedOperation>();
  readonly #events = new EventPool();
  readonly #transferred = new Uint32Array(1);
  readonly #flags = new Uint32Array(1);
  #waiting = false;
  #closed = false;

  /**
   * @param options Receive buffer size, zero-byte reads, accepts posted ahead.
   * @throws RangeError for an out-of-range option.
   */
  constructor(options: OverlappedOptions = {}) {
    super(options);
    this.wakeToken = this.#waiter.wakeToken;
  }

  protected attach(): number {
    return 0; // nothing to associate: each operation brings its own event
  }

  protected arm(op: OverlappedOperation): number {
    const event = this.#events.acquire();
    op.notification = event;
    op.slot.writeUInt32LE(event % TWO_32, OFFSET_EVENT);
    op.slot.writeUInt32LE(Math.floor(event / TWO_32), OFFSET_EVENT + 4);
    return 0;
  }

  /**
   * An operation that succeeded at once has written its result into the
   * OVERLAPPED and set its event already: report it without a wait.
   */
  protected notifiesSynchronousSuccess(): boolean {
    return false;
  }

  protected pending(op: OverlappedOperation): void {
    this.#waiter.add(op.notification as number, op);
    // A wait in progress does not watch the new event yet: let it re-arm.
    if (this.#waiting) this.#waiter.wake();
  }

  protected released(op: OverlappedOperation): void {
    const event = op.notification as number | null;
    if (event === null) return; // failed before it was armed
    op.notification = null;
    this.#waiter.remove(event);
    this.#events.release(event);
  }

  /** A stray only sets the operation's event, which is not watched and is reset on release. */
  protected absorbStray(): boolean {
    return true;
  }

  protected readyQueued(): void {
    if (this.#waiting) this.#waiter.wake();
  }

  /**
   * Reports what finished at once and every operation whose event is
   * signalled, without a thread hop; when there is none and `timeoutMs`
   * allows, waits on the groups' threads (a Promise).
   */
  poll(timeoutMs: number): number | Promise<number> {
    if (this.#closed) return 0;
    // Finished at once, then everything signalled now: no thread hop.
    let n = this.deliverReady();
    n += this.#report(this.#waiter.check());
    if (n > 0 || timeoutMs === 0 || this.hasReady) return n;
    const result = this.#waiter.wait(timeoutMs, false);
    if (Array.isArray(result)) return this.#report(result);
    this.#waiting = true;
    return result.then((ops) => {
      this.#waiting = false;
      return this.#report(ops) + this.deliverReady();
    });
  }

  /**
   * Reports operations whose event is signalled. The result is asked of
   * WSAGetOverlappedResult, as the overlapped model prescribes: a failure's
   * WSA error is kept for the report, which reads the byte count from the
   * same OVERLAPPED (InternalHigh, what WSAGetOverlappedResult returns).
   */
  #report(ops: OverlappedOperation[]): number {
    const ws2 = this.win.ws2;
    for (const op of ops) {
      const record = op.record!;
      // A closed socket has no result to ask for: its operations were cancelled.
      if (record.open && !ws2.WSAGetOverlappedResult(record.socket, op.address, this.#transferred, 0, this.#flags)) {
        op.syncError = ws2.WSAGetLastError();
      }
      this.complete(op);
    }
    return ops.length;
  }

  /** Makes a wait in progress, or the next poll, return. */
  wake(): void {
    this.#waiter.wake();
  }

  protected closeNotifier(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiter.close();
    this.#events.close();
  }

  /**
   * Live counts: `liveEvents` (event objects held by operations),
   * `watchedEvents` (of them, those waited on), and the pool and group
   * capacities (`eventsAllocated`, `waitGroupsAllocated`), besides the
   * overlapped machinery's own.
   */
  override stats(): Record<string, number> {
    return {
      ...super.stats(),
      liveEvents: this.#events.inUse,
      watchedEvents: this.#waiter.size,
      eventsAllocated: this.#events.created,
      waitGroupsAllocated: this.#waiter.groups,
    };
  }
}
