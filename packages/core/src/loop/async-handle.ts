/**
 * Async handles: wake the loop from any thread or Worker and run a callback
 * on the loop's thread. Sends are coalesced, as in libuv: several sends
 * before the callback runs produce one call.
 * @module
 */
import { performWake } from '../backend/remote-wake.js';
import type { WakeToken } from '../backend/wake-token.js';
import { Handle, type HandleEvents } from './handle.js';
import type { Loop } from './loop.js';

/** Callback of an {@link Async} handle. */
export type AsyncCallback = (handle: Async) => void;

/**
 * Everything a Worker needs to trigger an {@link Async} handle: plain,
 * structured-cloneable data (pass it in `workerData` or `postMessage`).
 */
export interface RemoteAsync {
  /** Shared flag the loop checks after each poll. */
  readonly flag: SharedArrayBuffer;
  /** How to wake the loop's backend. */
  readonly wake: WakeToken;
}

/** Wakes the loop and runs the callback on its thread. Create with {@link Loop.async}. */
export class Async extends Handle<HandleEvents> {
  /** Always `'async'`. */
  readonly type = 'async' as const;
  readonly #pending = new Int32Array(new SharedArrayBuffer(4));
  readonly #callback: AsyncCallback;

  /** @internal Use {@link Loop.async}. */
  constructor(loop: Loop, callback: AsyncCallback) {
    super(loop);
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be a function');
    this.#callback = callback;
    loop._asyncHandles.add(this);
    this._setActive(true);
  }

  /** Requests a callback run. Call on the loop's thread; Workers use {@link sendAsync}. */
  send(): void {
    this._assertOpen('async_send');
    if (Atomics.exchange(this.#pending, 0, 1) === 0) this.loop._wakeIfPolling();
  }

  /** Token a Worker passes to {@link sendAsync} to trigger this handle. */
  remote(): RemoteAsync {
    return { flag: this.#pending.buffer as SharedArrayBuffer, wake: this.loop.backend.wakeToken };
  }

  /** @internal True if a send is waiting. */
  _isPending(): boolean {
    return Atomics.load(this.#pending, 0) !== 0;
  }

  /** @internal Runs the callback if a send arrived since the last run. */
  _dispatch(): void {
    if (Atomics.exchange(this.#pending, 0, 0) !== 0) this.#callback(this);
  }

  protected _close(): void {
    this.loop._asyncHandles.delete(this);
    this._closeDone();
  }
}

/**
 * Triggers the {@link Async} handle behind `remote` from any thread or
 * Worker: sets its flag, then wakes the loop's backend.
 */
export function sendAsync(remote: RemoteAsync): void {
  const flag = new Int32Array(remote.flag);
  if (Atomics.exchange(flag, 0, 1) === 0) performWake(remote.wake);
}
