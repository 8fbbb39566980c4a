/**
 * The select reactor: registrations in a map, one readiness wait per poll.
 *
 * The wait runs on the loop's thread when it cannot block (timeout 0, or the
 * previous poll found several sockets ready, so a zero-timeout look is likely
 * to find more and saves the thread hop), and on a pool thread otherwise. Interest changes made
 * while a wait is in flight only mark the arrays stale; the adapter wakes the
 * wait and the next poll rebuilds them.
 * @module
 */
import { type Proactor, Readiness, type Reactor, type ReadinessListener, type SocketHandle, type WakeToken } from '@wsaloop/core/backend';
import type { PipeSidecar } from '@wsaloop/winsock-kit';
import type { ReadinessWaiter, WatchedSocket } from './waiter.js';

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
  #waiting = false;
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
    if (!this.#pipes) return this.#pollSockets(timeoutMs);
    return this.#pipes.poll(timeoutMs, (t) => this.#pollSockets(t), () => this.#wakeSockets());
  }

  #pollSockets(timeoutMs: number): number | Promise<number> {
    if (this.#closed) return 0;
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
    return new Promise<number>((resolve, reject) => {
      this.#waiter.waitOffThread(timeoutMs, (result) => {
        this.#waiting = false;
        try {
          const n = this.#finish(result);
          // One ready socket per wake is request/response traffic: a look
          // before the next wait would find nothing. Several mean work piles
          // up: look first (no thread hop) next time.
          this.#foundWork = n > 1;
          resolve(n);
        } catch (error) {
          reject(error);
        }
      });
    });
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
    this.#registrations.clear();
    this.#waiter.close();
    this.#pipes?.close();
  }

  stats(): Record<string, number> {
    return { registeredSockets: this.#registrations.size, ...this.#pipes?.stats() };
  }
}
