/**
 * The epoll reactor: the kernel keeps the interest set, so a wait costs
 * what is ready, not what is registered (poll hands the kernel every socket
 * on every wait, and its cost grows with idle connections).
 *
 * Level-triggered, as core's reactive adapter expects of a readiness model:
 * a socket the adapter left with data unread (it reads at most
 * `readsPerEvent` times per report) is reported again by the next wait, and
 * nothing is lost when an interest change races a wait. A socket with no
 * interest leaves the kernel's set: EPOLLHUP and EPOLLERR are reported
 * whatever the interest, and a hung-up socket whose reads are stopped would
 * otherwise make every wait return at once.
 *
 * A poll looks with `epoll_wait` and no timeout. When nothing is ready, the
 * wait is Node's own: its event loop watches the epoll descriptor (core's
 * `NodeLoopWait`), which is readable while a socket in the set is ready, and
 * the poll looks again when it is. No thread blocks and none is crossed
 * (a pool thread's wait cost a hop to it and back: 0.76x node:net's round
 * trips on one connection, against 0.86x to 0.91x this way). Interest
 * changes take effect at once, with no wake-up.
 *
 * One busy socket is watched by Node's loop on its own. A wake through the
 * epoll descriptor costs a nested wake-up in the kernel and a look
 * (`epoll_wait`) to learn which socket it was; when
 * {@link PROMOTE_AFTER_WAKES} wakes in a row reported the same single
 * socket, that socket leaves the kernel's set for a watch of its own (a
 * {@link NodeLoopWatch}), and its reports need no look: one client in
 * ping-pong, natively, makes node:net's 4 system calls per round trip
 * where it made 5, and 0.96x node:net's round trips where it made 0.91x
 * (the bench, 3 rounds). It goes back into the set as soon as any other
 * socket is reported, or a look is made without a wait (a loop busy with
 * idle handles), which would not see it. Only one socket is ever watched
 * alone: with every socket watched so, two busy clients made 0.95x
 * node:net's round trips where the nested epoll made 1.00x, and fifty 0.94x
 * against 1.18x, since sockets ready together share one wake through the
 * descriptor.
 * @module
 */
import { Readiness, type Reactor, type ReadinessListener, type SocketHandle, type EventFdWakeToken } from '@wsaloop/core/backend';
import { addressOf, errno, libc, NodeLoopWait, NodeLoopWatch, PosixConstants as C } from '@wsaloop/core/posix';

// The event loop's constants, read once: the constants object's properties
// are getters (a module namespace as bundled), and #dispatch called them
// for every event.
const { EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP, EPOLL_EVENT_SIZE, EPOLL_EVENT_DATA } = C;
const { READABLE, WRITABLE, ERROR } = Readiness;
/** One epoll_event, and where its data word starts, in 32-bit words. */
const EVENT_WORDS = EPOLL_EVENT_SIZE / 4;
const DATA_WORD = EPOLL_EVENT_DATA / 4;

interface Registration {
  socket: SocketHandle;
  interest: number;
  listener: ReadinessListener;
  /** In the kernel's interest set (interest is not 0, and the socket is not watched alone). */
  added: boolean;
}

/** The socket Node's loop watches on its own. */
interface Promoted {
  registration: Registration;
  watch: NodeLoopWatch;
}

/**
 * Wakes in a row that reported one socket, the same one, before it is
 * watched alone: enough that traffic on several sockets (which alternate)
 * rarely promotes one, few enough that a request/response connection is
 * promoted in its first milliseconds. A promotion and its undoing cost two
 * `epoll_ctl` calls each way (ours and libuv's), about a wake's worth.
 */
export const PROMOTE_AFTER_WAKES = 32;

/** Options of the epoll backend. */
export interface EpollOptions {
  /** Most events one `epoll_wait` returns (default 1024, 1 to 65536); more ready sockets wait for the next poll. */
  maxEvents?: number;
  /**
   * Microseconds to keep looking (`epoll_wait` with no timeout) on the
   * loop's thread after the last event, before handing the wait to Node's
   * event loop (default 0: never spin; at most 10000). Trades CPU for latency on
   * request/response traffic, as the iocp backend's option of that name.
   */
  spinMicroseconds?: number;
}

/** The names of {@link EpollOptions}, checked by `createBackend`. */
export const EPOLL_OPTION_NAMES = ['maxEvents', 'spinMicroseconds'] as const;
// Fails to compile when an option is added above without its name.
const everyEpollOptionNamed: Exclude<keyof EpollOptions, (typeof EPOLL_OPTION_NAMES)[number]> extends never ? true : never = true;
void everyEpollOptionNamed;

