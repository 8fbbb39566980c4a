/**
 * The WSAEventSelect reactor: an event object per socket for the first 63,
 * then shared by up to {@link SOCKETS_PER_EVENT} sockets (core's
 * SharedEvents: a wait thread is a whole V8 isolate, so 10,000 sockets on
 * 10,000 events in 159 groups cost ~2 GB under Wine), associated with the
 * socket's network events by `WSAEventSelect`, waited on in groups of 63
 * events, one wait thread each (so the 64-handle limit of
 * `WSAWaitForMultipleEvents` does not apply), and read back with
 * `WSAEnumNetworkEvents`, whose per-event error codes (`iErrorCode`) are
 * passed to the listener. A shared event is reset before its sockets are
 * read (each with a NULL event, so reading one does not reset the event for
 * the others), and read again after a socket joined it.
 *
 * Every socket is registered once for all its network events. Winsock then
 * records each event once and again only after the matching call re-enabled
 * it (FD_READ after a recv, FD_WRITE after a send failed with WSAEWOULDBLOCK,
 * FD_ACCEPT after an accept); core's adapter attempts every operation before
 * it waits, which is exactly that rule, so interest changes need no native
 * call and nothing is ever masked out (an FD_READ that arrives while the
 * application does not read is remembered by the adapter, not dropped).
 *
 * Accepted sockets: a socket accepted from a listening socket inherits the
 * listener's registration, event object included, until it is registered
 * with its own. Meanwhile its events signal the listener's event; that only
 * wakes the listener's wait early, since `WSAEnumNetworkEvents` on the
 * listener reports the listener's own record (empty: nothing is reported).
 * The accepted socket's recorded events stay in its own record, and its own
 * `WSAEventSelect` signals its new event at once for them.
 *
 * End of stream: FD_CLOSE is the last event Winsock records for a socket,
 * and the documentation tells applications to read what remains when it
 * arrives (it may come together with the last FD_READ; Wine records both at
 * once when the peer's data and FIN arrive together). A socket that reported
 * FD_CLOSE is readable for good, so it is reported readable on every poll for
 * as long as its interest includes reading, until the adapter has read the
 * end of stream and stops reading (or the socket is unregistered).
 * @module
 */
import { type Proactor, Readiness, type Reactor, type ReadinessListener, type SocketHandle, type WakeToken } from '@wsaloop/core/backend';
import { addressOf, WinsockConstants as C, windows } from '@wsaloop/core/winsock';
import { ALL_NETWORK_EVENTS, NetworkEventLedger, PipeSidecar, readinessOf, type SharedEvent, SharedEvents } from '@wsaloop/winsock-kit';

/** What a socket whose registration or event read failed is reported as: the adapter's next attempts meet the error. */
const FAILED = Readiness.READABLE | Readiness.WRITABLE | Readiness.ERROR;
/** sizeof(WSANETWORKEVENTS): long lNetworkEvents, int iErrorCode[FD_MAX_EVENTS]. */
const NETWORK_EVENTS_SIZE = 4 + 4 * C.FD_MAX_EVENTS;
/**
 * Sockets per event object once 63 events exist (one wait thread's worth).
 * A signal then costs a WSAEnumNetworkEvents per socket of the event, so
 * this trades a busy server's scans against wait threads (each a V8
 * isolate, several MB): at 64, 4032 sockets share one thread.
 */
export const SOCKETS_PER_EVENT = 64;

interface Registration {
  readonly socket: SocketHandle;
  /** The event object the socket signals (shared, see {@link SOCKETS_PER_EVENT}); null when none could be created. */
  readonly shared: SharedEvent<Registration> | null;
  listener: ReadinessListener;
  interest: number;
  /** False once unregistered: reports still queued for it are dropped. */
  active: boolean;
}

/**
 * Readiness for one socket as `WSAEnumNetworkEvents` found it, split in the
 * order the adapter must see it: the connect outcome before anything else,
 * so a FD_READ recorded together with FD_CONNECT is not taken for part of
 * the connect.
 */
interface Decoded {
  connect: number;
  connectError: number;
  other: number;
  otherError: number;
  /** FD_CLOSE was among the events. */
  hungUp: boolean;
}

