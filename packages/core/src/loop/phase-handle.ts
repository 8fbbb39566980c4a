/**
 * Idle, prepare and check handles: callbacks run once per loop iteration in
 * their phase (idle and prepare just before polling for I/O, check just
 * after). An active idle handle makes the poll non-blocking.
 * @module
 */
import { Handle, type HandleEvents } from './handle.js';
import type { Loop } from './loop.js';

/** Callback of a phase handle. */
export type PhaseCallback<H> = (handle: H) => void;

/** The phase a {@link PhaseHandle} runs in. */
export type Phase = 'idle' | 'prepare' | 'check';

/** Shared implementation of {@link Idle}, {@link Prepare} and {@link Check}. */
export abstract class PhaseHandle extends Handle<HandleEvents> {
  abstract override readonly type: Phase;
  #callback: PhaseCallback<this> | undefined;

  /** Starts calling `callback` once per loop iteration in this handle's phase. */
  start(callback: PhaseCallback<this>): this {
    this._assertOpen(`${this.type}_start`);
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be a function');
    this.#callback = callback;
    if (!this.isActive()) {
      this.loop._phaseQueue(this.type).add(this);
      this._setActive(true);
      this.loop._wakeIfPolling();
    }
    return this;
  }

  /** Stops the callbacks. */
  stop(): this {
    if (this.isActive()) {
      this.loop._phaseQueue(this.type).delete(this);
      this._setActive(false);
    }
    return this;
  }

  /** @internal Runs the callback; called by the loop's phase. */
  _run(): void {
    this.#callback?.(this);
  }

  protected _close(): void {
    this.loop._phaseQueue(this.type).delete(this);
    this._closeDone();
  }
}

/** Runs a callback every iteration before the poll; keeps the poll from blocking. Create with {@link Loop.idle}. */
export class Idle extends PhaseHandle {
  /** Always `'idle'`. */
  readonly type = 'idle' as const;
  /** @internal Use {@link Loop.idle}. */
  constructor(loop: Loop) {
    super(loop);
  }
}

/** Runs a callback every iteration right before the poll. Create with {@link Loop.prepare}. */
export class Prepare extends PhaseHandle {
  /** Always `'prepare'`. */
  readonly type = 'prepare' as const;
  /** @internal Use {@link Loop.prepare}. */
  constructor(loop: Loop) {
    super(loop);
  }
}

/** Runs a callback every iteration right after the poll. Create with {@link Loop.check}. */
export class Check extends PhaseHandle {
  /** Always `'check'`. */
  readonly type = 'check' as const;
  /** @internal Use {@link Loop.check}. */
  constructor(loop: Loop) {
    super(loop);
  }
}
