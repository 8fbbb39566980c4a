/**
 * The completion-port proactor. One port per loop; every socket is associated
 * with it and set to FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, so an operation
 * that finishes at once (most sends, receives of data already there) is
 * reported without a trip through the port. Completions are dequeued in
 * batches with GetQueuedCompletionStatusEx: on the loop's thread when the
 * last poll found work (no thread hop), on a pool thread when the loop has
 * to wait, so Node's own loop never blocks.
 * @module
 */
import type { WakeToken } from '@wsaloop/core/backend';
import { addressOf, WinsockConstants as C } from '@wsaloop/core/winsock';
import { OVERLAPPED_OPTION_NAMES, OverlappedProactor, type OverlappedOperation, type OverlappedOptions, type SocketRecord } from '@wsaloop/winsock-kit';

/** Options of the IOCP backend. */
export interface IocpOptions extends OverlappedOptions {
  /** Completions dequeued per GetQueuedCompletionStatusEx call (default 128). */
  batchSize?: number;
  /** Use FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (default true). */
  skipCompletionOnSuccess?: boolean;
  /**
   * Microseconds to keep looking at the port on the loop's thread, right
   * after a completion, before handing the wait to a pool thread (default
   * 0: never spin). Trades CPU for latency on request/response traffic.
   */
  spinMicroseconds?: number;
}

/** Names of the {@link IocpOptions}. */
export const IOCP_OPTION_NAMES = [...OVERLAPPED_OPTION_NAMES, 'batchSize', 'skipCompletionOnSuccess', 'spinMicroseconds'] as const;
// Fails to compile when an option is added above without its name.
const everyIocpOptionNamed: Exclude<keyof IocpOptions, (typeof IOCP_OPTION_NAMES)[number]> extends never ? true : never = true;
void everyIocpOptionNamed;

/** sizeof(OVERLAPPED_ENTRY) on x64: key, lpOverlapped, Internal, bytes (+ padding). */
const ENTRY_SIZE = 32;
/** Completion key of every socket. */
const SOCKET_KEY = 1;
/** Completion key of wake-up packets (posted with no OVERLAPPED). */
const WAKE_KEY = 2;
/** Completion key of a fence posted behind an operation that failed as it started. */
const FENCE_KEY = 3;
const INVALID_HANDLE_VALUE = -1;
const TWO_32 = 0x100000000;
/**
 * While synchronous completions keep the loop busy, the port is still looked
 * at this often, so completions of other sockets wait at most this long.
 */
const PORT_CHECK_INTERVAL_MS = 1;
/**
 * Batches one look at the port may take while they keep coming back full.
 * Operations that finish at once are all reported in the next poll; taking
 * a single batch of the port's meanwhile left thousands of busy connections
 * (a burst of ping-pong clients) queued in it for seconds behind them.
 */
const MAX_BATCHES_PER_LOOK = 8;

/** A Proactor over one I/O completion port. */
export class IocpProactor extends OverlappedProactor {
  readonly name = 'iocp';
  readonly waitsOnThreadPool = true;
  readonly wakeToken: WakeToken;
  readonly #port: number;
  readonly #batch: number;
  readonly #skip: boolean;
  readonly #entries: Buffer;
  readonly #removed = new Uint32Array(1);
  /** Where #entries and #removed are: the dequeue takes addresses (core's library.ts says why); both fields outlive every call. */
  readonly #entriesAddress: number;
  readonly #removedAddress: number;
  #waiting = false;
  #wakePosted = false;
  /** A wake-up packet was dequeued since the poll began. */
  #woken = false;
  #busy = false;
  #closed = false;
  #lastDequeue = 0;
  #lastCompletion = 0;
  readonly #spinMs: number;

