/**
 * The event loop. One iteration, as in libuv: update the cached time, run
 * due timers, run deferred completions (pending), idle, prepare, poll for I/O
 * (blocking off the main thread when there is nothing else to do), async
 * wake-ups, check, then close callbacks.
 *
 * `run()` is asynchronous: whenever the poll has to block, the wait happens
 * off-thread and Node's own loop keeps running timers, promises and I/O.
 * When the loop is busy and never has to block, it still yields to Node at
 * least every {@link YIELD_INTERVAL_MS}.
 * @module
 */
import type { Backend } from '../backend/backend.js';
import { stateError, WsaloopError } from '../errors.js';
import type { IoService } from '../io/channel.js';
import { createIoService } from '../io/io-service.js';
import { socketApi } from '../sys/platform.js';
import { Pipe } from './pipe.js';
import { Tcp } from './tcp.js';
import { Udp } from './udp.js';
import { Async, type AsyncCallback } from './async-handle.js';
import { processExiting, waitEnded, waitStarted } from './exit-guard.js';
import type { Handle } from './handle.js';
import { Check, Idle, type Phase, type PhaseHandle, Prepare } from './phase-handle.js';
import { Timer } from './timer.js';
import { TimerHeap } from './timer-heap.js';

/** How long a busy loop may run before it yields to Node's own loop. */
export const YIELD_INTERVAL_MS = 2;

/**
 * `default`: run until no active, referenced handles or requests remain (or
 * {@link Loop.stop}). `once`: one iteration, blocking for I/O if there is
 * nothing pending. `nowait`: one iteration without blocking.
 */
export type RunMode = 'default' | 'once' | 'nowait';

const now = (): number => Math.floor(performance.now());
const ignore = (): void => {};
/** What an automatic run does with a failure when no handler was given: what Node does with an exception. */
const throwUncaught = (error: unknown): void =>
  process.nextTick(() => {
    throw error;
  });
const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/**
 * Resolves after Node has run the ticks queued so far, then every promise
 * job (chains included), then the ticks those queued: the tick's microtask
 * asks for a second tick, which Node runs only once the promise jobs are
 * done. (A tick that asked for a tick directly would run in the same batch,
 * ahead of them.)
 */
const afterNodeQueues = (): Promise<void> =>
  new Promise((resolve) => process.nextTick(() => queueMicrotask(() => process.nextTick(resolve))));

/** An event loop driving one backend. Create it with `createLoop`. */
export class Loop {
  /** The backend driving this loop's I/O. */
  readonly backend: Backend;
  /** @internal */ readonly _timers = new TimerHeap<Timer>();
  /** @internal */ readonly _asyncHandles = new Set<Async>();
  /** @internal */ readonly _io: IoService;
  readonly #phases: Record<Phase, Set<PhaseHandle>> = { idle: new Set(), prepare: new Set(), check: new Set() };
  readonly #handles = new Set<Handle>();
  #pending: Array<() => void> = [];
  #closingQueue: Handle[] = [];
  #closingCount = 0;
  #activeHandles = 0;
  #activeRequests = 0;
  #timerSequence = 0;
  #time = now();
  #running = false;
  #polling = false;
  /** Events the last poll dispatched. */
  #polled = 0;
  #stopRequested = false;
  #closed = false;
  #lastYield = now();
  #failure: { error: unknown } | null = null;
  /** Set by {@link Loop.autoRun}: receives the failures of runs the loop starts itself. */
  #autoRun: ((error: unknown) => void) | null = null;
  #autoRunScheduled = false;

  /** @internal Use `createLoop`. */
  constructor(backend: Backend) {
    this.backend = backend;
    // The loop and its io meet here: the io gets only the scheduling it
    // needs, and the socket calls of the backend's network.
    this._io = createIoService(
      { defer: (fn) => this._defer(fn), callbackFailed: (error) => this._callbackFailed(error), wakeIfPolling: () => this._wakeIfPolling() },
      backend,
      backend.sockets ?? socketApi(),
    );
  }

  /** The loop's cached time in milliseconds, updated at the start of each iteration. */
  now(): number {
    return this.#time;
  }

  /** Re-reads the clock into the cached time. */
  updateTime(): void {
    this.#time = now();
  }

  /** Whether the loop has active, referenced handles or requests, or handles still closing. */
  get alive(): boolean {
    return this.#activeHandles > 0 || this.#activeRequests > 0 || this.#closingCount > 0;
  }

