/**
 * Overlapped I/O notified by completion routines (the course notes' second
 * style), as seen from the loop's thread.
 *
 * Windows runs a completion routine only on the thread that started the
 * operation, and only while that thread waits alertably. Node's thread must
 * never block, so operations are started on a thread of this backend's own
 * (see `routine-host.ts`), which waits alertably and runs the routines; this
 * side is a thin {@link Proactor} that batches requests to that thread once
 * per poll (one message, one SetEvent) and reports the completions it sends
 * back, in the order they arrive, from inside `poll`.
 * @module
 */
import { receiveMessageOnPort, Worker, type MessagePort, MessageChannel } from 'node:worker_threads';
import {
  AcceptKeeper,
  type AcceptListener,
  type AcceptRequest,
  type AddressFamily,
  type CompletionRequest,
  type EventWakeToken,
  type NamedPipeOperations,
  onProcessExit,
  type Proactor,
  type RecvFromRequest,
  type RecvRequest,
  type SocketHandle,
  type SocketKind,
} from '@wsaloop/core/backend';
import { addressOf, windows, WinsockConstants as C } from '@wsaloop/core/winsock';
import { OverlappedProactor, type OverlappedOptions } from '@wsaloop/winsock-kit';
import * as P from './protocol.js';

/** Sends up to this size travel inside the batch; larger ones by address, without a copy. */
const INLINE_SEND = 16 * 1024;
/** How long `close()` waits for the routine thread to release its resources. */
const CLOSE_WAIT_MS = 10_000;
const EMPTY = new Uint8Array(0);

type Kind = 'accept' | 'connect' | 'recv' | 'send' | 'recvfrom' | 'sendto' | 'close' | 'await-client';

interface Outstanding {
  kind: Kind;
  request: AcceptRequest | CompletionRequest | RecvRequest | RecvFromRequest | (() => void);
  /** The socket the request is about (for an accept: the listener). */
  socket: SocketHandle;
  /** Caller buffers the routine thread sends from by address: referenced until completion. */
  keep: readonly Uint8Array[] | null;
}

/** Counters of the routine thread, for tests and diagnosis. */
export interface RoutineDiagnostics {
  /** Win32 id of Node's thread (the loop's). */
  loopThreadId: number;
  /** Win32 id of the routine thread, which starts every operation (0 until it has started). */
  routineThreadId: number;
  /** Completion routines run so far. */
  routinesRun: number;
  /** Of them, routines that ran outside the routine thread's alertable waits (always 0). */
  routinesElsewhere: number;
  /** Alertable waits that ended with WAIT_IO_COMPLETION. */
  alertedWaits: number;
  /** Completion batches the routine thread sent. */
  batches: number;
}

/** How long the process's exit waits for routine threads to leave their loops (they leave within one wake). */
const EXIT_WAIT_MS = 2000;

/** Routine-notified proactors whose threads must be let go when the process exits. */
const live = new Set<RoutineProactor>();
let exitHookInstalled = false;

/** The completion-routine proactor (loop's-thread side). */
export class RoutineProactor implements Proactor {
  readonly kind = 'proactor' as const;
  readonly name = 'overlapped';
  /** Accepts kept posted per listener (see `AcceptKeeper`). */
  readonly acceptsAhead: number;
  /** Each accepting listener's keeper: the policy runs on this side, each accept on the routine thread. */
  readonly #accepts = new Map<SocketHandle, AcceptKeeper>();
  /** Wakes the loop: SetEvent on an event the routine thread waits on. */
  readonly wakeToken: EventWakeToken;
  readonly #win = windows();
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #requestEvent: number;
  readonly #wakeEvent: number;
  readonly #control = new Int32Array(new SharedArrayBuffer(P.CONTROL_WORDS * 4));
  readonly #stats = new Float64Array(new SharedArrayBuffer(P.STAT_WORDS * 8));
  readonly #outstanding = new Map<number, Outstanding>();
  /** Sockets being closed: an accept on one of them that still succeeds is undone. */
  readonly #closing = new Set<SocketHandle>();
  #nextId = 1;
  // The request batch being built.
  #words: number[] = [];
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #flushScheduled = false;
  // Completion batches the port's listener received before a poll pulled them.
  #inbox: P.Batch[] = [];
  #resolve: ((n: number) => void) | null = null;
  #reject: ((error: unknown) => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #wakePending = false;
  #failure: unknown = null;
  #closed = false;
  /** An empty batch (a wake-up through the wake token) was delivered by this drain. */
  #woken = false;
  #threadGone = false;