/** {@link Reactor} over WSAEventSelect and the shared event-group waiter. */
export class EventSelectReactor implements Reactor {
  /** Always `reactor`. */
  readonly kind = 'reactor' as const;
  /** Always `eventselect`. */
  readonly name = 'eventselect';
  readonly #win = windows();
  readonly #events = new SharedEvents<Registration>({ perEvent: SOCKETS_PER_EVENT });
  readonly #registrations = new Map<SocketHandle, Registration>();
  /** FD_CLOSE'd sockets and failed registrations (see the module comment). */
  readonly #ledger = new NetworkEventLedger<Registration>();
  readonly #networkEvents = Buffer.alloc(NETWORK_EVENTS_SIZE);
  /** Where #networkEvents is: WSAEnumNetworkEvents takes an address (core's library.ts says why). */
  readonly #networkEventsAddress = addressOf(this.#networkEvents);
  readonly #decoded: Decoded = { connect: 0, connectError: 0, other: 0, otherError: 0, hungUp: false };
  /** Named pipes, which WSAEventSelect cannot take: overlapped I/O whose events have wait groups of their own. */
  readonly #pipes = new PipeSidecar();
  #waiting = false;
  #foundWork = false;
  #closed = false;

  /** The event-notified overlapped proactor that serves named pipes (see `PipeSidecar`). */
  get namedPipeProactor(): Proactor {
    return this.#pipes.proactor;
  }

  /** Wakes the loop through the first wait group's control event (`SetEvent`). */
  get wakeToken(): WakeToken {
    return this.#events.wakeToken;
  }