  constructor(options: IocpOptions = {}) {
    super(options);
    const batch = options.batchSize ?? 128;
    if (!Number.isInteger(batch) || batch < 1 || batch > 4096) {
      throw new RangeError(`The "batchSize" option must be an integer from 1 to 4096, received ${String(batch)}`);
    }
    this.#batch = batch;
    const spin = options.spinMicroseconds ?? 0;
    if (typeof spin !== 'number' || !(spin >= 0 && spin <= 10_000)) {
      throw new RangeError(`The "spinMicroseconds" option must be from 0 to 10000, received ${String(spin)}`);
    }
    this.#spinMs = spin / 1000;
    this.#skip = options.skipCompletionOnSuccess !== false;
    this.#entries = Buffer.alloc(batch * ENTRY_SIZE);
    this.#entriesAddress = addressOf(this.#entries);
    this.#removedAddress = addressOf(this.#removed);
    this.#port = this.win.kernel32.CreateIoCompletionPort(INVALID_HANDLE_VALUE, 0, 0, 1);
    if (!this.#port) throw new Error(`CreateIoCompletionPort failed with error ${this.win.kernel32.GetLastError()}`);
    this.wakeToken = { kind: 'completion-port', port: this.#port, key: WAKE_KEY };
  }

  protected attach(record: SocketRecord): number {
    if (!this.win.kernel32.CreateIoCompletionPort(record.socket, this.#port, SOCKET_KEY, 0)) {
      return -this.win.kernel32.GetLastError();
    }
    if (this.#skip) {
      record.skipOnSuccess =
        this.win.kernel32.SetFileCompletionNotificationModes(record.socket, C.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | C.FILE_SKIP_SET_EVENT_ON_HANDLE) !== 0;
    }
    return 0;
  }

  protected arm(): number {
    return 0;
  }

  protected notifiesSynchronousSuccess(record: SocketRecord): boolean {
    return !record.skipOnSuccess;
  }

  protected pending(): void {
    // The port will report it.
  }

  protected released(): void {
    // Nothing per operation to give back.
  }

  protected readyQueued(): void {
    if (this.#waiting) this.wake();
  }

  /**
   * Whether the system queued a packet for a start that failed with a
   * warning depends on the mode (Wine queues one unless the socket skips the
   * port on success). A packet it queued is already in the port: a fence
   * posted now comes out after it, and frees the slot.
   */
  protected absorbStray(op: OverlappedOperation): boolean {
    if (this.#closed) return true;
    return this.win.kernel32.PostQueuedCompletionStatus(this.#port, 0, FENCE_KEY, op.address) === 0;
  }

  poll(timeoutMs: number): number | Promise<number> {
    if (this.#closed) return 0;
    this.#woken = false; // one the last wait returned for was answered by that poll
    let n = this.deliverReady();
    const now = performance.now();
    // Work that finished synchronously was reported: the port was looked at
    // less than PORT_CHECK_INTERVAL_MS ago, so skip the (costly) look this time.
    if (n > 0 && now - this.#lastDequeue < PORT_CHECK_INTERVAL_MS) return n;
    // Completions already queued are fetched here, without a thread hop.
    if (n > 0 || timeoutMs === 0 || this.#busy || this.hasReady) {
      n += this.#dequeueNow();
      this.#lastDequeue = now;
      this.#busy = n > 0;
      // A wake-up packet this look took (a Worker's, say) ends the poll: the
      // wait would not see it again.
      if (n > 0 || timeoutMs === 0 || this.hasReady || this.#woken) return n;
    }
    if (this.#spinMs > 0 && now - this.#lastCompletion < this.#spinMs) {
      const until = this.#lastCompletion + this.#spinMs;
      do {
        n = this.#dequeueNow();
        if (n > 0 || this.#woken) {
          this.#lastDequeue = this.#lastCompletion = performance.now();
          return n;
        }
      } while (performance.now() < until && (timeoutMs < 0 || performance.now() - now < timeoutMs));
    }
    this.#waiting = true;
    return new Promise<number>((resolve) => {
      this.win.kernel32.GetQueuedCompletionStatusEx.async(
        this.#port,
        this.#entriesAddress,
        this.#batch,
        this.#removedAddress,
        timeoutMs < 0 ? C.INFINITE : timeoutMs,
        0,
        (error: unknown, ok: number) => {
          this.#waiting = false;
          this.#lastDequeue = performance.now();
          const count = !error && ok ? this.#removed[0]! : 0;
          const found = this.#process(count);
          // One completion per wake is request/response traffic: looking at
          // the port again before the next wait would just cost a call. A
          // batch means completions are piling up: look first next time.
          this.#busy = count > 1;
          if (found > 0) this.#lastCompletion = this.#lastDequeue;
          resolve(found);
        },
      );
    });
  }

  /** Reports what the port holds now, without waiting: batches while they come back full. */
  #dequeueNow(): number {
    let reported = 0;
    for (let i = 0; i < MAX_BATCHES_PER_LOOK; i++) {
      const ok = this.win.kernel32.GetQueuedCompletionStatusEx(this.#port, this.#entriesAddress, this.#batch, this.#removedAddress, 0, 0);
      const count = ok ? this.#removed[0]! : 0;
      reported += this.#process(count);
      if (count < this.#batch || this.#closed) break;
    }
    return reported;
  }

  /** Reports `count` dequeued entries. */
  #process(count: number): number {
    let reported = 0;
    const entries = this.#entries;
    for (let i = 0, at = 0; i < count; i++, at += ENTRY_SIZE) {
      const overlapped = entries.readUInt32LE(at + 8) + entries.readUInt32LE(at + 12) * TWO_32;
      if (overlapped === 0) {
        this.#wakePosted = false;
        this.#woken = true;
        continue;
      }
      const op = this.operationAt(overlapped);
      if (!op) continue;
      if (entries.readUInt32LE(at) === FENCE_KEY) {
        this.strayAbsorbed(op);
        continue;
      }
      if (op.stray) continue; // the failure was reported when the call returned
      this.complete(op);
      reported++;
    }
    return reported;
  }

  wake(): void {
    if (this.#wakePosted || this.#closed) return;
    this.#wakePosted = true;
    this.win.kernel32.PostQueuedCompletionStatus(this.#port, 0, WAKE_KEY, 0);
  }

  protected closeNotifier(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.win.kernel32.CloseHandle(this.#port);
  }
}