  /**
   * Creates the events and starts the routine thread.
   * @throws RangeError for an out-of-range option.
   */
  constructor(options: OverlappedOptions = {}) {
    const settings = OverlappedProactor.settings(options);
    this.acceptsAhead = settings.acceptsAhead;
    const k32 = this.#win.kernel32;
    // Auto-reset: one SetEvent ends one wait.
    this.#requestEvent = k32.CreateEventW(0, 0, 0, 0);
    this.#wakeEvent = k32.CreateEventW(0, 0, 0, 0);
    if (!this.#requestEvent || !this.#wakeEvent) throw new Error(`CreateEventW failed with error ${k32.GetLastError()}`);
    this.wakeToken = { kind: 'event', handle: this.#wakeEvent };
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const data: P.RoutineThreadData = {
      port: port2,
      requestEvent: this.#requestEvent,
      wakeEvent: this.#wakeEvent,
      control: this.#control.buffer as SharedArrayBuffer,
      stats: this.#stats.buffer as SharedArrayBuffer,
      options: settings,
    };
    this.#worker = new Worker(new URL('./routine-thread.js', import.meta.url), { workerData: data, transferList: [port2] });
    this.#worker.unref();
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => {
      this.#threadGone = true;
      if (!this.#closed && Atomics.load(this.#control, P.CONTROL_EXIT) === P.EXIT_NONE) this.#fail(new Error(`the completion-routine thread exited (code ${code})`));
    });
    this.#port.on('message', (batch: P.Batch) => {
      this.#inbox.push(batch);
      if (this.#resolve) this.#settle();
    });
    this.#port.unref();
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      onProcessExit(() => {
        for (const proactor of live) proactor._stopAtExit();
        // Node then terminates the Workers: a routine thread still inside a
        // native call (or running a completion routine called from one) would
        // abort the process as its isolate goes (N-API cannot throw then).
        // So wait, briefly, until each thread has left its loop.
        const deadline = Date.now() + EXIT_WAIT_MS;
        for (const proactor of live) proactor._awaitThreadGone(deadline);
      });
    }
    live.add(this);
  }

  /**
   * Named pipes, started on the routine thread like sockets: ReadFileEx and
   * WriteFileEx with a completion routine, ConnectNamedPipe with the event
   * AcceptEx and ConnectEx share (it takes no routine).
   */
  readonly namedPipes: NamedPipeOperations = {
    associatePipe: (handle) => {
      this.#words.push(P.OP_ASSOCIATE_PIPE, handle);
      this.#queued();
      return 0;
    },
    awaitClient: (handle, request) => {
      const id = this.#register('await-client', request, handle, null);
      this.#words.push(P.OP_AWAIT_CLIENT, id, handle);
      this.#queued();
    },
  };

  // ---- requests ----

  /** Registers a socket core created, with its family, on the routine thread. Always 0: nothing can fail here. */
  associate(socket: SocketHandle, family: AddressFamily, _kind?: SocketKind): number {
    this.#words.push(P.OP_ASSOCIATE, socket, family === 'ipv6' ? 1 : 0);
    this.#queued();
    return 0;
  }

