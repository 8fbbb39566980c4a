/**
 * The select reactor: registrations in a map, one readiness wait per poll.
 *
 * The wait runs on the loop's thread when it cannot block (timeout 0, or the
 * previous poll found several sockets ready, so a zero-timeout look is likely
 * to find more and saves the thread hop), and on a pool thread otherwise. Interest changes made
 * while a wait is in flight only mark the arrays stale; the adapter wakes the
 * wait and the next poll rebuilds them.
 *
 * On Windows the reactor also serves named pipes (`PipeSidecar`), whose wait
 * runs beside this one. When a pipe answers first, the socket wait is not
 * woken: it is carried to the next poll, which waits on it again (with a
 * timer of its own when it must end sooner), and what it reports meanwhile
 * is dispatched by that poll. Waking it cost a wake-up, a wait's return and
 * a new wait per pipe round trip. A carried wait that no poll picks up
 * within 50 ms (the loop stopped) is woken then, and at process exit, so no
 * select stays parked on a pool thread.
 * @module
 */
import { onProcessExit, type Proactor, Readiness, type Reactor, type ReadinessListener, type SocketHandle, type WakeToken } from '@wsaloop/core/backend';
import type { PipeSidecar, SocketWaitCarrier } from '@wsaloop/winsock-kit';
import type { ReadinessWaiter, WatchedSocket } from './waiter.js';

/**
 * Reactors of this thread whose wait may be carried past a poll: at exit each
 * wait in flight is woken, as the loop's exit guard wakes a polling loop's
 * (Node joins its thread pool at exit, and a parked select would hold it).
 */
const carrying = new Set<SelectReactor>();
let exitHooked = false;

/**
 * How long a carried wait may go without a poll before it is woken. A
 * running loop picks it up within a macrotask; a wake-up on every yield to
 * Node (every 2 ms under load) cost a select in two pipe round trips.
 */
const CARRY_LIMIT_MS = 50;

interface Registration extends WatchedSocket {
  interest: number;
  listener: ReadinessListener;
}

/** A {@link Reactor} over a platform {@link ReadinessWaiter}. */
export class SelectReactor implements Reactor {
  readonly kind = 'reactor' as const;
  readonly name = 'select';
  readonly waitsOnThreadPool = true;
  readonly #waiter: ReadinessWaiter;
  readonly #registrations = new Map<SocketHandle, Registration>();
  /** Windows named pipes, beside select (which takes sockets only); none on Linux, where pipes are sockets. */
  readonly #pipes: PipeSidecar | null;
  #stale = true;
  /** A wait is in flight on the pool thread. */
  #waiting = false;
  /** When the wait in flight ends at the latest (performance.now(); Infinity: no timeout). */
  #waitDeadline = Infinity;
  /** The poll waiting for the wait in flight; null while it is carried between polls. */
  #attached: { resolve: (n: number) => void; reject: (error: unknown) => void } | null = null;
  /** Ends the attached poll before the carried wait's deadline, when it must end sooner. */
  #attachTimer: ReturnType<typeof setTimeout> | undefined;
  /** The result of a carried wait that ended between polls, for the next poll to dispatch. */
  #carriedResult: number | null = null;
  /** Wakes a carried wait that no poll picked up within CARRY_LIMIT_MS. */
  #carryCheck: ReturnType<typeof setTimeout> | undefined;
  /** When a poll last found the wait in flight (performance.now()). */
  #pickedUpAt = 0;
  #foundWork = false;
  #closed = false;

  constructor(waiter: ReadinessWaiter, pipes: PipeSidecar | null = null) {
    this.#waiter = waiter;
    this.#pipes = pipes;
  }

  /** On Windows, the event-notified overlapped proactor that serves named pipes (see `PipeSidecar`). */
  get namedPipeProactor(): Proactor | undefined {
    return this.#pipes?.proactor;
  }

  get wakeToken(): WakeToken {
    return this.#waiter.wakeToken;
  }

  register(socket: SocketHandle, interest: number, listener: ReadinessListener): void {
    this.#registrations.set(socket, { socket, interest, listener });
    this.#changed();
  }

  modify(socket: SocketHandle, interest: number): void {
    const r = this.#registrations.get(socket);
    if (!r || r.interest === interest) return;
    r.interest = interest;
    this.#changed();
  }