/** Default batch: one wait reports up to this many sockets. */
const DEFAULT_MAX_EVENTS = 1024;
const MAX_MAX_EVENTS = 65536;

/** A {@link Reactor} over one epoll instance and an eventfd for wake-ups. */
export class EpollReactor implements Reactor {
  readonly kind = 'reactor' as const;
  readonly name = 'epoll';
  readonly waitsInNodeLoop = true;
  readonly wakeToken: EventFdWakeToken;
  readonly #libc = libc();
  readonly #epfd: number;
  readonly #eventfd: number;
  readonly #maxEvents: number;
  /**
   * The epoll_event array, as 32-bit words: every field starts on a 4-byte
   * boundary, and indexing a typed array is a plain load where a Buffer's
   * read methods went through a property lookup per call (a generic
   * LoadIC in #dispatch's optimized code).
   */
  readonly #events: Int32Array;
  /** Where #events is, for epoll_wait (passed as an address: see core's Libc). */
  readonly #eventsAddress: number;
  /** One epoll_event, for epoll_ctl. */
  readonly #control = Buffer.alloc(C.EPOLL_EVENT_SIZE);
  readonly #counter = Buffer.alloc(8);
  readonly #registrations = new Map<SocketHandle, Registration>();
  /** The blocking wait: Node's own loop watches the epoll descriptor. */
  readonly #nodeWait: NodeLoopWait;
  #waiting = false;
  #wakePending = false;
  /** The last dispatch consumed a wake-up. */
  #woken = false;
  #foundWork = false;
  #closed = false;
  /** Answers the wait in flight with the sockets reported, or its failure. */
  #answer: ((reported: number) => void) | null = null;
  #fail: ((failure: unknown) => void) | null = null;
  /** The socket watched alone, if any, and the run of wakes that may promote one. */
  #promoted: Promoted | null = null;
  #streakSocket = -1;
  #streak = 0;
  /** The socket the last dispatch reported, when it reported one. */
  #lastReported = -1;
  /** How long to spin after an event (ms), and when the last one came (performance.now()). */
  readonly #spinMs: number;
  #lastEvent = 0;

