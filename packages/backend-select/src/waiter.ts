/**
 * What the select reactor needs from a platform's readiness call: Winsock
 * `select` on Windows ({@link WinsockSelectWaiter}), `poll` on Linux
 * ({@link PollWaiter}).
 * @module
 */
import type { SocketHandle, WakeToken } from '@wsaloop/core/backend';

/** A registered socket as the waiter sees it. */
export interface WatchedSocket {
  readonly socket: SocketHandle;
  /** Bits of `Readiness`. */
  readonly interest: number;
}

/** One platform's blocking readiness wait, with its own wake-up channel. */
export interface ReadinessWaiter {
  /** How another thread wakes the wait. */
  readonly wakeToken: WakeToken;
  /** Rebuilds the native wait arrays for `sockets` (called only when no wait is in flight). */
  build(sockets: readonly WatchedSocket[]): void;
  /** Waits on the calling thread; returns the ready count or a negated native error. */
  waitNow(timeoutMs: number): number;
  /** Waits on a pool thread; `done` runs on the loop's thread. */
  waitOffThread(timeoutMs: number, done: (result: number) => void): void;
  /** Reports each ready socket of the last wait; consumes wake-ups. */
  collect(report: (socket: SocketHandle, events: number) => void): void;
  /**
   * Whether {@link collect} consumed a wake-up since the last call (and
   * forgets it): a wake-up consumed by a look must end the poll, or the
   * wait after the look would miss it.
   */
  takeWake(): boolean;
  /** Interrupts a wait in flight, or makes the next one return at once. */
  wake(): void;
  /** Releases native resources. */
  close(): void;
}