  /** Whether a `run()` is in progress. */
  get running(): boolean {
    return this.#running;
  }

  /**
   * Runs the loop in `mode`. Resolves with whether the loop is still alive
   * (true when stopped early or when `once` / `nowait` left work behind).
   * Rejects with `EBUSY` if the loop is already running.
   */
  async run(mode: RunMode = 'default'): Promise<boolean> {
    if (mode !== 'default' && mode !== 'once' && mode !== 'nowait') {
      throw new TypeError(`The "mode" argument must be 'default', 'once' or 'nowait', received ${String(mode)}`);
    }
    if (this.#closed) throw stateError('EBADF', 'run', 'loop is closed');
    if (this.#running) throw stateError('EBUSY', 'run', 'loop is already running');
    this.#running = true;
    try {
      let alive = this.alive;
      if (!alive) this.updateTime();
      while (alive && !this.#stopRequested) {
        this.updateTime();
        this.#runTimers();
        const ranPending = this.#runPending();
        this.#runPhase('idle');
        this.#runPhase('prepare');
        const mayBlock = mode === 'default' || (mode === 'once' && !ranPending);
        let blocked = await this.#poll(mayBlock ? this.#pollTimeout() : 0);
        // 'once' promises forward progress, as libuv's UV_RUN_ONCE does: a
        // wake-up that brought nothing (another thread's wake, a stray
        // notification) while only a timer is awaited waits again.
        while (mode === 'once' && mayBlock && this.#polled === 0 && this.#waitingOnlyForTimer()) {
          blocked = (await this.#poll(this.#pollTimeout())) || blocked;
        }
        this.#dispatchAsync();
        this.#runPhase('check');
        this.#runClosing();
        if (mode === 'once') {
          this.updateTime();
          this.#runTimers();
        }
        this.#rethrowFailure();
        alive = this.alive;
        if (mode !== 'default') break;
        await this.#yield(blocked);
        // Node code that ran during the yield (a timer, a stream's nextTick)
        // may have started work on this loop: look again before leaving.
        alive = this.alive;
      }
      this.#stopRequested = false;
      return alive;
    } finally {
      this.#running = false;
    }
  }

  /**
   * Lets the loop run itself, for layers whose users never call `run()`
   * (a Node-style stream layer: `server.listen()` just works). From now on,
   * whenever the loop is alive and nobody runs it, it starts `run()` on the
   * next macrotask, and that run ends when nothing holds the loop. An app
   * that calls `run()` itself in the same turn runs the loop with its own
   * call. When such a run rejects (an application callback threw),
   * `onFailure` receives the error (default: thrown as an uncaught
   * exception, as Node would), and the loop runs again if still alive.
   * Calling it again replaces `onFailure`.
   * @throws WsaloopError `EBADF` if the loop is closed.
   */
  autoRun(onFailure: (error: unknown) => void = throwUncaught): void {
    this.#assertOpen();
    this.#autoRun = onFailure;
    this.#scheduleAutoRun();
  }

  /** Whether {@link Loop.autoRun} is on. */
  get autoRunning(): boolean {
    return this.#autoRun !== null;
  }

  /** Starts a run on the next macrotask if auto-run is on and nobody runs the loop. */
  #scheduleAutoRun(): void {
    if (!this.#autoRun || this.#running || this.#autoRunScheduled || this.#closed) return;
    this.#autoRunScheduled = true;
    setImmediate(() => {
      this.#autoRunScheduled = false;
      if (this.#running || this.#closed || !this.alive) return;
      this.run().then(ignore, (error: unknown) => {
        this.#autoRun?.(error);
        this.#scheduleAutoRun();
      });
    });
  }

  /** Makes `run()` return after the current iteration. */
  stop(): void {
    this.#stopRequested = true;
    this._wakeIfPolling();
  }

  /** Calls `callback` for every handle that is not yet closed. */
  walk(callback: (handle: Handle) => void): void {
    for (const handle of [...this.#handles]) callback(handle);
  }

  /**
   * Releases the loop and its backend.
   * @throws WsaloopError `EBUSY` while any handle is open or closing, or the loop runs.
   */
  close(): void {
    if (this.#closed) return;
    if (this.#running) throw stateError('EBUSY', 'loop_close', 'loop is running');
    if (this.#handles.size > 0) {
      throw stateError('EBUSY', 'loop_close', `${this.#handles.size} handle(s) still open`);
    }
    this.#closed = true;
    this.#autoRun = null;
    this.backend.close();
  }

  /**
   * Counts of the backend's native resources, and the loop's running totals.
   * Keys ending in `Allocated` are pool capacities (they may stay grown),
   * keys ending in `Total` are running totals (`acceptsDroppedTotal`:
   * connections that failed while being accepted, closed without reaching
   * the listener's callback; `clientsTurnedAwayTotal`: clients accepted and
   * closed at once because the process was out of descriptors;
   * `acceptBackoffsTotal`: pauses of accepting for lack of resources). Every
   * other key is a live count that returns to its baseline once everything
   * opened since is closed: see {@link Loop.liveStats}.
   */
  stats(): Record<string, number> {
    return { ...this.backend.stats(), ...this._io.stats() };
  }

  /** The live counts of {@link Loop.stats}: what a leak check compares before and after. */
  liveStats(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.stats()).filter(([key]) => !key.endsWith('Allocated') && !key.endsWith('Total')));
  }

  /** Creates a timer handle. */
  timer(): Timer {
    this.#assertOpen();
    return new Timer(this);
  }

  /** Creates an idle handle. */
  idle(): Idle {
    this.#assertOpen();
    return new Idle(this);
  }

  /** Creates a prepare handle. */
  prepare(): Prepare {
    this.#assertOpen();
    return new Prepare(this);
  }

  /** Creates a check handle. */
  check(): Check {
    this.#assertOpen();
    return new Check(this);
  }

  /** Creates an async handle, active at once, whose `callback` runs after `send()`. */
  async(callback: AsyncCallback): Async {
    this.#assertOpen();
    return new Async(this, callback);
  }

  /** Creates a TCP handle. */
  tcp(): Tcp {
    this.#assertOpen();
    return new Tcp(this);
  }

  /** Creates a pipe handle: a Unix domain stream socket on Linux, a named pipe on Windows. */
  pipe(): Pipe {
    this.#assertOpen();
    return new Pipe(this);
  }

  /** Creates a UDP handle. */
  udp(): Udp {
    this.#assertOpen();
    return new Udp(this);
  }

  // ---- internal protocol with handles and the I/O layer ----

  /** @internal */ _register(handle: Handle): void {
    this.#handles.add(handle);
  }

  /** @internal */ _unregister(handle: Handle): void {
    this.#handles.delete(handle);
  }

  /** @internal */ _adjustActive(delta: number): void {
    this.#activeHandles += delta;
    if (delta > 0 && !this.#running) this.#scheduleAutoRun();
    // An unref() or stop from outside the loop may leave nothing to wait
    // for: wake a blocked poll so run() sees it and returns.
    if (delta < 0 && !this.alive) this._wakeIfPolling();
  }

  /** @internal A request (write, connect, shutdown...) started: it keeps the loop alive. */
  _requestStarted(): void {
    this.#activeRequests++;
    if (!this.#running) this.#scheduleAutoRun();
  }

  /** @internal */ _requestFinished(): void {
    this.#activeRequests--;
  }

  /** @internal */ _closingStarted(): void {
    this.#closingCount++;
    if (!this.#running) this.#scheduleAutoRun();
  }

  /** @internal Schedules a handle's close callback for the close phase. */
  _queueClosing(handle: Handle): void {
    this.#closingQueue.push(handle);
    this._wakeIfPolling();
  }

  /** @internal Runs `fn` in the next pending phase (completions never run re-entrantly). */
  _defer(fn: () => void): void {
    this.#pending.push(fn);
    this._wakeIfPolling();
  }

  /** @internal */ _phaseQueue(phase: Phase): Set<PhaseHandle> {
    return this.#phases[phase];
  }

  /** @internal */ _nextTimerSequence(): number {
    return this.#timerSequence++;
  }

  /**
   * @internal Records an exception thrown by an application callback. The
   * rest of the phase still runs, so no completion is lost and the loop stays
   * consistent; `run()` then rejects with the first such exception at the end
   * of the iteration, and may be called again.
   */
  _callbackFailed(error: unknown): void {
    this.#failure ??= { error };
  }

  #rethrowFailure(): void {
    const failure = this.#failure;
    if (!failure) return;
    this.#failure = null;
    throw failure.error;
  }

  /** @internal Interrupts a blocking poll so a change made from outside the loop takes effect. */
  _wakeIfPolling(): void {
    if (this.#polling) this.backend.wake();
  }

  // ---- phases ----

  #assertOpen(): void {
    if (this.#closed) throw stateError('EBADF', 'loop', 'loop is closed');
  }

  #runTimers(): void {
    for (;;) {
      const timer = this._timers.peek();
      if (!timer || timer.due > this.#time) return;
      try {
        timer._expire();
      } catch (error) {
        this._callbackFailed(error);
      }
    }
  }

  #runPending(): boolean {
    if (this.#pending.length === 0) return false;
    const batch = this.#pending;
    this.#pending = [];
    for (const fn of batch) {
      try {
        fn();
      } catch (error) {
        this._callbackFailed(error);
      }
    }
    return true;
  }

  #runPhase(phase: Phase): void {
    const handles = this.#phases[phase];
    if (handles.size === 0) return;
    for (const handle of [...handles]) {
      if (!handles.has(handle)) continue;
      try {
        handle._run();
      } catch (error) {
        this._callbackFailed(error);
      }
    }
  }

  #pollTimeout(): number {
    // A callback that threw before the poll (a timer, a write completion)
    // must end this iteration promptly: run() rejects only after the poll,
    // and an unlimited wait would keep the exception from ever surfacing.
    if (this.#stopRequested || this.#failure || !this.alive) return 0;
    if (this.#pending.length > 0 || this.#closingQueue.length > 0 || this.#phases.idle.size > 0) return 0;
    for (const handle of this._asyncHandles) if (handle._isPending()) return 0;
    const next = this._timers.peek();
    if (!next) return -1;
    return Math.max(0, next.due - this.#time);
  }

  /** True when nothing but a timer that is not due yet can end the wait. */
  #waitingOnlyForTimer(): boolean {
    if (this.#stopRequested || this.#closingQueue.length > 0 || this._asyncHandles.size > 0) return false;
    this.updateTime();
    return this.#pollTimeout() > 0;
  }

  /** Polls the backend; resolves true if the wait went off-thread. Leaves the events dispatched in #polled. */
  #poll(timeout: number): boolean | Promise<boolean> {
    // A Worker's loop must not block once the process exits (see exit-guard).
    const result = this.backend.poll(processExiting() ? 0 : timeout);
    if (typeof result === 'number') {
      this.#polled = result;
      return false;
    }
    this.#polling = true;
    const offThread = this.backend.waitsInNodeLoop !== true;
    if (offThread) waitStarted(this.backend);
    return result.then(
      (events) => {
        this.#polled = events;
        this.#polling = false;
        if (offThread) waitEnded(this.backend);
        return true;
      },
      (error: unknown) => {
        this.#polling = false;
        if (offThread) waitEnded(this.backend);
        throw error instanceof WsaloopError ? error : new WsaloopError(`backend poll failed: ${String(error)}`, { code: 'EIO', syscall: 'poll' });
      },
    );
  }

  #dispatchAsync(): void {
    if (this._asyncHandles.size === 0) return;
    for (const handle of [...this._asyncHandles]) {
      try {
        handle._dispatch();
      } catch (error) {
        this._callbackFailed(error);
      }
    }
  }

  #runClosing(): void {
    while (this.#closingQueue.length > 0) {
      const batch = this.#closingQueue;
      this.#closingQueue = [];
      for (const handle of batch) {
        this.#closingCount--;
        try {
          handle._finishClose();
        } catch (error) {
          this._callbackFailed(error);
        }
      }
    }
  }

  /**
   * After an iteration that did not wait, lets Node run what its callbacks
   * queued before the next iteration starts, as Node does after each of its
   * own callbacks: the `process.nextTick` callbacks, then promise jobs. The
   * loop iterates inside promise jobs, and Node runs ticks only once no
   * promise job is left, so an iteration that merely awaited held every
   * tick until the loop next waited or yielded to Node's macrotasks: 2 ms,
   * about a hundred iterations, later under load. Every
   * {@link YIELD_INTERVAL_MS} it yields a macrotask, so Node's timers and
   * I/O run too. An iteration that waited goes straight on: Node ran its
   * queues during the wait, and what the callbacks after the wait queued
   * runs at the next iteration's wait or yield.
   */
  async #yield(blocked: boolean): Promise<void> {
    const t = this.#time;
    if (blocked) {
      this.#lastYield = t;
      return;
    }
    if (t - this.#lastYield >= YIELD_INTERVAL_MS) {
      this.#lastYield = t;
      await macrotask();
    } else {
      await afterNodeQueues();
    }
  }
}
