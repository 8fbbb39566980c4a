/**
 * What the io layer does with a failed accept, the same for both kinds of
 * backend: counts connections dropped before the application saw them, and,
 * when the process is out of descriptors, turns the waiting clients away
 * with a spare descriptor (libuv's "EMFILE trick" on Unix) and backs off
 * instead of spinning or reporting the error.
 * @module
 */
import { socketApi } from '../sys/platform.js';
import type { SocketApi, SocketHandle } from '../sys/socket-api.js';

/** First pause after a resource failure; it doubles up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 25;
/** Longest pause: a client arriving while accepting is paused waits at most this long to be served or turned away. */
const MAX_BACKOFF_MS = 1000;
/** Most clients one {@link AcceptGuard.turnAway} takes, so a flood cannot hold the loop; the rest wait for the next round. */
const TURN_AWAY_MAX = 1024;

/**
 * One spare descriptor per thread, held while any listener of the thread's
 * loops is accepting: closing it frees exactly the one descriptor that
 * accept() needs to take a waiting client and close it.
 */
let spare: SocketHandle = -1;
let listeners = 0;

function openSpare(): void {
  if (spare >= 0) return;
  const s = socketApi().open('ipv4', 'dgram');
  if (s >= 0) spare = s;
}

/** Accept bookkeeping of one loop's io layer. */
export class AcceptGuard {
  /** Connections that failed while being accepted: closed, never reported. */
  dropped = 0;
  /** Clients accepted and closed at once because no descriptor was free. */
  turnedAway = 0;
  /** Times accepting paused because the process or system was out of resources. */
  backoffs = 0;

  /** A listener of this loop started accepting: hold the spare descriptor. */
  listenerStarted(): void {
    listeners++;
    openSpare();
  }

  /** A listener stopped accepting: the last one gives the spare back. */
  listenerStopped(): void {
    if (--listeners > 0 || spare < 0) return;
    socketApi().close(spare);
    spare = -1;
  }

  /**
   * Turns away every client waiting in `listener`'s backlog, using the spare
   * descriptor to accept each one and close it (the client sees the
   * connection end instead of waiting for a server that cannot serve it),
   * with `api`, the listener's socket calls.
   * Returns how many were turned away.
   */
  turnAway(listener: SocketHandle, api: SocketApi): number {
    if (spare >= 0) {
      socketApi().close(spare);
      spare = -1;
    }
    let n = 0;
    for (let s = api.accept(listener); s >= 0; s = n < TURN_AWAY_MAX ? api.accept(listener) : -1) {
      api.close(s);
      n++;
    }
    openSpare();
    this.turnedAway += n;
    return n;
  }

  /** The pause before accepting again after `failures` resource failures in a row. */
  backoff(failures: number): number {
    this.backoffs++;
    return Math.min(FIRST_BACKOFF_MS * 2 ** Math.min(failures, 10), MAX_BACKOFF_MS);
  }

  /** Running totals for `loop.stats()`. */
  stats(): Record<string, number> {
    return { acceptsDroppedTotal: this.dropped, clientsTurnedAwayTotal: this.turnedAway, acceptBackoffsTotal: this.backoffs };
  }
}