  constructor(options: EpollOptions = {}) {
    const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    if (!Number.isInteger(maxEvents) || maxEvents < 1 || maxEvents > MAX_MAX_EVENTS) {
      throw new RangeError(`The epoll backend's "maxEvents" option must be an integer from 1 to ${MAX_MAX_EVENTS}, received ${String(maxEvents)}`);
    }
    this.#maxEvents = maxEvents;
    const spin = options.spinMicroseconds ?? 0;
    if (typeof spin !== 'number' || !(spin >= 0 && spin <= 10_000)) {
      throw new RangeError(`The epoll backend's "spinMicroseconds" option must be from 0 to 10000, received ${String(spin)}`);
    }
    this.#spinMs = spin / 1000;
    this.#events = new Int32Array((maxEvents * C.EPOLL_EVENT_SIZE) / 4);
    this.#eventsAddress = addressOf(this.#events);
    this.#epfd = this.#libc.epoll_create1(C.EPOLL_CLOEXEC);
    if (this.#epfd < 0) throw new Error(`epoll backend: epoll_create1 failed (errno ${errno()})`);
    this.#eventfd = this.#libc.eventfd(0, C.EFD_NONBLOCK | C.EFD_CLOEXEC);
    if (this.#eventfd < 0) {
      const e = errno();
      this.#libc.close(this.#epfd);
      throw new Error(`epoll backend: eventfd failed (errno ${e})`);
    }
    this.#ctl(C.EPOLL_CTL_ADD, this.#eventfd, C.EPOLLIN);
    this.wakeToken = { kind: 'eventfd', fd: this.#eventfd };
    this.#nodeWait = new NodeLoopWait(this.#epfd);
  }

  register(socket: SocketHandle, interest: number, listener: ReadinessListener): void {
    const registration: Registration = { socket, interest: 0, listener, added: false };
    this.#registrations.set(socket, registration);
    this.#apply(socket, registration, interest);
  }

  modify(socket: SocketHandle, interest: number): void {
    const registration = this.#registrations.get(socket);
    if (registration && registration.interest !== interest) this.#apply(socket, registration, interest);
  }

  unregister(socket: SocketHandle): void {
    const registration = this.#registrations.get(socket);
    if (!registration) return;
    this.#registrations.delete(socket);
    if (this.#promoted?.registration === registration) this.#dropWatch();
    if (registration.added) this.#ctl(C.EPOLL_CTL_DEL, socket, 0);
  }

  /** Brings the kernel's set (or the socket's own watch) in line with `interest`: add, change or remove. */
  #apply(socket: SocketHandle, registration: Registration, interest: number): void {
    registration.interest = interest;
    if (this.#promoted?.registration === registration) {
      if (interest !== 0) return this.#promoted.watch.watch((interest & READABLE) !== 0, (interest & WRITABLE) !== 0);
      this.#dropWatch();
    }
    const events = (interest & Readiness.READABLE ? C.EPOLLIN | C.EPOLLRDHUP : 0) | (interest & Readiness.WRITABLE ? C.EPOLLOUT : 0);
    if (events === 0) {
      if (registration.added) this.#ctl(C.EPOLL_CTL_DEL, socket, 0);
      registration.added = false;
      return;
    }
    this.#ctl(registration.added ? C.EPOLL_CTL_MOD : C.EPOLL_CTL_ADD, socket, events);
    registration.added = true;
  }

  /** epoll_ctl for `fd`, its data the descriptor itself. */
  #ctl(op: number, fd: number, events: number): void {
    this.#control.writeUInt32LE(events, 0);
    this.#control.writeBigInt64LE(BigInt(fd), C.EPOLL_EVENT_DATA);
    if (this.#libc.epoll_ctl(this.#epfd, op, fd, this.#control) === 0) return;
    const e = errno();
    // A descriptor already gone (ENOENT / EBADF on removal) has left the set anyway.
    if (op === C.EPOLL_CTL_DEL) return;
    throw new Error(`epoll backend: epoll_ctl(${op === C.EPOLL_CTL_ADD ? 'ADD' : 'MOD'}) of socket ${fd} failed (errno ${e})`);
  }

  poll(timeoutMs: number): number | Promise<number> {
    if (this.#closed) return 0;
    this.#woken = false; // one the last wait returned for was answered by that poll
    if (timeoutMs === 0 || this.#foundWork) {
      // A look sees only the kernel's set: the socket watched alone rejoins it.
      this.#demote();
      const n = this.#dispatch(this.#waitNow(0));
      this.#foundWork = n > 1;
      // A wake-up this look consumed (a Worker's, say) ends the poll: the
      // wait would not see it again.
      if (n > 0 || timeoutMs === 0 || this.#woken) return n;
    }
    const spun = this.#spin(timeoutMs);
    if (spun > 0 || this.#woken) return spun;
    this.#waiting = true;
    return new Promise<number>((resolve, reject) => {
      this.#answer = resolve;
      this.#fail = reject;
      this.#nodeWait.arm(timeoutMs, () => {
        this.#waiting = false;
        this.#answer = this.#fail = null;
        if (this.#closed) {
          this.#release();
          return void resolve(0);
        }
        try {
          const n = this.#dispatch(this.#waitNow(0));
          // One ready socket per wake is request/response traffic; several
          // mean work piles up: look first next time.
          this.#foundWork = n > 1;
          this.#afterWake(n);
          resolve(n);
        } catch (failure) {
          reject(failure);
        }
      });
    });
  }

  /**
   * Counts the run of wakes that reported the same one socket, and promotes
   * it when the run is long enough; any other socket reported while one is
   * watched alone sends it back to the kernel's set.
   */
  #afterWake(reported: number): void {
    if (reported === 0) return;
    if (this.#promoted) return this.#demote();
    if (reported > 1 || this.#spinMs > 0) {
      this.#streak = 0;
      return;
    }
    if (this.#lastReported !== this.#streakSocket) {
      this.#streakSocket = this.#lastReported;
      this.#streak = 0;
    }
    if (++this.#streak < PROMOTE_AFTER_WAKES) return;
    this.#streak = 0;
    const registration = this.#registrations.get(this.#lastReported);
    if (registration?.added) this.#promote(registration);
  }

  /** Takes `registration`'s socket out of the kernel's set and has Node's loop watch it alone. */
  #promote(registration: Registration): void {
    const { socket, interest } = registration;
    let watch: NodeLoopWatch;
    try {
      watch = new NodeLoopWatch(socket, (interest & READABLE) !== 0, (interest & WRITABLE) !== 0, (readable, writable, failed) =>
        this.#onWatchReport(registration, readable, writable, failed),
      );
    } catch {
      return; // libuv would not watch it: the kernel's set serves it as before
    }
    this.#ctl(C.EPOLL_CTL_DEL, socket, 0);
    registration.added = false;
    this.#promoted = { registration, watch };
  }

  /** Puts the socket watched alone, if any, back into the kernel's set. */
  #demote(): void {
    const promoted = this.#promoted;
    if (!promoted) return;
    this.#dropWatch();
    const { registration } = promoted;
    this.#apply(registration.socket, registration, registration.interest);
  }

  #dropWatch(): void {
    this.#promoted?.watch.close();
    this.#promoted = null;
  }

  /** The socket watched alone is ready: answers the wait in flight with it, no look needed. */
  #onWatchReport(registration: Registration, readable: boolean, writable: boolean, failed: boolean): void {
    // Reported while the loop is not waiting (it looks without waiting, or
    // does not run): its looks must see the socket, and Node's loop must
    // not report it again and again meanwhile.
    if (!this.#nodeWait.armed || this.#closed) return this.#demote();
    const answer = this.#answer!;
    const fail = this.#fail!;
    this.#nodeWait.answer(() => {
      this.#waiting = false;
      this.#answer = this.#fail = null;
      const events = (readable ? READABLE : 0) | (writable ? WRITABLE : 0) | (failed ? ERROR : 0);
      const wanted = events & (registration.interest | ERROR);
      try {
        if (wanted !== 0) registration.listener.onReadiness(wanted, 0);
        answer(wanted !== 0 ? 1 : 0);
      } catch (failure) {
        fail(failure);
      }
    });
  }

  /** With `spinMicroseconds`, looks again and again right after an event, sparing the round through Node's loop; the sockets reported. */
  #spin(timeoutMs: number): number {
    if (this.#spinMs === 0) return 0;
    const started = performance.now();
    const until = Math.min(this.#lastEvent + this.#spinMs, timeoutMs < 0 ? Infinity : started + timeoutMs);
    while (performance.now() < until) {
      const n = this.#dispatch(this.#waitNow(0));
      if (n > 0 || this.#woken) return n;
    }
    return 0;
  }

  #waitNow(timeoutMs: number): number {
    const rc = this.#libc.epoll_wait(this.#epfd, this.#eventsAddress, this.#maxEvents, timeoutMs);
    if (rc >= 0) return rc;
    const e = errno();
    if (e === C.EINTR) return 0;
    throw new Error(`epoll backend: epoll_wait failed (errno ${e})`);
  }

  /** Reports the `count` events of the last wait; returns the sockets reported. */
  #dispatch(count: number): number {
    let dispatched = 0;
    const words = this.#events;
    for (let i = 0, at = 0; i < count; i++, at += EVENT_WORDS) {
      const bits = words[at]!;
      // The data word holds the descriptor (register()): its low half
      // (little-endian), read without the BigInt a 64-bit read allocates.
      const fd = words[at + DATA_WORD]!;
      if (fd === this.#eventfd) {
        this.#wakePending = false;
        this.#woken = true;
        this.#libc.read(this.#eventfd, this.#counter, 8);
        continue;
      }
      // A socket unregistered while the wait was in flight is dropped; one
      // whose descriptor was reused meanwhile may hear of a stale event,
      // which costs the adapter one call that would block.
      const registration = this.#registrations.get(fd);
      if (!registration) continue;
      let events = 0;
      if (bits & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) events |= READABLE;
      if (bits & EPOLLOUT) events |= WRITABLE;
      if (bits & EPOLLERR) events |= ERROR;
      const wanted = events & (registration.interest | ERROR);
      if (wanted === 0) continue;
      dispatched++;
      this.#lastReported = fd;
      registration.listener.onReadiness(wanted, 0);
    }
    if (dispatched > 0 && this.#spinMs > 0) this.#lastEvent = performance.now();
    return dispatched;
  }

  wake(): void {
    // Only a wait in flight needs waking (see Backend.wake).
    if (!this.#waiting || this.#wakePending) return;
    this.#wakePending = true;
    this.#counter.writeBigUInt64LE(1n, 0);
    this.#libc.write(this.#eventfd, this.#counter, 8);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#dropWatch();
    this.#registrations.clear();
    // A wait in flight is woken, and closes the descriptors when it returns.
    if (this.#waiting) {
      this.#counter.writeBigUInt64LE(1n, 0);
      this.#libc.write(this.#eventfd, this.#counter, 8);
    } else {
      this.#release();
    }
  }

  #release(): void {
    // Node's loop stops watching before the descriptor can be reused.
    this.#nodeWait.close();
    this.#libc.close(this.#epfd);
    this.#libc.close(this.#eventfd);
  }

  stats(): Record<string, number> {
    let watched = 0;
    for (const registration of this.#registrations.values()) if (registration.added) watched++;
    return { registeredSockets: this.#registrations.size, socketsInKernelSet: watched, socketsWatchedAlone: this.#promoted ? 1 : 0 };
  }
}
