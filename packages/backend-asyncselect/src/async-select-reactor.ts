/**
 * The WSAAsyncSelect reactor. Winsock reports a registered socket's network
 * events as window messages (wParam: the socket, lParam: the event in its low
 * word, `WSAGETSELECTEVENT`, and an error code in its high word,
 * `WSAGETSELECTERROR`). The messages go to a message-only window owned by a
 * pump thread of the reactor's own (see `pump-thread.ts`), which forwards
 * them in batches through a shared ring; the loop's thread reads the ring in
 * {@link AsyncSelectReactor.poll} without any thread hop, and waits for the
 * pump's postMessage only when the ring is empty.
 *
 * The model's rules, and how they are kept:
 * - Each `WSAAsyncSelect` call replaces the socket's previous registration:
 *   a socket is registered once, for all its network events; interest
 *   changes need no native call, since core's adapter attempts every
 *   operation before it waits (Winsock's re-enabling rule) and remembers
 *   readiness it has no use for yet.
 * - Every registration gets a message number of its own (from the WM_USER
 *   range), so a message posted before the socket was unregistered, or for a
 *   registration it replaced, or for an earlier socket with the same handle
 *   value, is recognised and dropped: `WSAAsyncSelect(s, hwnd, 0, 0)` stops
 *   new messages but cannot recall those already queued.
 * - A socket accepted from a listening socket inherits the listener's
 *   registration (its message number, with the new socket as wParam); those
 *   messages are dropped until core registers the socket, and the new
 *   `WSAAsyncSelect` makes Winsock post again whatever has already happened
 *   (data waiting, room to write).
 * - One recv per FD_READ message: {@link AsyncSelectReactor.readsPerEvent}
 *   is 1; a recv that leaves data behind makes Winsock post FD_READ again.
 * - `WSAAsyncSelect` sets the socket non-blocking (core's sockets already are).
 * - A connect that already failed when its socket is registered: Windows
 *   posts FD_CONNECT with the error for an event that happened before the
 *   `WSAAsyncSelect` call. Wine 8 drops it (the new registration clears the
 *   socket's pending events, and a socket whose connect failed reports no
 *   more events), so a socket registered while writes or a connect wait
 *   (interest includes writing) has its error state (SO_ERROR) checked once,
 *   and a pending error is reported as a failed connect would be; an
 *   FD_CONNECT that follows is then dropped as a duplicate.
 * - FD_CLOSE is the last message of a socket, and the documentation tells
 *   applications to read what remains when it arrives (Wine posts it together
 *   with the last FD_READ when data and FIN arrive together): a socket that
 *   reported FD_CLOSE is reported readable on every poll while its interest
 *   includes reading, until the adapter has read the end of stream.
 * @module
 */
import { threadId, Worker } from 'node:worker_threads';
import { onProcessExit, type Proactor, Readiness, type Reactor, type ReadinessListener, type SocketHandle, socketApi, type WindowWakeToken } from '@wsaloop/core/backend';
import { user32, windows, WinsockConstants as C } from '@wsaloop/core/winsock';
import { ALL_NETWORK_EVENTS, NetworkEventLedger, PipeSidecar, readinessOf } from '@wsaloop/winsock-kit';
import * as P from './protocol.js';

const TWO_32 = 0x100000000;
/** How long a registration may wait for the pump thread's window (a Worker starts slowly under Wine). */
const STARTUP_TIMEOUT_MS = 30_000;

interface Registration {
  readonly socket: SocketHandle;
  /** The window message this registration's events arrive as. */
  readonly message: number;
  listener: ReadinessListener;
  interest: number;
  /** False once unregistered or replaced. */
  active: boolean;
  /** The connect outcome was reported from the socket's error state: a later FD_CONNECT is a duplicate. */
  connectReported: boolean;
}