  unregister(socket: SocketHandle): void {
    if (this.#registrations.delete(socket)) this.#changed();
  }

  #changed(): void {
    this.#stale = true;
    // A socket about to be closed must leave a wait in flight promptly.
    if (this.#waiting) this.#waiter.wake();
  }

  poll(timeoutMs: number): number | Promise<number> {
    if (!this.#pipes) return this.#pollSockets(timeoutMs, this.#attachPoll);
    return this.#pipes.poll(timeoutMs, this.#pollAttached, () => this.#wakeSockets(), this.#carrier);
  }

  /** The poll's own wait: a promise on the wait in flight. */
  readonly #attachPoll = (timeoutMs: number): Promise<number> => this.#attach(timeoutMs);
  readonly #pollAttached = (timeoutMs: number): number | Promise<number> => this.#pollSockets(timeoutMs, this.#attachPoll);
  /** For the pipes (see `PipeSidecar`): the wait in flight, or one started, goes on past this poll. */
  readonly #carrier: SocketWaitCarrier = {
    carry: () => this.#carry(),
    startCarried: (timeoutMs) => this.#pollSockets(timeoutMs, () => (this.#carry(), null)),
  };

  /**
   * Reports what is ready now, or, when nothing is and the poll may wait,
   * hands the wait in flight (started here if there is none) to `follow`:
   * the poll's promise on it, or a carry past the poll.
   */
  #pollSockets<T>(timeoutMs: number, follow: (timeoutMs: number) => T): number | T {
    if (this.#closed) return 0;
    // A wait carried from the last poll: waited on again. A look cannot run
    // beside it (its arrays are in use); what it finds, the next poll reports.
    if (this.#waiting) {
      this.#pickedUpAt = performance.now();
      return timeoutMs === 0 ? 0 : follow(timeoutMs);
    }
    if (this.#carriedResult !== null) {
      const result = this.#carriedResult;
      this.#carriedResult = null;
      const n = this.#finish(result);
      this.#foundWork = n > 1;
      if (n > 0 || timeoutMs === 0 || this.#waiter.takeWake()) return n;
    }
    this.#rebuild();
    this.#waiter.takeWake(); // one the last wait returned for was answered by that poll
    if (timeoutMs === 0 || this.#foundWork) {
      const n = this.#finish(this.#waiter.waitNow(0));
      this.#foundWork = n > 0;
      // A wake-up this look consumed (a Worker's, say) ends the poll: the
      // wait would not see it again.
      if (n > 0 || timeoutMs === 0 || this.#waiter.takeWake()) return n;
      this.#rebuild();
    }
    this.#waiting = true;
    this.#waitDeadline = timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
    this.#waiter.waitOffThread(timeoutMs, (result) => {
      this.#waiting = false;
      const attached = this.#attached;
      this.#detach();
      // Carried and ended between polls: the next poll dispatches it.
      if (!attached) return void (this.#carriedResult = result);
      try {
        const n = this.#finish(result);
        // One ready socket per wake is request/response traffic: a look
        // before the next wait would find nothing. Several mean work piles
        // up: look first (no thread hop) next time.
        this.#foundWork = n > 1;
        attached.resolve(n);
      } catch (error) {
        attached.reject(error);
      }
    });
    return follow(timeoutMs);
  }

  /** A poll's promise on the wait in flight, ended by a timer of its own if the wait would outlast `timeoutMs`. */
  #attach(timeoutMs: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.#attached = { resolve, reject };
      if (timeoutMs < 0) return;
      const left = this.#waitDeadline - performance.now();
      if (left <= timeoutMs + 1) return;
      this.#attachTimer = setTimeout(() => {
        this.#detach();
        resolve(0);
      }, timeoutMs);
    });
  }

  /** The poll stops waiting for the wait in flight (which goes on). */
  #detach(): void {
    this.#attached = null;
    if (this.#attachTimer !== undefined) clearTimeout(this.#attachTimer);
    this.#attachTimer = undefined;
  }

  /**
   * The pipes answered first (see `PipeSidecar`): the wait in flight is
   * carried to the next poll rather than woken. False when it has already
   * ended, and its poll's promise settles.
   */
  #carry(): boolean {
    if (!this.#waiting) return false;
    this.#detach();
    this.#checkCarried(CARRY_LIMIT_MS);
    if (!carrying.has(this)) {
      carrying.add(this);
      if (!exitHooked) {
        exitHooked = true;
        onProcessExit(() => {
          for (const reactor of carrying) reactor.#wakeSockets();
        });
      }
    }
    return true;
  }

  /**
   * The loop's next poll picks a carried wait up at once, or after yielding
   * to Node for a macrotask (every 2 ms of polls that do not wait). A loop
   * that stopped polling must not leave a select parked on a pool thread.
   */
  #checkCarried(delayMs: number): void {
    this.#carryCheck ??= setTimeout(() => {
      this.#carryCheck = undefined;
      if (!this.#waiting || this.#attached) return;
      const unpolled = performance.now() - this.#pickedUpAt;
      if (unpolled < CARRY_LIMIT_MS) this.#checkCarried(CARRY_LIMIT_MS - unpolled);
      else this.#waiter.wake();
    }, delayMs).unref();
  }

  #rebuild(): void {
    if (!this.#stale) return;
    this.#waiter.build([...this.#registrations.values()]);
    this.#stale = false;
  }

  /** Dispatches the result of a wait; returns the number of sockets reported. */
  #finish(result: number): number {
    if (result < 0) {
      // A socket closed while the wait was in flight fails the whole call
      // (WSAENOTSOCK / EBADF); the arrays are rebuilt and the loop polls again.
      if (this.#stale) return 0;
      throw new Error(`select backend: readiness wait failed with native error ${-result}`);
    }
    let dispatched = 0;
    this.#waiter.collect((socket, events) => {
      const r = this.#registrations.get(socket);
      // Readiness of a socket unregistered meanwhile is dropped; interest it
      // no longer has is masked out.
      const wanted = r ? events & (r.interest | Readiness.ERROR) : 0;
      if (!r || wanted === 0) return;
      dispatched++;
      r.listener.onReadiness(wanted, 0);
    });
    return dispatched;
  }

  wake(): void {
    this.#wakeSockets();
    this.#pipes?.wake();
  }

  #wakeSockets(): void {
    // Only a wait in flight needs waking (see Backend.wake): the loop also
    // asks while this reactor dispatches, and an echo written from a read
    // callback would then cost a wake-up (a send, a select and two recvs
    // under Winsock) on every round trip.
    if (this.#waiting) this.#waiter.wake();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    carrying.delete(this);
    if (this.#carryCheck !== undefined) clearTimeout(this.#carryCheck);
    this.#registrations.clear();
    this.#waiter.close();
    this.#pipes?.close();
  }

  stats(): Record<string, number> {
    return { registeredSockets: this.#registrations.size, ...this.#pipes?.stats() };
  }
}
