/**
 * How the in-memory backends wait: for the network to change in a way that
 * gives them work, for the poll's timeout, or for a wake-up, local
 * (`wake()`) or from another thread (the shared flag of their wake token).
 * Nothing blocks: a wait is a Promise settled on the loop's thread.
 * @module
 */
import type { SharedFlagWakeToken } from '@wsaloop/core/backend';
import type { MemoryNetwork } from './memory-network.js';

/** `Atomics.waitAsync` (Node 16+), which this TypeScript target's library does not declare. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

/** One backend's waiting. */
export class MemoryWaiter {
  readonly wakeToken: SharedFlagWakeToken;
  readonly #flag: Int32Array;
  readonly #network: MemoryNetwork;
  readonly #hasWork: () => boolean;
  /** The flag's value when last looked at: a different value is a remote wake. */
  #seen = 0;
  /** A local wake that came while not waiting: the next wait returns at once. */
  #woken = false;
  /** Ends the wait in progress. */
  #end: (() => void) | null = null;

  constructor(network: MemoryNetwork, hasWork: () => boolean) {
    const flag = new SharedArrayBuffer(4);
    this.wakeToken = { kind: 'shared-flag', flag };
    this.#flag = new Int32Array(flag);
    this.#network = network;
    this.#hasWork = hasWork;
  }

  /**
   * True at once when there is work or a wake-up, or `timeoutMs` is 0
   * (false then if neither); else a Promise settled when one comes, or the
   * timeout (`-1`: none) passes.
   */
  wait(timeoutMs: number): boolean | Promise<void> {
    if (this.#takeWake() || this.#hasWork()) return true;
    if (timeoutMs === 0) return false;
    return new Promise<void>((resolve) => {
      const unwatch = this.#network.watch(() => {
        if (this.#hasWork()) end();
      });
      const timer = timeoutMs > 0 ? setTimeout(() => end(), timeoutMs) : null;
      const remote = waitAsync(this.#flag, 0, this.#seen);
      const end = (): void => {
        if (this.#end !== end) return;
        this.#end = null;
        unwatch();
        if (timer) clearTimeout(timer);
        this.#seen = Atomics.load(this.#flag, 0);
        // Settles this wait's Atomics.waitAsync, which cannot be cancelled,
        // so no stale waiter piles up (the value is unchanged: no wake-up).
        Atomics.notify(this.#flag, 0);
        resolve();
      };
      this.#end = end;
      if (remote.async) void remote.value.then(end);
      else end();
    });
  }

  /** Ends a wait in progress, or makes the next one return at once. */
  wake(): void {
    if (this.#end) this.#end();
    else this.#woken = true;
  }

  /** Ends a wait in progress for good. */
  close(): void {
    this.#end?.();
    // A remote waiter still pending on the flag is released too.
    Atomics.add(this.#flag, 0, 1);
    Atomics.notify(this.#flag, 0);
  }

  #takeWake(): boolean {
    const now = Atomics.load(this.#flag, 0);
    const woken = this.#woken || now !== this.#seen;
    this.#woken = false;
    this.#seen = now;
    return woken;
  }
}
