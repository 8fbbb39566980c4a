/**
 * A Reactor over the in-memory network: the readiness contract at its
 * plainest. Level-triggered (it reports a condition for as long as it
 * holds), with no system call anywhere: a poll that has to wait waits for
 * the network to change, the timeout, or a wake-up, as a Promise on the
 * loop's thread.
 * @module
 */
import { Readiness, type Reactor, type ReadinessListener, type SharedFlagWakeToken, type SocketHandle } from '@wsaloop/core/backend';
import type { MemoryNetwork } from './memory-network.js';
import { MemoryWaiter } from './memory-waiter.js';

interface Registration {
  interest: number;
  listener: ReadinessListener;
}

/** The in-memory Reactor. */
export class MemoryReactor implements Reactor {
  readonly kind = 'reactor' as const;
  readonly name = 'memory-reactor';
  readonly sockets: MemoryNetwork;
  readonly #registrations = new Map<SocketHandle, Registration>();
  readonly #waiter: MemoryWaiter;

  constructor(network: MemoryNetwork) {
    this.sockets = network;
    this.#waiter = new MemoryWaiter(network, () => this.#ready().length > 0);
  }

  get wakeToken(): SharedFlagWakeToken {
    return this.#waiter.wakeToken;
  }

  register(socket: SocketHandle, interest: number, listener: ReadinessListener): void {
    this.#registrations.set(socket, { interest, listener });
  }

  modify(socket: SocketHandle, interest: number): void {
    const registration = this.#registrations.get(socket);
    if (registration) registration.interest = interest;
  }

  unregister(socket: SocketHandle): void {
    this.#registrations.delete(socket);
  }

  poll(timeoutMs: number): number | Promise<number> {
    const waited = this.#waiter.wait(timeoutMs);
    return typeof waited === 'boolean' ? this.#dispatch() : waited.then(() => this.#dispatch());
  }

  wake(): void {
    this.#waiter.wake();
  }

  close(): void {
    this.#waiter.close();
    this.#registrations.clear();
  }

  stats(): Record<string, number> {
    return { registeredSockets: this.#registrations.size, openSockets: this.sockets.openSockets };
  }

  /** Registered sockets whose interest some condition meets now, with the bits met. */
  #ready(): Array<[SocketHandle, Registration, number]> {
    const ready: Array<[SocketHandle, Registration, number]> = [];
    for (const [socket, registration] of this.#registrations) {
      let events = 0;
      if (registration.interest & Readiness.READABLE && this.sockets.readable(socket)) events |= Readiness.READABLE;
      if (registration.interest & Readiness.WRITABLE && this.sockets.writable(socket)) events |= Readiness.WRITABLE;
      if (events) ready.push([socket, registration, events]);
    }
    return ready;
  }

  /** Reports what is ready; a listener unregistered by an earlier report in the same round hears nothing. */
  #dispatch(): number {
    let n = 0;
    for (const [socket, registration, events] of this.#ready()) {
      if (this.#registrations.get(socket) !== registration) continue;
      registration.listener.onReadiness(events, 0);
      n++;
    }
    return n;
  }
}