  startAccepting(socket: SocketHandle, family: AddressFamily, listener: AcceptListener): void {
    let keeper = this.#accepts.get(socket);
    if (!keeper) {
      keeper = new AcceptKeeper(this.acceptsAhead, (request) => this.#acceptOne(socket, family, request), (code) => code === C.WSAEWOULDBLOCK);
      this.#accepts.set(socket, keeper);
    }
    keeper.start(listener);
  }

  stopAccepting(socket: SocketHandle): void {
    this.#accepts.get(socket)?.stop();
  }

  /** Queues an AcceptEx on the listening `socket`. */
  #acceptOne(socket: SocketHandle, family: AddressFamily, request: AcceptRequest): void {
    const id = this.#register('accept', request, socket, null);
    this.#words.push(P.OP_ACCEPT, id, socket, family === 'ipv6' ? 1 : 0, request.optional === true ? 1 : 0);
    this.#queued();
  }

  /** Queues a ConnectEx to the sockaddr in `address` (copied into the batch). */
  connect(socket: SocketHandle, family: AddressFamily, address: Buffer, length: number, request: CompletionRequest): void {
    const id = this.#register('connect', request, socket, null);
    this.#words.push(P.OP_CONNECT, id, socket, family === 'ipv6' ? 1 : 0, length);
    this.#stage(address.subarray(0, length));
    this.#queued();
  }

  /** Queues a WSARecv (with the completion routine). */
  recv(socket: SocketHandle, request: RecvRequest): void {
    const id = this.#register('recv', request, socket, null);
    this.#words.push(P.OP_RECV, id, socket);
    this.#queued();
  }

  /** Queues a WSASend of `buffers`: copied into the batch when small, else sent from them in place (kept referenced until completion). */
  send(socket: SocketHandle, buffers: readonly Uint8Array[], request: CompletionRequest): void {
    const id = this.#register('send', request, socket, null);
    this.#words.push(P.OP_SEND, id, socket);
    this.#pieces(id, buffers);
    this.#queued();
  }

  /** Queues a WSARecvFrom. */
  recvFrom(socket: SocketHandle, request: RecvFromRequest): void {
    const id = this.#register('recvfrom', request, socket, null);
    this.#words.push(P.OP_RECVFROM, id, socket);
    this.#queued();
  }

  /** Queues a WSASendTo of `buffers` to the sockaddr in `address`. */
  sendTo(socket: SocketHandle, buffers: readonly Uint8Array[], address: Buffer, length: number, request: CompletionRequest): void {
    const id = this.#register('sendto', request, socket, null);
    this.#words.push(P.OP_SENDTO, id, socket, length);
    this.#stage(address.subarray(0, length));
    this.#pieces(id, buffers);
    this.#queued();
  }

  /** Queues a close: the routine thread cancels, closes, waits for every completion; `done` runs after they were reported. */
  closeSocket(socket: SocketHandle, done: () => void): void {
    this.#accepts.get(socket)?.stop();
    this.#accepts.delete(socket);
    this.#closing.add(socket);
    const id = this.#register('close', done, socket, null);
    this.#words.push(P.OP_CLOSE, id, socket);
    this.#queued();
  }

