/**
 * The completion-routine side, run on the routine thread (a worker_threads
 * Worker). Windows runs a completion routine only on the thread that started
 * the operation, and only while that thread waits alertably; so this thread
 * starts every operation and spends its idle time in
 * WSAWaitForMultipleEvents(..., fAlertable = TRUE). Node's own thread never
 * blocks: it only forwards requests and receives completions.
 *
 * WSARecv / WSASend / WSARecvFrom / WSASendTo are started with a completion
 * routine (a koffi-registered `__stdcall` callback). AcceptEx and ConnectEx
 * take no routine: their OVERLAPPEDs share one manual-reset event, in the same
 * alertable wait; when it is set, or after any of them was started (starting
 * an operation resets its event, which could swallow the signal of one that
 * finished just before), the pending ones are looked at
 * (HasOverlappedIoCompleted: Internal is no longer STATUS_PENDING).
 *
 * Closing: core's machinery cancels with CancelIoEx before closesocket, so a
 * cut-short operation's routine gets ERROR_OPERATION_ABORTED (995) as on
 * Windows. (Wine 8 deviates when a socket is closed with a routine operation
 * still pending and not cancelled: the routine gets WSAEINVAL and Internal
 * 0x8000000A instead of WSA_OPERATION_ABORTED; cancelling first avoids it.)
 *
 * Order: routines run in the order Windows queued them; each only records
 * its operation, and the operations are then reported in that order, into
 * one batch, which the loop's thread delivers in order.
 * @module
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { AcceptRequest, CompletionRequest, EventWakeToken, RecvFromRequest, RecvRequest, SocketHandle } from '@wsaloop/core/backend';
import { WinsockConstants as C } from '@wsaloop/core/winsock';
import { NativeBlock, OFFSET_EVENT, type OverlappedOperation, OverlappedProactor, type OverlappedOptions } from '@wsaloop/winsock-kit';
import * as P from './protocol.js';

const TWO_32 = 0x100000000;
/**
 * Received bytes at least this long arrive in a buffer of their own (Buffer
 * copies smaller ones into its shared pool): such a buffer is transferred.
 */
const OWN_BUFFER_MIN = 4096;
/** Index of each handle in the alertable wait. */
const REQUEST_INDEX = 0;
const WAKE_INDEX = 1;
const ACCEPT_CONNECT_INDEX = 2;

/** AcceptEx, ConnectEx and ConnectNamedPipe take no completion routine: they signal the shared event. */
function signalsEvent(op: OverlappedOperation): boolean {
  return op.kind === 'accept' || op.kind === 'connect' || op.kind === 'await-client';
}

/** What one alertable wait ended with. */
export type Woken = 'nothing' | 'requests' | 'wake';

function writeHandle(b: Buffer, at: number, handle: number): void {
  b.writeUInt32LE(handle % TWO_32, at);
  b.writeUInt32LE(Math.floor(handle / TWO_32), at + 4);
}

/** The overlapped proactor of the routine thread. */
export class RoutineHost extends OverlappedProactor {
  readonly name = 'overlapped';
  readonly wakeToken: EventWakeToken;
  readonly #requestEvent: number;
  /** Manual-reset event every AcceptEx / ConnectEx OVERLAPPED carries. */
  readonly #acceptConnectEvent: number;
  readonly #handles = Buffer.alloc(3 * 8);
  readonly #routine;
  /** The same, for a named pipe's ReadFileEx / WriteFileEx. */
  readonly #fileRoutine;
  readonly #threadId: number;
  /** Operations whose routine ran, in the order it ran. */
  #finished: OverlappedOperation[] = [];
  /** AcceptEx / ConnectEx in flight. */
  readonly #eventOps = new Set<OverlappedOperation>();
  #lookAtEventOps = false;
  #closed = false;
  /** True inside this thread's alertable waits: the only place Windows runs its routines. */
  #inAlertableWait = false;
  routinesRun = 0;
  routinesElsewhere = 0;
  alertedWaits = 0;

