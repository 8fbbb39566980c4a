/**
 * What the two Windows readiness models (WSAEventSelect, WSAAsyncSelect)
 * share once Winsock has told them about a socket's network events: the
 * mapping to core's readiness bits, the FD_CLOSE rule, and reports made
 * outside Winsock's own notifications.
 * @module
 */
import { Readiness, type ReadinessListener } from '@wsaloop/core/backend';
import { WinsockConstants } from '@wsaloop/core/winsock';

const { FD_ACCEPT, FD_CLOSE, FD_CONNECT, FD_READ, FD_WRITE } = WinsockConstants;

/**
 * Every network event a stream or datagram socket reports. These models
 * register a socket once for all of them: core's adapter attempts each
 * operation before it waits, which is Winsock's re-enabling rule, so
 * interest changes need no native call and nothing is masked out.
 */
export const ALL_NETWORK_EVENTS = FD_READ | FD_WRITE | FD_ACCEPT | FD_CONNECT | FD_CLOSE;

/** Readiness bits of one FD_ event: READ, ACCEPT, CLOSE make a socket readable; WRITE, CONNECT writable. */
export function readinessOf(networkEvent: number): number {
  switch (networkEvent) {
    case FD_READ:
    case FD_ACCEPT:
    case FD_CLOSE:
      return Readiness.READABLE;
    case FD_WRITE:
    case FD_CONNECT:
      return Readiness.WRITABLE;
    default:
      return 0;
  }
}

/** What the ledger needs of a backend's registration. */
export interface NetworkEventRegistration {
  /** False once unregistered or replaced: nothing more is reported for it. */
  readonly active: boolean;
  /** Current interest (bits of {@link Readiness}). */
  readonly interest: number;
  /** Who hears about the socket. */
  readonly listener: ReadinessListener;
}

/**
 * Readiness a backend reports on top of Winsock's notifications:
 *
 * - FD_CLOSE is the last event Winsock reports for a socket, and the
 *   documentation tells applications to read what remains when it arrives
 *   (it may come with the last FD_READ). A socket that reported FD_CLOSE is
 *   readable for good: it is reported readable at every poll while its
 *   interest includes reading, until the adapter has read end of stream.
 * - Readiness learned outside the notifications (a registration that failed
 *   natively, an error state found at registration) is reported by the next
 *   poll, from inside `poll` as the contract requires.
 */
export class NetworkEventLedger<R extends NetworkEventRegistration> {
  readonly #hungUp = new Set<R>();
  #deferred: Array<{ registration: R; events: number; errorCode: number }> = [];

  /** Whether the next poll has something to report without waiting. */
  get pending(): boolean {
    return this.#deferred.length > 0 || this.#hungUp.size > 0;
  }

  /** The registration reported FD_CLOSE. */
  hungUp(registration: R): void {
    this.#hungUp.add(registration);
  }

  /** Reports `events` (with `errorCode`) for `registration` at the next poll. */
  defer(registration: R, events: number, errorCode: number): void {
    this.#deferred.push({ registration, events, errorCode });
  }

  /** Drops what the ledger holds for an unregistered or replaced registration. */
  forget(registration: R): void {
    this.#hungUp.delete(registration);
  }

  /** Reports deferred readiness, then every hung-up socket still read; returns how many reports. */
  report(): number {
    let n = 0;
    if (this.#deferred.length > 0) {
      const deferred = this.#deferred;
      this.#deferred = [];
      for (const { registration, events, errorCode } of deferred) {
        if (!registration.active) continue;
        n++;
        registration.listener.onReadiness(events, errorCode);
      }
    }
    if (this.#hungUp.size > 0) {
      for (const registration of [...this.#hungUp]) {
        if (!registration.active || !(registration.interest & Readiness.READABLE)) continue;
        n++;
        registration.listener.onReadiness(Readiness.READABLE, 0);
      }
    }
    return n;
  }

  /** Forgets everything (the reactor closes). */
  clear(): void {
    this.#hungUp.clear();
    this.#deferred = [];
  }
}