  #register(kind: Kind, request: Outstanding['request'], socket: SocketHandle, keep: Outstanding['keep']): number {
    const id = this.#nextId++;
    this.#outstanding.set(id, { kind, request, socket, keep });
    return id;
  }

  #stage(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.#chunks.push(bytes);
    this.#bytes += bytes.byteLength;
  }

  /** Appends a send's pieces: inline (copied into the batch) when small, else by address. */
  #pieces(id: number, buffers: readonly Uint8Array[]): void {
    let total = 0;
    for (const b of buffers) total += b.byteLength;
    if (total <= INLINE_SEND) {
      this.#words.push(total, 0);
      for (const b of buffers) this.#stage(b);
      return;
    }
    const kept: Uint8Array[] = [];
    for (const b of buffers) {
      if (b.byteLength === 0) continue;
      // A resizable ArrayBuffer could shrink under Winsock: send a copy of it.
      const stable = (b.buffer as ArrayBuffer & { resizable?: boolean }).resizable ? Buffer.from(b) : b;
      kept.push(stable);
    }
    this.#words.push(0, kept.length);
    for (const b of kept) this.#words.push(addressOf(b), b.byteLength);
    this.#outstanding.get(id)!.keep = kept;
  }

  /** A request was queued: a wait in progress must not sit on it. */
  #queued(): void {
    if (this.#resolve && !this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  /** Posts the request batch and sets the request event. */
  #flush(): void {
    this.#flushScheduled = false;
    if (this.#words.length === 0 || this.#closed) return;
    const data = P.joinChunks(this.#chunks, this.#bytes);
    const batch: P.Batch = { w: this.#words, d: data };
    this.#port.postMessage(batch, data ? [data] : []);
    this.#words = [];
    this.#chunks = [];
    this.#bytes = 0;
    // A busy routine thread looks at its port before it waits again.
    if (Atomics.load(this.#control, P.CONTROL_SLEEPING) === 1) this.#win.kernel32.SetEvent(this.#requestEvent);
  }

  // ---- completions ----

  /**
   * Sends the queued requests (one batch), then reports the completions
   * received, in order; when there is none and `timeoutMs` allows, waits for
   * the next batch (a Promise). Node's thread never blocks.
   */
  poll(timeoutMs: number): number | Promise<number> {
    if (this.#closed) return 0;
    if (this.#failure) throw this.#failure;
    this.#flush();
    const n = this.#drain();
    if (n > 0 || timeoutMs === 0 || this.#woken || this.#wakePending) {
      this.#woken = this.#wakePending = false;
      return n;
    }
    return new Promise<number>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      this.#port.ref();
      if (timeoutMs > 0) this.#timer = setTimeout(() => this.#settle(), timeoutMs);
    });
  }

  /** Makes a wait in progress, or the next poll, return. */
  wake(): void {
    if (this.#resolve) this.#settle();
    else this.#wakePending = true;
  }

  #settle(): void {
    const resolve = this.#resolve;
    if (!resolve) return;
    this.#resolve = null;
    this.#reject = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#port.unref();
    const n = this.#drain();
    this.#woken = false;
    resolve(n);
  }

  #fail(error: unknown): void {
    this.#failure ??= error;
    const reject = this.#reject;
    if (!reject) return;
    this.#resolve = null;
    this.#reject = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#port.unref();
    reject(error);
  }

  /** Reports every completion received so far, in order. */
  #drain(): number {
    let n = 0;
    const inbox = this.#inbox;
    if (inbox.length > 0) {
      this.#inbox = [];
      for (const batch of inbox) n += this.#deliver(batch);
    }
    for (let m = receiveMessageOnPort(this.#port); m !== undefined; m = receiveMessageOnPort(this.#port)) n += this.#deliver(m.message as P.Batch);
    return n;
  }

  #deliver(batch: P.Batch): number {
    const w = batch.w;
    if (w.length === 0) this.#woken = true;
    const data = batch.d ? Buffer.from(batch.d) : null;
    let at = 0;
    let n = 0;
    for (let i = 0; i < w.length; ) {
      const id = w[i++]!;
      let status = w[i++]!;
      const entry = this.#outstanding.get(id);
      if (!entry) throw new Error(`completion of unknown request ${id}`);
      this.#outstanding.delete(id);
      n++;
      switch (entry.kind) {
        case 'accept': {
          let socket = w[i++]!;
          const backlog = w[i++] === 1;
          if (status === 0 && this.#closing.has(entry.socket)) {
            // Accepted just before its listener's close reached the routine
            // thread: close it there, and report the accept as cancelled.
            this.closeSocket(socket, () => {});
            status = C.ERROR_OPERATION_ABORTED;
            socket = -1;
          }
          (entry.request as AcceptRequest).complete(status, socket, backlog);
          break;
        }
        case 'recv': {
          const length = w[i++]!;
          const source = w[i++]!;
          let bytes: Uint8Array | null = null;
          if (source >= 0) {
            bytes = Buffer.from(batch.x![source]!);
          } else if (length > 0) {
            bytes = data!.subarray(at, at + length);
            at += length;
          } else if (length === 0) {
            bytes = EMPTY;
          }
          (entry.request as RecvRequest).complete(status, bytes);
          break;
        }
        case 'recvfrom': {
          const length = w[i++]!;
          const fromLength = w[i++]!;
          let bytes: Uint8Array | null = null;
          let from: Buffer | null = null;
          if (length >= 0) {
            bytes = length > 0 ? data!.subarray(at, at + length) : EMPTY;
            at += length;
            from = Buffer.from(data!.subarray(at, at + fromLength));
            at += fromLength;
          }
          (entry.request as RecvFromRequest).complete(status, bytes, from);
          break;
        }
        case 'close':
          this.#closing.delete(entry.socket);
          (entry.request as () => void)();
          break;
        default:
          (entry.request as CompletionRequest).complete(status);
      }
    }
    // What the completions asked for goes out with the next poll's batch.
    return n;
  }

  // ---- lifecycle ----

  /** Live counts: the routine thread's (as of its last batch) and requests not yet reported here. */
  stats(): Record<string, number> {
    const s = this.#stats;
    return {
      liveOperations: s[P.STAT_LIVE_OPERATIONS]!,
      buffersInUse: s[P.STAT_BUFFERS_IN_USE]!,
      buffersAllocated: s[P.STAT_BUFFERS_ALLOCATED]!,
      openSockets: s[P.STAT_OPEN_SOCKETS]!,
      eventOperations: s[P.STAT_EVENT_OPERATIONS]!,
      requestsInFlight: this.#outstanding.size,
    };
  }

  /** Thread ids and counters showing where the routines ran. */
  diagnostics(): RoutineDiagnostics {
    const s = this.#stats;
    return {
      loopThreadId: this.#win.kernel32.GetCurrentThreadId(),
      routineThreadId: s[P.STAT_THREAD_ID]!,
      routinesRun: s[P.STAT_ROUTINES_RUN]!,
      routinesElsewhere: s[P.STAT_ROUTINES_ELSEWHERE]!,
      alertedWaits: s[P.STAT_ALERTED_WAITS]!,
      batches: s[P.STAT_BATCHES]!,
    };
  }

  /**
   * Stops the routine thread, which releases its native memory, then closes
   * the events. Blocks until the thread is done (it is woken at once).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    live.delete(this);
    if (this.#resolve) this.#settle();
    Atomics.store(this.#control, P.CONTROL_EXIT, P.EXIT_CLOSE);
    this.#win.kernel32.SetEvent(this.#requestEvent);
    const done = Atomics.wait(this.#control, P.CONTROL_DONE, 0, CLOSE_WAIT_MS) !== 'timed-out' || Atomics.load(this.#control, P.CONTROL_DONE) === 1;
    // A thread that never started cannot be waiting on the events either.
    if (done || this.#threadGone) {
      this.#win.kernel32.CloseHandle(this.#requestEvent);
      this.#win.kernel32.CloseHandle(this.#wakeEvent);
    }
    this.#port.close();
    void this.#worker.terminate();
  }

  /** @internal Lets the routine thread go when the process exits, so exit does not wait for it. */
  _stopAtExit(): void {
    Atomics.store(this.#control, P.CONTROL_EXIT, P.EXIT_PROCESS);
    this.#win.kernel32.SetEvent(this.#requestEvent);
  }

  /** @internal Blocks until the routine thread has left its loop (CONTROL_DONE), or `deadline` (Date.now()) passes. */
  _awaitThreadGone(deadline: number): void {
    if (this.#threadGone) return;
    for (let left = deadline - Date.now(); left > 0 && Atomics.load(this.#control, P.CONTROL_DONE) === 0; left = deadline - Date.now()) {
      Atomics.wait(this.#control, P.CONTROL_DONE, 0, left);
    }
  }
}