/** What {@link AsyncSelectReactor.pumpInfo} reports about the pump thread and its window. */
export interface PumpInfo {
  /** `starting` until the window exists, then `ready`; `stopped` once torn down; `failed` if it could not be created. */
  state: 'starting' | 'ready' | 'failed' | 'stopped';
  /** The message-only window (0 before it exists). */
  hwnd: number;
  /** The window class registered for it (unique per loop). */
  className: string;
  /** Win32 id of the pump thread (0 before the window exists). */
  threadId: number;
  /** Messages dropped because their registration was gone or replaced (see the module comment). */
  staleMessages: number;
  /** Messages forwarded by the pump and read by the loop so far, wake-ups included. */
  messagesRead: number;
}

const STATE_NAMES = ['starting', 'ready', 'failed', 'stopped'] as const;

/** {@link Reactor} over WSAAsyncSelect and a message-only window pumped on a thread of its own. */
export class AsyncSelectReactor implements Reactor {
  /** Always `reactor`. */
  readonly kind = 'reactor' as const;
  /** Always `asyncselect`. */
  readonly name = 'asyncselect';
  /** One recv per FD_READ message, as the model requires (see the module comment). */
  readonly readsPerEvent = 1;
  readonly #ws2 = windows().ws2;
  readonly #api = socketApi();
  readonly #user32 = user32();
  readonly #shared = new SharedArrayBuffer(P.SHARED_BYTES);
  readonly #ctl = new Int32Array(this.#shared);
  readonly #className: string;
  readonly #worker: Worker;
  readonly #stopped: Promise<void>;
  readonly #registrations = new Map<SocketHandle, Registration>();
  /** Named pipes, which WSAAsyncSelect cannot take: overlapped I/O whose events are waited on beside the window. */
  readonly #pipes = new PipeSidecar();
  /** FD_CLOSE'd sockets and readiness learned outside the messages (see the module comment). */
  readonly #ledger = new NetworkEventLedger<Registration>();
  #hwnd = 0;
  #nextMessage = P.FIRST_SOCKET_MESSAGE;
  #read = 0;
  #staleMessages = 0;
  #messagesRead = 0;
  #resolve: ((n: number) => void) | null = null;
  #reject: ((error: unknown) => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #wakePending = false;
  #failure: Error | null = null;
  #closed = false;

