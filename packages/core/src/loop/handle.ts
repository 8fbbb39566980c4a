/**
 * The base of every handle: ref/unref, active state, and the close protocol
 * (close callbacks run in the loop's close phase, after any I/O the handle
 * had in flight has been accounted for).
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { stateError } from '../errors.js';
import type { Loop } from './loop.js';

/** Kinds of handle, as {@link Loop.walk} reports them. */
export type HandleType = 'timer' | 'idle' | 'prepare' | 'check' | 'async' | 'tcp' | 'pipe' | 'udp';

/** Events every handle emits. */
export interface HandleEvents {
  /** Emitted in the close phase once the handle is fully closed. */
  close: [];
}

/**
 * Base class of all handles. A handle keeps its loop alive while it is both
 * active and referenced.
 */
export abstract class Handle<Events extends HandleEvents = HandleEvents> extends EventEmitter<Events & HandleEvents> {
  /** The loop this handle belongs to. */
  readonly loop: Loop;
  /** The handle's kind. */
  abstract readonly type: HandleType;
  #referenced = true;
  #active = false;
  #closing = false;
  #closed = false;
  #closeCallback: (() => void) | undefined;

  protected constructor(loop: Loop) {
    super();
    this.loop = loop;
    loop._register(this as unknown as Handle);
  }

  /** Lets this handle keep the loop alive again (the default). */
  ref(): this {
    if (!this.#referenced) {
      this.#referenced = true;
      if (this.#active) this.loop._adjustActive(1);
    }
    return this;
  }

  /** Stops this handle from keeping the loop alive on its own. */
  unref(): this {
    if (this.#referenced) {
      this.#referenced = false;
      if (this.#active) this.loop._adjustActive(-1);
    }
    return this;
  }

  /** Whether the handle is referenced. */
  hasRef(): boolean {
    return this.#referenced;
  }

  /** Whether the handle is active (what "active" means depends on its type). */
  isActive(): boolean {
    return this.#active;
  }

  /** Whether {@link Handle.close} has been called. */
  isClosing(): boolean {
    return this.#closing || this.#closed;
  }

  /** Whether the close callback has run. */
  isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Closes the handle. `callback` (and the `close` event) run in the loop's
   * close phase, after every operation the handle had in flight completed or
   * was cancelled (their callbacks see `ECANCELED`). Closing twice throws.
   *
   * As with libuv's `uv_close`, nothing waits for queued writes: those not
   * yet completed are cancelled and their bytes may never reach the peer. To
   * end a connection after everything written, call `Tcp.shutdown` (FIN
   * after the last queued write) and close in its callback.
   */
  close(callback?: () => void): void {
    if (this.#closing || this.#closed) throw stateError('EINVAL', 'close', 'handle is already closing');
    this.#closing = true;
    this.#closeCallback = callback;
    this._setActive(false);
    this.loop._closingStarted();
    this._close();
  }

  /** Marks the handle active or inactive, keeping the loop's counters right. */
  protected _setActive(active: boolean): void {
    if (active === this.#active) return;
    this.#active = active;
    if (this.#referenced) this.loop._adjustActive(active ? 1 : -1);
  }

  /** Throws `EBADF` if the handle is closing or closed. */
  protected _assertOpen(syscall: string): void {
    if (this.#closing || this.#closed) throw stateError('EBADF', syscall, 'handle is closed');
  }

  /**
   * Type-specific teardown. Must eventually call {@link Handle._closeDone},
   * synchronously or once in-flight I/O has been reported.
   */
  protected abstract _close(): void;

  /** Queues the close callback for the loop's close phase. */
  protected _closeDone(): void {
    this.loop._queueClosing(this as unknown as Handle);
  }

  /** @internal Runs the close callback; called by the loop's close phase. */
  _finishClose(): void {
    this.#closed = true;
    this.#closing = false;
    this.loop._unregister(this as unknown as Handle);
    const cb = this.#closeCallback;
    this.#closeCallback = undefined;
    cb?.();
    (this as unknown as EventEmitter<HandleEvents>).emit('close');
    this.removeAllListeners();
  }
}
