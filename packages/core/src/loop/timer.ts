/**
 * Timer handles, with libuv's semantics: a timer due at loop time `t` runs in
 * the timers phase of the first iteration whose cached time is `>= t`;
 * timers due together run in start order; a repeating timer is re-armed from
 * the loop time, before its callback runs.
 * @module
 */
import { stateError } from '../errors.js';
import { Handle, type HandleEvents } from './handle.js';
import type { HeapEntry } from './timer-heap.js';
import type { Loop } from './loop.js';

/** Callback of a {@link Timer}. */
export type TimerCallback = (timer: Timer) => void;

function checkDelay(name: string, value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`The "${name}" argument must be a number of milliseconds, received ${String(value)}`);
  }
  if (value < 0 || !Number.isFinite(value)) {
    throw new RangeError(`The "${name}" argument must be >= 0 and finite, received ${value}`);
  }
}

/** A one-shot or repeating timer. Create it with {@link Loop.timer}. */
export class Timer extends Handle<HandleEvents> implements HeapEntry {
  /** Always `'timer'`. */
  readonly type = 'timer' as const;
  /** @internal */ due = 0;
  /** @internal */ sequence = 0;
  /** @internal */ heapIndex = -1;
  #callback: TimerCallback | undefined;
  #repeat = 0;

  /** @internal Use {@link Loop.timer}. */
  constructor(loop: Loop) {
    super(loop);
  }

  /**
   * Starts the timer: `callback` runs `timeout` ms from the loop's current
   * time, then every `repeat` ms if `repeat > 0`. Restarts a running timer.
   * @throws TypeError / RangeError for a non-numeric or negative delay.
   */
  start(callback: TimerCallback, timeout: number, repeat = 0): this {
    this._assertOpen('timer_start');
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be a function');
    checkDelay('timeout', timeout);
    checkDelay('repeat', repeat);
    if (this.isActive()) this.loop._timers.remove(this);
    this.#callback = callback;
    this.#repeat = Math.floor(repeat);
    this.due = this.loop.now() + Math.floor(timeout);
    this.sequence = this.loop._nextTimerSequence();
    this.loop._timers.push(this);
    this._setActive(true);
    this.loop._wakeIfPolling();
    return this;
  }

  /** Stops the timer; a no-op if it is not running. */
  stop(): this {
    if (!this.isActive()) return this;
    this.loop._timers.remove(this);
    this._setActive(false);
    return this;
  }

  /**
   * Restarts a repeating timer with its repeat interval as the timeout.
   * @throws WsaloopError `EINVAL` if the timer was never started.
   */
  again(): this {
    this._assertOpen('timer_again');
    if (!this.#callback) throw stateError('EINVAL', 'timer_again', 'timer was never started');
    if (this.#repeat > 0) {
      this.stop();
      this.start(this.#callback, this.#repeat, this.#repeat);
    }
    return this;
  }

  /** The repeat interval in ms (0: one-shot). */
  get repeat(): number {
    return this.#repeat;
  }

  /** Sets the repeat interval; takes effect at the next expiry. */
  set repeat(value: number) {
    checkDelay('repeat', value);
    this.#repeat = Math.floor(value);
  }

  /** Milliseconds until the timer is due (0 if overdue or not running). */
  get dueIn(): number {
    return this.isActive() ? Math.max(0, this.due - this.loop.now()) : 0;
  }

  /** @internal Called by the timers phase when the timer expired. */
  _expire(): void {
    this.loop._timers.remove(this);
    this._setActive(false);
    if (this.#repeat > 0) {
      this.due = this.loop.now() + this.#repeat;
      this.sequence = this.loop._nextTimerSequence();
      this.loop._timers.push(this);
      this._setActive(true);
    }
    this.#callback?.(this);
  }

  protected _close(): void {
    this.loop._timers.remove(this);
    this._closeDone();
  }
}