  /**
   * Creates the socket's event object and associates it with all of the
   * socket's network events. A socket registered again keeps its event and
   * only changes listener and interest.
   */
  register(socket: SocketHandle, interest: number, listener: ReadinessListener): void {
    if (this.#closed) return;
    const existing = this.#registrations.get(socket);
    if (existing) {
      existing.listener = listener;
      existing.interest = interest;
      return;
    }
    const { ws2 } = this.#win;
    let shared: SharedEvent<Registration>;
    try {
      shared = this.#events.take(); // marked to be looked at before the next wait
    } catch {
      // WSA_INVALID_EVENT: report the failure as a socket error on the next poll.
      const registration: Registration = { socket, shared: null, listener, interest, active: true };
      this.#ledger.defer(registration, FAILED, ws2.WSAGetLastError());
      this.#registrations.set(socket, registration);
      this.#wakeIfWaiting();
      return;
    }
    const registration: Registration = { socket, shared, listener, interest, active: true };
    this.#registrations.set(socket, registration);
    this.#events.add(shared, registration);
    // Also makes the socket non-blocking (it already is) and, for a socket
    // accepted from a listener, replaces the registration it inherited.
    if (ws2.WSAEventSelect(socket, shared.event, ALL_NETWORK_EVENTS) !== 0) {
      this.#ledger.defer(registration, FAILED, ws2.WSAGetLastError());
    }
    this.#wakeIfWaiting();
  }

  /** Records the new interest. Natively nothing changes: every event stays registered (see the module comment). */
  modify(socket: SocketHandle, interest: number): void {
    const registration = this.#registrations.get(socket);
    if (registration) registration.interest = interest;
  }

  /**
   * Cancels the socket's association (`WSAEventSelect(s, NULL, 0)`) and
   * gives its place on its event object back (events are kept for reuse).
   */
  unregister(socket: SocketHandle): void {
    const registration = this.#registrations.get(socket);
    if (!registration) return;
    this.#registrations.delete(socket);
    this.#ledger.forget(registration);
    registration.active = false;
    if (!registration.shared) return;
    this.#win.ws2.WSAEventSelect(socket, 0, 0);
    this.#events.leave(registration.shared, registration);
  }

  /**
   * Reports the sockets whose events are signalled, after reading and
   * resetting each one's network events; waits (on the group threads, off
   * the loop's thread) only when a look found nothing and `timeoutMs` is not 0.
   */
  poll(timeoutMs: number): number | Promise<number> {
    return this.#pipes.poll(timeoutMs, (t) => this.#pollSockets(t), () => this.#wakeSockets());
  }

  #pollSockets(timeoutMs: number): number | Promise<number> {
    if (this.#closed) return 0;
    let n = this.#ledger.report();
    // Look without blocking (every group scanned, no thread hop) when the
    // caller must not block, when there is already something to report, or
    // when the last poll found several sockets ready: under load a look is
    // likely to find more. A loop that always has other work (it polls with
    // timeout 0 only) never arms the wait threads: only a look serves it.
    if (timeoutMs === 0 || n > 0 || this.#foundWork) {
      n += this.#dispatch(this.#events.check());
      if (n > 0 || timeoutMs === 0) {
        this.#foundWork = n > 1;
        return n;
      }
    }
    const result = this.#events.wait(timeoutMs, false);
    if (Array.isArray(result)) {
      n = this.#dispatch(result);
      this.#foundWork = n > 1;
      return n;
    }
    this.#waiting = true;
    return result.then((items) => {
      this.#waiting = false;
      const found = this.#dispatch(items);
      this.#foundWork = found > 1;
      return found;
    });
  }

  /** Ends a wait in progress, or makes the next poll return at once. From another thread, use {@link wakeToken}. */
  wake(): void {
    this.#wakeSockets();
    this.#pipes.wake();
  }

  #wakeSockets(): void {
    if (!this.#closed) this.#events.wake();
  }

  /** Stops the wait threads and closes every event object. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const registration of this.#registrations.values()) {
      registration.active = false;
      if (registration.shared) this.#win.ws2.WSAEventSelect(registration.socket, 0, 0);
    }
    this.#registrations.clear();
    this.#ledger.clear();
    this.#events.close();
    this.#pipes.close();
  }

  /**
   * `registeredSockets`: sockets registered; `eventObjects`: event objects
   * some registered socket signals; `eventsAllocated`, `waitGroupsAllocated`:
   * event objects and wait groups (and threads) created, kept for reuse.
   */
  stats(): Record<string, number> {
    return {
      registeredSockets: this.#registrations.size,
      eventObjects: this.#events.liveEvents,
      eventsAllocated: this.#events.eventsAllocated,
      waitGroupsAllocated: this.#events.groups,
      ...this.#pipes.stats(),
    };
  }

  #wakeIfWaiting(): void {
    // A socket added to a group whose thread is already waiting is only
    // waited on once that group re-arms: end the wait in flight.
    if (this.#waiting) this.#events.wake();
  }

  /**
   * Reads and resets the network events of every socket of each signalled (or
   * just joined) event and reports them; returns the sockets reported. An
   * event of one socket is reset by WSAEnumNetworkEvents itself, atomically
   * with the read; a shared one is reset first, then each of its sockets is
   * read without touching it (a socket recording an event after the reset
   * sets it again).
   */
  #dispatch(signalled: readonly SharedEvent<Registration>[]): number {
    const { ws2 } = this.#win;
    const record = this.#networkEvents;
    const d = this.#decoded;
    // Listeners may unregister sockets (and so reorder members) while we report: take them first.
    const items: Registration[] = [];
    const resets: number[] = [];
    for (const shared of signalled) {
      const alone = shared.members.length === 1;
      if (!alone) this.#events.reset(shared);
      for (const registration of shared.members) {
        items.push(registration);
        resets.push(alone ? shared.event : 0);
      }
    }
    let dispatched = 0;
    for (let i = 0; i < items.length; i++) {
      const registration = items[i]!;
      // A listener run earlier in this batch may have closed this socket.
      if (!registration.active) continue;
      if (ws2.WSAEnumNetworkEvents(registration.socket, resets[i]!, this.#networkEventsAddress) !== 0) {
        const errorCode = ws2.WSAGetLastError();
        // Left signalled, the event would end every wait at once.
        if (resets[i]) ws2.WSAResetEvent(resets[i]!);
        dispatched++;
        registration.listener.onReadiness(FAILED, errorCode);
        continue;
      }
      if (!decode(record, d)) continue; // signalled for a socket accepted from this one, or already consumed
      dispatched++;
      if (d.hungUp) this.#ledger.hungUp(registration);
      if (d.connect) {
        registration.listener.onReadiness(d.connect, d.connectError);
        if (!registration.active) continue;
      }
      if (d.other) registration.listener.onReadiness(d.other, d.otherError);
    }
    return dispatched;
  }
}

/**
 * Maps a WSANETWORKEVENTS record to readiness: FD_READ, FD_ACCEPT and FD_CLOSE
 * make a socket readable, FD_WRITE and FD_CONNECT writable; a nonzero
 * `iErrorCode` of a reported event adds {@link Readiness.ERROR} and is passed
 * on (a failed connect is FD_CONNECT with an error). Returns false when no
 * event was recorded.
 */
function decode(record: Buffer, out: Decoded): boolean {
  const events = record.readInt32LE(0);
  const code = (bit: number): number => record.readInt32LE(4 + 4 * bit);
  out.connect = out.connectError = out.other = out.otherError = 0;
  out.hungUp = (events & C.FD_CLOSE) !== 0;
  if (events === 0) return false;
  if (events & C.FD_CONNECT) {
    out.connectError = code(C.FD_CONNECT_BIT);
    out.connect = Readiness.WRITABLE | (out.connectError ? Readiness.ERROR : 0);
  }
  const take = (fd: number, bit: number): void => {
    if (!(events & fd)) return;
    out.other |= readinessOf(fd);
    const error = code(bit);
    if (error) {
      out.other |= Readiness.ERROR;
      if (!out.otherError) out.otherError = error;
    }
  };
  // FD_CLOSE first: its error (a reset, an abort) is the one that matters.
  take(C.FD_CLOSE, C.FD_CLOSE_BIT);
  take(C.FD_READ, C.FD_READ_BIT);
  take(C.FD_ACCEPT, C.FD_ACCEPT_BIT);
  take(C.FD_WRITE, C.FD_WRITE_BIT);
  return out.connect !== 0 || out.other !== 0;
}