  constructor(options: OverlappedOptions, requestEvent: number, wakeEvent: number) {
    super(options);
    this.#requestEvent = requestEvent;
    this.wakeToken = { kind: 'event', handle: wakeEvent };
    this.#acceptConnectEvent = this.win.ws2.WSACreateEvent();
    if (!this.#acceptConnectEvent) throw new Error(`WSACreateEvent failed with WSA error ${this.win.ws2.WSAGetLastError()}`);
    writeHandle(this.#handles, REQUEST_INDEX * 8, requestEvent);
    writeHandle(this.#handles, WAKE_INDEX * 8, wakeEvent);
    writeHandle(this.#handles, ACCEPT_CONNECT_INDEX * 8, this.#acceptConnectEvent);
    this.#threadId = this.win.kernel32.GetCurrentThreadId();
    const routine = (error: number, _transferred: number, overlapped: number): void => {
      // Runs inside the alertable wait: record the order, report after it.
      // dwError is the operation's Win32 / WSA error; cbTransferred is also
      // in the OVERLAPPED (InternalHigh), where the report reads it.
      this.routinesRun++;
      // Windows runs a routine only inside an alertable wait of the thread
      // that started the operation; koffi would run one called from any other
      // thread later, on this thread's event loop, outside such a wait.
      // (Checked without a native call: this runs once per completion.)
      if (!this.#inAlertableWait) this.routinesElsewhere++;
      const op = this.operationAt(overlapped);
      if (!op || op.stray) return; // a stray's failure was reported when its call returned
      if (error !== 0) op.syncError = error;
      this.#finished.push(op);
    };
    this.#routine = this.registerCompletionRoutine(routine);
    this.#fileRoutine = this.registerFileCompletionRoutine(routine);
  }

  /** Win32 id of the thread that starts the operations. */
  get threadId(): number {
    return this.#threadId;
  }

  /** AcceptEx / ConnectEx in flight. */
  get eventOperations(): number {
    return this.#eventOps.size;
  }

  protected attach(): number {
    return 0; // routines need no association
  }

  protected override fileRoutine(): number {
    return this.#fileRoutine.address;
  }

  protected arm(op: OverlappedOperation): number {
    if (signalsEvent(op)) {
      writeHandle(op.slot, OFFSET_EVENT, this.#acceptConnectEvent);
      // In flight until the system says otherwise (HasOverlappedIoCompleted).
      op.slot.writeUInt32LE(C.STATUS_PENDING, 0);
      return 0;
    }
    return this.#routine.address;
  }

  /**
   * Even an operation that succeeded at once has its routine queued (and
   * AcceptEx / ConnectEx set their event): the notification always follows.
   */
  protected notifiesSynchronousSuccess(): boolean {
    return true;
  }

  protected pending(op: OverlappedOperation): void {
    if (signalsEvent(op)) {
      this.#eventOps.add(op);
      this.#lookAtEventOps = true;
    }
  }

  protected released(op: OverlappedOperation): void {
    if (signalsEvent(op)) this.#eventOps.delete(op);
  }

  protected readyQueued(): void {
    // The routine thread's loop reports ready work before it waits again.
  }

  /**
   * A routine queued for a call that failed is already queued to this
   * thread: an alertable zero wait runs it (ignored: the operation is a
   * stray) with any other routine due, whose operations are reported next.
   */
  protected absorbStray(): boolean {
    this.#inAlertableWait = true;
    this.win.kernel32.SleepEx(0, 1);
    this.#inAlertableWait = false;
    return true;
  }

  /**
   * One step of the routine thread: reports what is ready, waits alertably
   * (at most `timeoutMs`, -1: no limit; not at all when something was just
   * reported), runs the routines that are due, and reports their operations
   * in order. Always synchronous.
   */
  poll(timeoutMs: number): number {
    return this.step(timeoutMs).reported;
  }

  /**
   * {@link poll}, also telling what ended the wait. `mayBlock` is asked
   * right before a wait that could block; false makes it a mere look.
   */
  step(timeoutMs: number, mayBlock: () => boolean = () => true): { reported: number; woken: Woken } {
    if (this.#closed) return { reported: 0, woken: 'nothing' };
    let n = this.deliverReady() + this.#reportFinished();
    if (this.#lookAtEventOps) n += this.#reportEventOps();
    let wait = n > 0 || this.hasReady || this.#finished.length > 0 ? 0 : timeoutMs < 0 ? C.INFINITE : timeoutMs;
    if (wait !== 0 && !mayBlock()) wait = 0;
    this.#inAlertableWait = true;
    const rc = this.win.ws2.WSAWaitForMultipleEvents(3, this.#handles, 0, wait, 1);
    this.#inAlertableWait = false;
    let woken: Woken = 'nothing';
    if (rc === C.WSA_WAIT_IO_COMPLETION) {
      this.alertedWaits++;
      n += this.#reportFinished();
      // An alertable wait that ran routines returns without looking at the
      // events: under steady receive / send traffic it would never report
      // the accept / connect event, and accepts would starve. Look at their
      // OVERLAPPEDs (memory reads) every time.
      if (this.#eventOps.size > 0) n += this.#reportEventOps(false);
    } else if (rc === C.WSA_WAIT_EVENT_0 + REQUEST_INDEX) {
      woken = 'requests';
    } else if (rc === C.WSA_WAIT_EVENT_0 + WAKE_INDEX) {
      woken = 'wake';
    } else if (rc === C.WSA_WAIT_EVENT_0 + ACCEPT_CONNECT_INDEX) {
      n += this.#reportEventOps();
    } else if (rc === C.WSA_WAIT_FAILED) {
      throw new Error(`WSAWaitForMultipleEvents failed with WSA error ${this.win.ws2.WSAGetLastError()}`);
    }
    return { reported: n, woken };
  }

  /** Reports the operations whose routine ran, in the order they ran. */
  #reportFinished(): number {
    const finished = this.#finished;
    if (finished.length === 0) return 0;
    this.#finished = [];
    for (const op of finished) this.complete(op);
    return finished.length;
  }

  /**
   * Reports every AcceptEx / ConnectEx that finished. `reset`: the event is
   * reset first (one that finishes during the look sets it again); without,
   * a set event makes the next wait look again.
   */
  #reportEventOps(reset = true): number {
    if (reset) {
      this.#lookAtEventOps = false;
      this.win.ws2.WSAResetEvent(this.#acceptConnectEvent);
    }
    let n = 0;
    for (const op of [...this.#eventOps]) {
      if (op.status === C.STATUS_PENDING) continue;
      this.complete(op);
      n++;
    }
    return n;
  }

  wake(): void {
    this.win.kernel32.SetEvent(this.#requestEvent);
  }

  protected closeNotifier(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#routine.unregister();
    this.#fileRoutine.unregister();
    this.win.ws2.WSACloseEvent(this.#acceptConnectEvent);
  }
}

/**
 * Collects the completions of a step into one batch for the loop's thread.
 * Bytes received are copied once into the batch's buffer, which is then
 * transferred.
 */
class Outbox {
  readonly #port: MessagePort;
  #words: number[] = [];
  #own: ArrayBuffer[] = [];
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #wake = false;

  constructor(port: MessagePort) {
    this.#port = port;
  }

  get empty(): boolean {
    return this.#words.length === 0 && !this.#wake;
  }

  status(id: number, status: number): void {
    this.#words.push(id, status);
  }

  accept(id: number, status: number, socket: SocketHandle, backlog: boolean): void {
    this.#words.push(id, status, socket, backlog ? 1 : 0);
  }

  recv(id: number, status: number, data: Uint8Array | null): void {
    if (data && data.byteLength >= OWN_BUFFER_MIN && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer) {
      // A buffer of its own (not a slice of Buffer's pool): transfer it as it is.
      this.#words.push(id, status, data.byteLength, this.#own.length);
      this.#own.push(data.buffer);
      return;
    }
    this.#words.push(id, status, data ? data.byteLength : -1, -1);
    if (data) this.#add(data);
  }

  recvFrom(id: number, status: number, data: Uint8Array | null, from: Buffer | null): void {
    this.#words.push(id, status, data ? data.byteLength : -1, from ? from.byteLength : 0);
    if (data) this.#add(data);
    if (from) this.#add(from);
  }

  wake(): void {
    this.#wake = true;
  }

  #add(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.#chunks.push(bytes);
    this.#bytes += bytes.byteLength;
  }

  /** Posts the batch (an empty one when only a wake-up is due). */
  flush(): void {
    if (this.empty) return;
    const data = P.joinChunks(this.#chunks, this.#bytes);
    const batch: P.Batch = { w: this.#words, d: data };
    const transfer = data ? [data] : [];
    if (this.#own.length > 0) {
      batch.x = this.#own;
      transfer.push(...this.#own);
      this.#own = [];
    }
    this.#port.postMessage(batch, transfer);
    this.#words = [];
    this.#chunks = [];
    this.#bytes = 0;
    this.#wake = false;
  }
}

/** Reads a request batch's bytes in order. */
class ByteReader {
  readonly bytes: Buffer | null;
  at = 0;

  constructor(data: ArrayBuffer | null) {
    this.bytes = data ? Buffer.from(data) : null;
  }

  take(length: number): Buffer {
    const out = this.bytes!.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }
}

/** Runs the routine thread until the loop closes or the process exits. */
export function runRoutineThread(data: P.RoutineThreadData): void {
  const control = new Int32Array(data.control);
  const stats = new Float64Array(data.stats);
  const port = data.port;
  const host = new RoutineHost(data.options, data.requestEvent, data.wakeEvent);
  const out = new Outbox(port);
  stats[P.STAT_THREAD_ID] = host.threadId;
  let batches = 0;

  const publish = (): void => {
    const s = host.stats();
    stats[P.STAT_LIVE_OPERATIONS] = s.liveOperations!;
    stats[P.STAT_BUFFERS_IN_USE] = s.buffersInUse!;
    stats[P.STAT_BUFFERS_ALLOCATED] = s.buffersAllocated!;
    stats[P.STAT_OPEN_SOCKETS] = s.openSockets!;
    stats[P.STAT_EVENT_OPERATIONS] = host.eventOperations;
    stats[P.STAT_ROUTINES_RUN] = host.routinesRun;
    stats[P.STAT_ROUTINES_ELSEWHERE] = host.routinesElsewhere;
    stats[P.STAT_ALERTED_WAITS] = host.alertedWaits;
    stats[P.STAT_BATCHES] = batches;
  };

  const execute = (batch: P.Batch): void => {
    const w = batch.w;
    const bytes = new ByteReader(batch.d);
    for (let i = 0; i < w.length; ) {
      const op = w[i++]!;
      if (op === P.OP_ASSOCIATE) {
        host.associate(w[i++]!, w[i++] === 1 ? 'ipv6' : 'ipv4');
        continue;
      }
      if (op === P.OP_ASSOCIATE_PIPE) {
        host.associatePipe(w[i++]!);
        continue;
      }
      const id = w[i++]!;
      const socket = w[i++]!;
      switch (op) {
        case P.OP_ACCEPT: {
          const family = w[i++] === 1 ? 'ipv6' : 'ipv4';
          const optional = w[i++] === 1;
          host.acceptOne(socket, family, { optional, complete: (status, accepted, backlog) => out.accept(id, status, accepted, backlog === true) } satisfies AcceptRequest);
          break;
        }
        case P.OP_CONNECT: {
          const family = w[i++] === 1 ? 'ipv6' : 'ipv4';
          const length = w[i++]!;
          host.connect(socket, family, bytes.take(length), length, { complete: (status) => out.status(id, status) } satisfies CompletionRequest);
          break;
        }
        case P.OP_RECV:
          host.recv(socket, { complete: (status, received) => out.recv(id, status, received) } satisfies RecvRequest);
          break;
        case P.OP_RECVFROM:
          host.recvFrom(socket, { complete: (status, received, from) => out.recvFrom(id, status, received, from) } satisfies RecvFromRequest);
          break;
        case P.OP_SEND: {
          const buffers = readPieces(w, i, bytes);
          i = buffers.next;
          host.send(socket, buffers.pieces, { complete: (status) => out.status(id, status) });
          break;
        }
        case P.OP_SENDTO: {
          const addressLength = w[i++]!;
          const address = bytes.take(addressLength);
          const buffers = readPieces(w, i, bytes);
          i = buffers.next;
          host.sendTo(socket, buffers.pieces, address, addressLength, { complete: (status) => out.status(id, status) });
          break;
        }
        case P.OP_CLOSE:
          host.closeSocket(socket, () => out.status(id, 0));
          break;
        case P.OP_AWAIT_CLIENT:
          host.awaitClient(socket, { complete: (status) => out.status(id, status) } satisfies CompletionRequest);
          break;
        default:
          throw new Error(`routine thread: unknown request ${op}`);
      }
    }
  };

  /** A batch found by the last look before blocking: executed first next time, to keep the order. */
  let early: P.Batch | null = null;
  const mayBlock = (): boolean => {
    Atomics.store(control, P.CONTROL_SLEEPING, 1);
    const m = receiveMessageOnPort(port);
    if (m === undefined) return true;
    early = m.message as P.Batch;
    return false;
  };

  for (;;) {
    if (Atomics.load(control, P.CONTROL_EXIT) !== P.EXIT_NONE) break;
    if (early) {
      const batch: P.Batch = early;
      early = null;
      execute(batch);
    }
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) execute(m.message as P.Batch);
    publish();
    // Wait only when there is nothing to send: a pending batch goes out first.
    const { woken } = host.step(out.empty ? -1 : 0, mayBlock);
    Atomics.store(control, P.CONTROL_SLEEPING, 0);
    if (woken === 'wake') out.wake();
    if (!out.empty) {
      batches++;
      publish();
      out.flush();
    }
  }
  if (Atomics.load(control, P.CONTROL_EXIT) === P.EXIT_CLOSE) {
    host.close();
    publish();
  }
  port.close();
  Atomics.store(control, P.CONTROL_DONE, 1);
  Atomics.notify(control, P.CONTROL_DONE);
}

/** Decodes a send's pieces: inline bytes from the batch, or views of the loop thread's buffers by address. */
function readPieces(w: number[], i: number, bytes: ByteReader): { pieces: Uint8Array[]; next: number } {
  const inline = w[i++]!;
  const count = w[i++]!;
  const pieces: Uint8Array[] = [];
  if (inline > 0) pieces.push(bytes.take(inline));
  for (let k = 0; k < count; k++) {
    const address = w[i++]!;
    const length = w[i++]!;
    pieces.push(NativeBlock.view(address, length));
  }
  return { pieces, next: i };
}
