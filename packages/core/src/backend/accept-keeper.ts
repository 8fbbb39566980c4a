/**
 * The accept policy of the completion backends (Windows overlapped I/O and
 * IOCP, Linux io_uring), in one place: how many
 * accepts a listening socket keeps posted. Core only starts and stops
 * accepting (`Proactor.startAccepting`); every completion backend keeps
 * its accepts with this.
 * @module
 */
import type { SocketHandle } from '../sys/socket-api.js';
import type { AcceptListener } from './proactor.js';

/**
 * During a burst, up to this many times `acceptsAhead` accepts are in
 * flight: more accepts in flight take a burst in fewer rounds, each a loop
 * iteration or a trip to a backend's thread. (The factor core's proactive
 * layer used before the policy moved here.)
 */
export const BURST_ACCEPTS_FACTOR = 8;

/**
 * One accept, as a proactor starts it: completes with the new socket, and
 * `backlog` true when the connection was taken from a queue of them (a
 * burst, so more accepts would take it sooner). An `optional` accept is
 * posted for a burst only: when no connection is queued the proactor
 * completes it at once with the would-block code instead of keeping it
 * pending.
 */
export interface AcceptRequest {
  complete(status: number, socket: SocketHandle, backlog?: boolean): void;
  readonly optional?: boolean;
}

/** Starts one accept on the keeper's listener. */
export type PostAccept = (request: AcceptRequest) => void;

/**
 * Keeps one listener's accepts posted: `ahead` of them always, and while
 * accepts report a backlog, optional ones beside them (up to
 * {@link BURST_ACCEPTS_FACTOR} times `ahead`), which find the backlog empty
 * once the burst is over and are not posted again.
 */
export class AcceptKeeper {
  readonly #ahead: number;
  readonly #post: PostAccept;
  readonly #isWouldBlock: (code: number) => boolean;
  #listener: AcceptListener | null = null;
  #accepting = false;
  /** Kept accepts in flight (at most `ahead`). */
  #kept = 0;
  /** Optional accepts in flight. */
  #extra = 0;

  constructor(ahead: number, post: PostAccept, isWouldBlock: (code: number) => boolean) {
    this.#ahead = ahead;
    this.#post = post;
    this.#isWouldBlock = isWouldBlock;
  }

  /** Starts (or restarts) accepting: posts kept accepts up to `ahead`. */
  start(listener: AcceptListener): void {
    this.#listener = listener;
    this.#accepting = true;
    while (this.#kept < this.#ahead && this.#accepting) this.#postOne(false);
  }

  /** Posts no more accepts; those in flight still finish and are reported. */
  stop(): void {
    this.#accepting = false;
  }

  /** Accepts in flight. */
  get inFlight(): number {
    return this.#kept + this.#extra;
  }

  #postOne(optional: boolean): void {
    if (optional) this.#extra++;
    else this.#kept++;
    this.#post({ optional, complete: (status, socket, backlog) => this.#finished(optional, status, socket, backlog === true) });
  }

  #finished(optional: boolean, status: number, socket: SocketHandle, backlog: boolean): void {
    if (optional) this.#extra--;
    else this.#kept--;
    if (status !== 0 && this.#isWouldBlock(status)) {
      // Nothing to take: an optional accept found the backlog empty (the
      // burst is over), or a kept one was turned back; only the kept one is
      // posted again.
      if (!optional && this.#accepting) this.#postOne(false);
      return;
    }
    if (status === 0) {
      // A connection: post the next accept before the listener hears of it,
      // so accepts keep their place ahead of the reads the listener starts.
      if (this.#accepting) {
        if (!optional || backlog) this.#postOne(optional);
        if (backlog && this.#extra < this.#ahead * (BURST_ACCEPTS_FACTOR - 1)) this.#postOne(true);
      }
      this.#listener?.accepted(status, socket);
      return;
    }
    // A failure: the listener hears first, and may stop accepting (a
    // listener error, no descriptors left); then nothing is posted again.
    this.#listener?.accepted(status, socket);
    if (this.#accepting && !optional) this.#postOne(false);
  }
}
