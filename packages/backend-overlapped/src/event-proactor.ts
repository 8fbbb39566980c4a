/**
 * Overlapped I/O notified by event objects (the course notes' first style).
 *
 * Operations share event objects: up to {@link OPERATIONS_PER_EVENT} in
 * flight put the same manual-reset event in their OVERLAPPED's hEvent. The
 * events are waited on with WSAWaitForMultipleEvents by core's
 * {@link EventGroupWaiter} (63 per group plus the group's control event, one
 * wait thread per group), so 10,000 idle connections need 157 events and 3
 * wait threads, where an event per operation needed 10,000 events and 159
 * threads (each a V8 isolate). When an event is signalled, the loop resets
 * it and then reads the Internal member of each of its operations' OVERLAPPED
 * (no system call): every one that is no longer STATUS_PENDING finished and
 * is reported, so no operation can hide behind another one's signal.
 *
 * Resetting first is what makes sharing sound: an operation finishing after
 * the reset sets the event again for the next wait. Starting an operation
 * may also reset its event (NtDeviceIoControlFile clears the event it is
 * given), which could swallow the signal of an operation that finished just
 * before: so an event an operation was started on is re-scanned before the
 * next wait.
 *
 * Results are read from the OVERLAPPED by core's {@link OverlappedProactor}
 * (WSAGetOverlappedResult for a failure's WSA error).
 * @module
 */
import type { EventWakeToken } from '@wsaloop/core/backend';
import { EventGroupWaiter, OFFSET_EVENT, type OverlappedOperation, OverlappedProactor, type OverlappedOptions, windows, WinsockConstants } from '@wsaloop/core/winsock';

const TWO_32 = 0x100000000;
/**
 * Operations in flight per event object. A signal costs a scan of them
 * (memory reads only), so this can be large; it cuts event objects and wait
 * threads by as much.
 */
export const OPERATIONS_PER_EVENT = 64;

/** A shared event object and the operations in flight on it. */
interface SharedEvent {
  readonly event: number;
  /** Operations started on this event whose completion has not been seen. */
  readonly operations: OverlappedOperation[];
  /** Operations armed with this event and not yet released (in flight or about to be). */
  armed: number;
}