  constructor() {
    // Window classes are process-wide: loops on other Worker threads count their own instances.
    this.#className = `wsaloop-asyncselect-${process.pid}-${threadId}-${++instances}`;
    const workerData: P.PumpData = { shared: this.#shared, className: this.#className };
    this.#worker = new Worker(new URL('./pump-thread.js', import.meta.url), { workerData });
    this.#worker.unref();
    this.#worker.on('message', () => this.#pumpSignalled());
    this.#worker.on('error', (error) => this.#pumpFailed(new Error(`asyncselect backend: the pump thread failed: ${String(error)}`)));
    this.#stopped = new Promise((resolve) => {
      this.#worker.once('exit', () => {
        if (!this.#closed) this.#pumpFailed(new Error('asyncselect backend: the pump thread exited'));
        resolve();
      });
    });
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // process.exit() joins every Worker: one parked in GetMessageW must be let go.
      onProcessExit(() => {
        for (const reactor of live) reactor._stopPumpAtExit();
      });
    }
  }

  /** Wakes the loop by posting the wake-up message to the reactor's window. */
  get wakeToken(): WindowWakeToken {
    return { kind: 'window', hwnd: this.#window(), message: P.WM_WAKE };
  }

  /**
   * Registers all of the socket's network events to a message number of the
   * registration's own. A socket registered again is registered anew (the
   * new `WSAAsyncSelect` replaces the old registration; its messages still
   * queued are dropped).
   */
  register(socket: SocketHandle, interest: number, listener: ReadinessListener): void {
    if (this.#closed) return;
    const hwnd = this.#window();
    const previous = this.#registrations.get(socket);
    if (previous) {
      previous.active = false;
      this.#ledger.forget(previous);
    }
    const registration: Registration = { socket, message: this.#allocateMessage(), listener, interest, active: true, connectReported: false };
    this.#registrations.set(socket, registration);
    if (this.#ws2.WSAAsyncSelect(socket, hwnd, registration.message, ALL_NETWORK_EVENTS) !== 0) {
      // Reported as a socket error: the adapter then meets the error itself.
      const errorCode = this.#ws2.WSAGetLastError();
      this.#ledger.defer(registration, Readiness.READABLE | Readiness.WRITABLE | Readiness.ERROR, errorCode);
      this.wake();
      return;
    }
    if (interest & Readiness.WRITABLE) {
      // See the module comment: a connect that failed before this call.
      const errorCode = this.#api.pendingError(socket);
      if (errorCode > 0) {
        registration.connectReported = true;
        this.#ledger.defer(registration, Readiness.WRITABLE | Readiness.ERROR, errorCode);
        this.wake();
      }
    }
  }

  /** Records the new interest. Natively nothing changes: every event stays registered (see the module comment). */
  modify(socket: SocketHandle, interest: number): void {
    const registration = this.#registrations.get(socket);
    if (registration) registration.interest = interest;
  }

  /**
   * Renews a listener's registration, under the same message number (its
   * messages still queued stay valid). Windows re-enables FD_ACCEPT on any
   * accept() call, even one that fails; Wine 8 can leave it disabled after
   * an accept() that would block, and then posts no FD_ACCEPT again: under
   * a burst beside 1000 idle connections the listener stopped for good
   * (the pump sat in GetMessageW with connections queued). A new
   * WSAAsyncSelect posts FD_ACCEPT at once if connections are queued.
   */
  acceptWouldBlock(socket: SocketHandle): void {
    const registration = this.#registrations.get(socket);
    if (!registration || !this.#hwnd) return;
    this.#ws2.WSAAsyncSelect(socket, this.#hwnd, registration.message, ALL_NETWORK_EVENTS);
  }

  /** Cancels the socket's registration (`WSAAsyncSelect(s, hwnd, 0, 0)`); its messages still queued are dropped. */
  unregister(socket: SocketHandle): void {
    const registration = this.#registrations.get(socket);
    if (!registration) return;
    this.#registrations.delete(socket);
    this.#ledger.forget(registration);
    registration.active = false;
    this.#ws2.WSAAsyncSelect(socket, this.#hwnd, 0, 0);
  }

  /**
   * Dispatches what the pump has forwarded; when nothing was and `timeoutMs`
   * is not 0, waits (off the loop's thread: the pump posts when it forwards)
   * for messages, the timeout, or {@link wake}.
   */
  poll(timeoutMs: number): number | Promise<number> {
    return this.#pipes.poll(timeoutMs, (t) => this.#pollSockets(t), () => this.#wakeSockets());
  }

  #pollSockets(timeoutMs: number): number | Promise<number> {
    if (this.#closed) return 0;
    if (this.#failure) throw this.#failure;
    const n = this.#ledger.report() + this.#drain();
    if (n > 0 || timeoutMs === 0 || this.#wakePending) {
      this.#wakePending = false;
      return n;
    }
    // Tell the pump to post to us, then look once more: it may have published
    // entries before it could see the flag. Entries that dispatch nothing
    // (stale messages, e.g. those of freshly accepted sockets) mean looking
    // again after raising the flag anew: the pump may have published more
    // while it was down, and would not post for them. Waiting then could
    // leave an FD_ACCEPT unseen in the ring, and Winsock posts no other
    // until accept() is called: the listener would stall.
    for (;;) {
      Atomics.store(this.#ctl, P.WAITING, 1);
      if (Atomics.load(this.#ctl, P.WRITE) === this.#read) break;
      Atomics.store(this.#ctl, P.WAITING, 0);
      const found = this.#drain();
      if (found > 0 || this.#wakePending) {
        this.#wakePending = false;
        return found;
      }
    }
    return new Promise<number>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      if (timeoutMs > 0) this.#timer = setTimeout(() => this.#settle(), timeoutMs);
      // Keep the process alive while the loop waits for I/O.
      this.#worker.ref();
    });
  }

  /** Ends a wait in progress, or makes the next poll return at once. From another thread, use {@link wakeToken}. */
  wake(): void {
    this.#wakeSockets();
    this.#pipes.wake();
  }

  #wakeSockets(): void {
    if (this.#resolve) this.#settle();
    else this.#wakePending = true;
  }

  /** The event-notified overlapped proactor that serves named pipes (see `PipeSidecar`). */
  get namedPipeProactor(): Proactor {
    return this.#pipes.proactor;
  }

  /** Cancels every registration and tears down the window, its class and the pump thread. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const registration of this.#registrations.values()) {
      registration.active = false;
      if (this.#hwnd) this.#ws2.WSAAsyncSelect(registration.socket, this.#hwnd, 0, 0);
    }
    this.#registrations.clear();
    this.#ledger.clear();
    this.#stopPump();
    live.delete(this);
    if (this.#resolve) this.#settle();
    this.#pipes.close();
  }

  /** `registeredSockets`: sockets registered with the window; `pipeOperations` and `pipeHandles` (see `PipeSidecar`). */
  stats(): Record<string, number> {
    return { registeredSockets: this.#registrations.size, ...this.#pipes.stats() };
  }

  /** The pump thread's state, window and counters (for diagnostics and tests). */
  pumpInfo(): PumpInfo {
    const state = Atomics.load(this.#ctl, P.STATE);
    return {
      state: STATE_NAMES[state] ?? 'failed',
      hwnd: this.#hwnd || (state === P.STATE_READY ? this.#publishedWindow() : 0),
      className: this.#className,
      threadId: state === P.STATE_STARTING ? 0 : this.#ctl[P.THREAD_ID]!,
      staleMessages: this.#staleMessages,
      messagesRead: this.#messagesRead,
    };
  }

  /** Settles once the pump thread has exited (after {@link close}, its window and class are gone by then). */
  whenPumpStopped(): Promise<void> {
    return this.#stopped;
  }

  /** @internal Lets the pump thread go when the process exits. */
  _stopPumpAtExit(): void {
    this.#stopPump();
  }

  #publishedWindow(): number {
    return (this.#ctl[P.HWND_LOW]! >>> 0) + (this.#ctl[P.HWND_HIGH]! >>> 0) * TWO_32;
  }

  /** The window, once the pump thread has created it: blocks the first caller while the Worker starts. */
  #window(): number {
    if (this.#hwnd) return this.#hwnd;
    if (this.#closed) throw new Error('asyncselect backend: the reactor is closed');
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    let state = Atomics.load(this.#ctl, P.STATE);
    while (state === P.STATE_STARTING) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`asyncselect backend: the pump thread did not create its window within ${STARTUP_TIMEOUT_MS} ms`);
      Atomics.wait(this.#ctl, P.STATE, P.STATE_STARTING, left);
      state = Atomics.load(this.#ctl, P.STATE);
    }
    if (state !== P.STATE_READY) {
      throw new Error(`asyncselect backend: cannot create the message-only window (native error ${this.#ctl[P.ERROR]})`);
    }
    this.#hwnd = this.#publishedWindow();
    return this.#hwnd;
  }

  #allocateMessage(): number {
    const message = this.#nextMessage;
    this.#nextMessage = message === P.LAST_SOCKET_MESSAGE ? P.FIRST_SOCKET_MESSAGE : message + 1;
    return message;
  }

  #stopPump(): void {
    Atomics.store(this.#ctl, P.STOP, 1);
    // A pump still starting sees the flag once its window exists.
    const hwnd = this.#hwnd || (Atomics.load(this.#ctl, P.STATE) === P.STATE_READY ? this.#publishedWindow() : 0);
    if (hwnd) this.#user32.PostMessageW(hwnd, P.WM_STOP, 0, 0);
    Atomics.notify(this.#ctl, P.READ);
    this.#worker.unref();
  }

  /** The pump posted: entries wait in the ring, or its state changed. */
  #pumpSignalled(): void {
    const state = Atomics.load(this.#ctl, P.STATE);
    if (state === P.STATE_FAILED && !this.#closed) {
      this.#pumpFailed(new Error(`asyncselect backend: cannot create the message-only window (native error ${this.#ctl[P.ERROR]})`));
      return;
    }
    // A post can trail a wait that already ended: only a wait in progress is settled.
    if (this.#resolve) this.#settle();
  }

  #pumpFailed(error: Error): void {
    if (this.#failure || this.#closed) return;
    this.#failure = error;
    const reject = this.#reject;
    if (!reject) return;
    this.#clearWait();
    reject(error);
  }

  #clearWait(): void {
    this.#resolve = this.#reject = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    Atomics.store(this.#ctl, P.WAITING, 0);
    this.#worker.unref();
  }

  /** Ends the wait in progress, dispatching what the ring holds. */
  #settle(): void {
    const resolve = this.#resolve;
    const reject = this.#reject;
    if (!resolve || !reject) return;
    this.#clearWait();
    this.#wakePending = false;
    if (this.#closed) return resolve(0);
    try {
      resolve(this.#ledger.report() + this.#drain());
    } catch (error) {
      reject(error);
    }
    this.#wakePending = false;
  }

  /**
   * Reads the ring up to what the pump has published and dispatches each
   * message, in the order Winsock posted them (FD_CONNECT before the FD_READ
   * that may follow it at once). Returns the messages dispatched.
   */
  #drain(): number {
    const ctl = this.#ctl;
    const end = Atomics.load(ctl, P.WRITE);
    let read = this.#read;
    if (read === end) return 0;
    let dispatched = 0;
    try {
      while (read !== end) {
        const at = P.HEADER_WORDS + (read & (P.RING_ENTRIES - 1)) * P.ENTRY_WORDS;
        const socket = (ctl[at]! >>> 0) + (ctl[at + 1]! >>> 0) * TWO_32;
        const message = ctl[at + 2]!;
        const lParam = ctl[at + 3]!;
        read = (read + 1) | 0;
        this.#read = read;
        this.#messagesRead++;
        if (message === P.WM_WAKE) {
          this.#wakePending = true;
          continue;
        }
        const registration = this.#registrations.get(socket);
        if (!registration || registration.message !== message) {
          this.#staleMessages++;
          continue;
        }
        dispatched += this.#dispatch(registration, lParam & 0xffff, lParam >>> 16);
      }
    } finally {
      Atomics.store(ctl, P.READ, this.#read);
    }
    return dispatched;
  }

  /**
   * Maps one message to readiness: FD_READ, FD_ACCEPT and FD_CLOSE make the
   * socket readable, FD_WRITE and FD_CONNECT writable; an error code adds
   * {@link Readiness.ERROR} and is passed on (a failed connect is FD_CONNECT
   * with an error).
   */
  #dispatch(registration: Registration, event: number, error: number): number {
    if (event === C.FD_CONNECT && registration.connectReported) return 0;
    let readiness = readinessOf(event);
    if (readiness === 0) return 0;
    if (event === C.FD_CLOSE) this.#ledger.hungUp(registration);
    if (error) readiness |= Readiness.ERROR;
    registration.listener.onReadiness(readiness, error);
    return 1;
  }
}

let instances = 0;
/** Reactors whose pump threads must be let go when the process exits. */
const live = new Set<AsyncSelectReactor>();
let exitHookInstalled = false;
