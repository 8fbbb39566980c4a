/**
 * Overlapped I/O notified by event objects (the course notes' first style).
 *
 * Operations share event objects (core's {@link SharedEvents}): the first 63
 * in flight get one each, then up to {@link OPERATIONS_PER_EVENT} put the
 * same manual-reset event in their OVERLAPPED's hEvent. The events are
 * waited on with WSAWaitForMultipleEvents by core's
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
 *
 * The overlapped backend's event mode is this proactor; the readiness
 * backends serve named pipes with one too (see `PipeSidecar`).
 * @module
 */
import type { EventWakeToken } from '@wsaloop/core/backend';
import { windows, WinsockConstants } from '@wsaloop/core/winsock';
import { SharedEvents, type SharedEvent } from '../event-groups/shared-events.js';
import { OFFSET_EVENT, type OverlappedOperation } from './operations.js';
import { OverlappedProactor, type OverlappedOptions } from './overlapped-proactor.js';

const TWO_32 = 0x100000000;
/**
 * Operations in flight per event object, once 63 events exist. A signal
 * costs a look at each of them (memory reads only), so this can be large; it
 * divides the wait threads by as much.
 */
export const OPERATIONS_PER_EVENT = 64;

/** The event-notified overlapped proactor. */
export class EventOverlappedProactor extends OverlappedProactor {
  readonly name = 'overlapped';
  /** Wakes a wait by setting the first group's control event. */
  readonly wakeToken: EventWakeToken;
  readonly #ws2 = windows().ws2;
  readonly #kernel32 = windows().kernel32;
  readonly #events = new SharedEvents<OverlappedOperation>({ perEvent: OPERATIONS_PER_EVENT });
  readonly #transferred = new Uint32Array(1);
  readonly #flags = new Uint32Array(1);
  #waiting = false;
  #closed = false;
  /**
   * Called when an operation starts, or a result is queued, while this
   * engine is not waiting: a wait of someone else's (a reactor's, see
   * PipeSidecar) that stands in for this engine's must end and look.
   */
  onActivity: (() => void) | null = null;

  /**
   * @param options Receive buffer size, zero-byte reads, accepts posted ahead.
   * @throws RangeError for an out-of-range option.
   */
  constructor(options: OverlappedOptions = {}) {
    super(options);
    this.wakeToken = this.#events.wakeToken;
  }

  protected attach(): number {
    return 0; // nothing to associate: each operation names its event
  }

  protected arm(op: OverlappedOperation): number {
    const shared = this.#events.take();
    op.notification = shared;
    op.slot.writeUInt32LE(shared.event % TWO_32, OFFSET_EVENT);
    op.slot.writeUInt32LE(Math.floor(shared.event / TWO_32), OFFSET_EVENT + 4);
    // What the system stores while the operation runs; written now as well,
    // so a look can never mistake a just-started operation for a finished one.
    op.slot.writeUInt32LE(WinsockConstants.STATUS_PENDING, 0);
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
    this.#events.add(op.notification as SharedEvent<OverlappedOperation>, op);
    // Starting it may have reset an event a wait in progress relies on: let it look again.
    if (this.#waiting) this.#events.wake();
    else this.onActivity?.();
  }

  protected released(op: OverlappedOperation): void {
    const shared = op.notification as SharedEvent<OverlappedOperation> | null;
    if (shared === null) return; // failed before it was armed
    op.notification = null;
    this.#events.leave(shared, op);
  }

  /** A stray only sets the operation's event, which is not watched and is reset on release. */
  protected absorbStray(): boolean {
    return true;
  }

  protected readyQueued(): void {
    if (this.#waiting) this.#events.wake();
    else this.onActivity?.();
  }

  /**
   * Reports what finished at once and every operation found finished on a
   * signalled (or just reused) event, without a thread hop; when there is
   * none and `timeoutMs` allows, waits on the groups' threads (a Promise).
   */
  poll(timeoutMs: number): number | Promise<number> {
    if (this.#closed) return 0;
    let n = this.deliverReady();
    n += this.#report(this.#events.check());
    if (n > 0 || timeoutMs === 0 || this.hasReady) return n;
    const result = this.#events.wait(timeoutMs, false);
    if (Array.isArray(result)) return this.#report(result);
    this.#waiting = true;
    return result.then((signalled) => {
      this.#waiting = false;
      return this.#report(signalled) + this.deliverReady();
    });
  }

  /**
   * Resets each signalled or just-reused event, then reports its operations
   * whose OVERLAPPED no longer says STATUS_PENDING. The result is asked of
   * WSAGetOverlappedResult, as the overlapped model prescribes: a failure's
   * WSA error is kept for the report, which reads the byte count from the
   * same OVERLAPPED.
   */
  #report(signalled: SharedEvent<OverlappedOperation>[]): number {
    const finished = new Set<OverlappedOperation>();
    for (const shared of signalled) {
      this.#events.reset(shared);
      for (const op of shared.members) if (op.status !== WinsockConstants.STATUS_PENDING) finished.add(op);
    }
    for (const op of finished) {
      const record = op.record!;
      // A closed socket has no result to ask for: its operations were cancelled.
      if (record.open && record.pipe) {
        // A named pipe's operations are file operations: asked of GetOverlappedResult.
        if (!this.#kernel32.GetOverlappedResult(record.socket, op.address, this.#transferred, 0)) op.syncError = this.#kernel32.GetLastError();
      } else if (record.open && !this.#ws2.WSAGetOverlappedResult(record.socket, op.address, this.#transferred, 0, this.#flags)) {
        op.syncError = this.#ws2.WSAGetLastError();
      }
      this.complete(op); // releases it: it leaves its event
    }
    return finished.size;
  }

  /** Makes a wait in progress, or the next poll, return. */
  wake(): void {
    this.#events.wake();
  }

  protected closeNotifier(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.close();
  }

  /**
   * Live counts: `liveEvents` (event objects some operation is armed with),
   * `watchedOperations` (operations in flight waited on through them), and
   * the capacities (`eventsAllocated`, `waitGroupsAllocated`), besides the
   * overlapped machinery's own.
   */
  override stats(): Record<string, number> {
    return {
      ...super.stats(),
      liveEvents: this.#events.liveEvents,
      watchedOperations: this.#events.members,
      eventsAllocated: this.#events.eventsAllocated,
      waitGroupsAllocated: this.#events.groups,
    };
  }
}