/** The event-notified overlapped proactor. */
export class EventOverlappedProactor extends OverlappedProactor {
  readonly name = 'overlapped';
  /** Wakes a wait by setting the first group's control event. */
  readonly wakeToken: EventWakeToken;
  readonly #ws2 = windows().ws2;
  readonly #waiter = new EventGroupWaiter<SharedEvent>();
  readonly #events: SharedEvent[] = [];
  /** Events with room for another operation. */
  readonly #withRoom = new Set<SharedEvent>();
  /** Events an operation was started on since their last scan (see the module comment). */
  readonly #started = new Set<SharedEvent>();
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
    return 0; // nothing to associate: each operation names its event
  }

  protected arm(op: OverlappedOperation): number {
    const shared = this.#eventWithRoom();
    shared.armed++;
    if (shared.armed === OPERATIONS_PER_EVENT) this.#withRoom.delete(shared);
    op.notification = shared;
    op.slot.writeUInt32LE(shared.event % TWO_32, OFFSET_EVENT);
    op.slot.writeUInt32LE(Math.floor(shared.event / TWO_32), OFFSET_EVENT + 4);
    // What the system stores while the operation runs; written now as well,
    // so a scan can never mistake a just-started operation for a finished one.
    op.slot.writeUInt32LE(WinsockConstants.STATUS_PENDING, 0);
    this.#started.add(shared);
    return 0;
  }

  #eventWithRoom(): SharedEvent {
    for (const shared of this.#withRoom) return shared;
    const event = this.#ws2.WSACreateEvent();
    if (!event) throw new Error(`WSACreateEvent failed with WSA error ${this.#ws2.WSAGetLastError()}`);
    const shared: SharedEvent = { event, operations: [], armed: 0 };
    this.#events.push(shared);
    this.#withRoom.add(shared);
    this.#waiter.add(event, shared);
    return shared;
  }

  /**
   * An operation that succeeded at once has written its result into the
   * OVERLAPPED and set its event already: report it without a wait.
   */
  protected notifiesSynchronousSuccess(): boolean {
    return false;
  }

  protected pending(op: OverlappedOperation): void {
    (op.notification as SharedEvent).operations.push(op);
    // Starting it may have reset an event a wait in progress relies on: let it re-scan.
    if (this.#waiting) this.#waiter.wake();
  }

  protected released(op: OverlappedOperation): void {
    const shared = op.notification as SharedEvent | null;
    if (shared === null) return; // failed before it was armed
    op.notification = null;
    const ops = shared.operations;
    const i = ops.indexOf(op);
    if (i >= 0) {
      ops[i] = ops[ops.length - 1]!;
      ops.pop();
    }
    if (shared.armed-- === OPERATIONS_PER_EVENT) this.#withRoom.add(shared);
  }

  protected readyQueued(): void {
    if (this.#waiting) this.#waiter.wake();
  }

  /**
   * Reports what finished at once and every operation found finished on a
   * signalled (or just reused) event, without a thread hop; when there is
   * none and `timeoutMs` allows, waits on the groups' threads (a Promise).
   */
  poll(timeoutMs: number): number | Promise<number> {
    if (this.#closed) return 0;
    let n = this.deliverReady();
    n += this.#report(this.#waiter.check());
    if (n > 0 || timeoutMs === 0 || this.hasReady) return n;
    const result = this.#waiter.wait(timeoutMs, false);
    if (Array.isArray(result)) return this.#report(result);
    this.#waiting = true;
    return result.then((signalled) => {
      this.#waiting = false;
      return this.#report(signalled) + this.deliverReady();
    });
  }

  /**
   * Resets each signalled or just-reused event, then reports its finished
   * operations. The result is asked of WSAGetOverlappedResult, as the
   * overlapped model prescribes: a failure's WSA error is kept for the
   * report, which reads the byte count from the same OVERLAPPED.
   */
  #report(signalled: SharedEvent[]): number {
    for (const shared of signalled) this.#started.add(shared);
    if (this.#started.size === 0) return 0;
    const finished: OverlappedOperation[] = [];
    for (const shared of this.#started) {
      this.#ws2.WSAResetEvent(shared.event);
      const ops = shared.operations;
      for (let i = 0; i < ops.length; ) {
        const op = ops[i]!;
        if (op.status === WinsockConstants.STATUS_PENDING) {
          i++;
          continue;
        }
        ops[i] = ops[ops.length - 1]!;
        ops.pop();
        finished.push(op);
      }
    }
    this.#started.clear();
    for (const op of finished) {
      const record = op.record!;
      // A closed socket has no result to ask for: its operations were cancelled.
      if (record.open && !this.#ws2.WSAGetOverlappedResult(record.socket, op.address, this.#transferred, 0, this.#flags)) {
        op.syncError = this.#ws2.WSAGetLastError();
      }
      this.complete(op);
    }
    return finished.length;
  }

  /** Makes a wait in progress, or the next poll, return. */
  wake(): void {
    this.#waiter.wake();
  }

  protected closeNotifier(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiter.close(); // closes the events too
    this.#events.length = 0;
    this.#withRoom.clear();
    this.#started.clear();
  }

  /**
   * Live counts: `liveEvents` (event objects some operation is armed with),
   * `watchedOperations` (operations in flight waited on through them), and
   * the capacities (`eventsAllocated`, `waitGroupsAllocated`), besides the
   * overlapped machinery's own.
   */
  override stats(): Record<string, number> {
    let live = 0;
    let watched = 0;
    for (const shared of this.#events) {
      if (shared.armed > 0) live++;
      watched += shared.operations.length;
    }
    return {
      ...super.stats(),
      liveEvents: live,
      watchedOperations: watched,
      eventsAllocated: this.#events.length,
      waitGroupsAllocated: this.#waiter.groups,
    };
  }
}
