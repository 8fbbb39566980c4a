/**
 * Lets the process exit while loops are blocked in off-thread waits. At
 * exit, Node joins its thread pool; a pool thread parked in select or
 * GetQueuedCompletionStatusEx would make `process.exit()` hang forever. One
 * `exit` listener wakes every backend of the main thread that is waiting.
 *
 * Loops hosted in Workers need more. The process's exit terminates them
 * without an `exit` event and without running any more of their JavaScript,
 * yet Node tears a Worker down only once its thread-pool requests have
 * ended, and a koffi `.async` call that completes during that teardown
 * aborts the process (koffi 2.16 cannot call back then). So a Worker's loop
 * puts its backend's wake token in a table shared with the main thread
 * (through worker_threads' environment data) while it waits. At exit the
 * main thread marks the process as exiting, wakes every listed wait, and
 * blocks until each of them has been handed back to its loop; a loop that
 * sees the mark no longer blocks. Then Node terminates Workers with nothing
 * of ours in flight.
 *
 * The table reaches Workers created after `@wsaloop/core` was first loaded
 * in the main thread, and lists up to 256 waits at once.
 * `worker.terminate()` is not covered: it gives the Worker no chance either,
 * and its loop's wait then holds the Worker.
 * @module
 */
import { getEnvironmentData, isMainThread, setEnvironmentData } from 'node:worker_threads';
import type { BackendBase } from '../backend/backend.js';
import { performWake } from '../backend/remote-wake.js';

const KEY = 'wsaloop:exit-guard';
const waiting = new Set<BackendBase>();
let installed = false;

/** Waits of Worker-hosted loops the table can list at once. */
const SLOTS = 256;
/** Bytes of one slot's token (JSON). */
const TOKEN_BYTES = 120;
/** Header words: the exiting mark, and a counter bumped (and notified) at every release. */
const EXITING = 0;
const RELEASES = 1;
/** How long the main thread waits for Worker-hosted waits to end at exit. */
const EXIT_WAIT_MS = 2000;

interface Table {
  header: Int32Array;
  /** Per slot: 0 free, 1 holds a waiting loop's token. */
  used: Int32Array;
  tokens: Uint8Array;
}

function tableOf(buffer: SharedArrayBuffer): Table {
  return {
    header: new Int32Array(buffer, 0, 2),
    used: new Int32Array(buffer, 8, SLOTS),
    tokens: new Uint8Array(buffer, 8 + 4 * SLOTS, SLOTS * TOKEN_BYTES),
  };
}

/**
 * State of this thread shared by every copy of this module: core is loaded
 * twice when the app imports its ES build and `createLoop` requires a
 * backend package, which requires core's CommonJS build.
 */
interface ThreadState {
  /** The process-wide table, or null in a Worker created before core was loaded in the main thread. */
  buffer: SharedArrayBuffer | null;
  /** This thread's hooks of {@link onProcessExit}, in order. */
  hooks: Array<() => void>;
  /** How many of them have run (a Worker may run them before its `exit` event). */
  hooksRan: number;
  /** Whether this thread's one `exit` listener is installed. */
  listening: boolean;
}

const state: ThreadState = (() => {
  const global = globalThis as { [KEY]?: ThreadState };
  if (global[KEY]) return global[KEY];
  let buffer: SharedArrayBuffer | null;
  if (isMainThread) {
    buffer = new SharedArrayBuffer(8 + 4 * SLOTS + SLOTS * TOKEN_BYTES);
    setEnvironmentData(KEY, buffer);
  } else {
    const inherited = getEnvironmentData(KEY);
    buffer = inherited instanceof SharedArrayBuffer ? inherited : null;
  }
  global[KEY] = { buffer, hooks: [], hooksRan: 0, listening: false };
  return global[KEY];
})();

const table: Table | null = state.buffer ? tableOf(state.buffer) : null;
if (isMainThread && table && state.hooks.length === 0) onProcessExit(() => stopWorkerWaits(table));

/** Main thread, at exit: stops every Worker-hosted wait and waits (bounded) until all have ended. */
function stopWorkerWaits(t: Table): void {
  Atomics.store(t.header, EXITING, 1);
  for (let i = 0; i < SLOTS; i++) {
    if (Atomics.load(t.used, i) === 1) wakeSlot(t, i);
  }
  const deadline = performance.now() + EXIT_WAIT_MS;
  for (;;) {
    const releases = Atomics.load(t.header, RELEASES);
    // A slot still being written counts too: its loop wakes itself on seeing the mark.
    if (!t.used.some((_, i) => Atomics.load(t.used, i) !== 0)) return;
    const left = deadline - performance.now();
    if (left <= 0) return;
    Atomics.wait(t.header, RELEASES, releases, left);
  }
}

function wakeSlot(t: Table, slot: number): void {
  const bytes = t.tokens.slice(slot * TOKEN_BYTES, (slot + 1) * TOKEN_BYTES);
  const end = bytes.indexOf(0);
  try {
    performWake(JSON.parse(Buffer.from(bytes.subarray(0, end < 0 ? bytes.length : end)).toString('utf8')));
  } catch {
    // A slot being rewritten: its loop sees the exiting mark itself.
  }
}

/** Slots this thread's waiting backends hold. */
const slots = new Map<BackendBase, number>();

/** Each backend's token as the table stores it: a wake token never changes. */
const encoded = new WeakMap<BackendBase, Buffer>();

function list(backend: BackendBase, t: Table): void {
  let json = encoded.get(backend);
  if (!json) encoded.set(backend, (json = Buffer.from(JSON.stringify(backend.wakeToken))));
  if (json.length >= TOKEN_BYTES) return;
  for (let i = 0; i < SLOTS; i++) {
    if (Atomics.compareExchange(t.used, i, 0, 2) !== 0) continue;
    t.tokens.fill(0, i * TOKEN_BYTES, (i + 1) * TOKEN_BYTES);
    t.tokens.set(json, i * TOKEN_BYTES);
    Atomics.store(t.used, i, 1);
    slots.set(backend, i);
    // Listed before looking: either the main thread sees the slot, or this sees the mark.
    if (Atomics.load(t.header, EXITING) === 1) backend.wake();
    return;
  }
}

function unlist(backend: BackendBase, t: Table): void {
  const slot = slots.get(backend);
  if (slot === undefined) return;
  slots.delete(backend);
  // Before the slot is released: the main thread waits for it, then Node ends this Worker.
  if (Atomics.load(t.header, EXITING) === 1) runExitHooks();
  Atomics.store(t.used, slot, 0);
  Atomics.add(t.header, RELEASES, 1);
  Atomics.notify(t.header, RELEASES);
}

/** Runs the hooks of {@link onProcessExit} not run yet, in order. */
function runExitHooks(): void {
  while (state.hooksRan < state.hooks.length) state.hooks[state.hooksRan++]!();
}

/**
 * Runs `hook` when the process exits, on whichever thread registers it:
 * on the main thread at its `exit` event; in a Worker at its own `exit` event
 * or, since the process's exit ends a Worker without one, when one of its
 * loops' waits is handed back because the process is exiting (before the
 * main thread lets Node tear the Worker down). For backends whose helper
 * threads sit in native waits that would otherwise hold the exit.
 */
export function onProcessExit(hook: () => void): void {
  state.hooks.push(hook);
  // One `exit` listener for them all: a listener per backend module added
  // up, beside an app's own, to Node's MaxListenersExceededWarning.
  if (state.listening) return;
  state.listening = true;
  process.on('exit', runExitHooks);
}

/** Whether the process is exiting: a loop in a Worker must not start a blocking wait any more. */
export function processExiting(): boolean {
  return !isMainThread && table !== null && Atomics.load(table.header, EXITING) === 1;
}

function wakeAll(): void {
  for (const backend of waiting) backend.wake();
}

/** Records that `backend` is blocked in an off-thread wait. */
export function waitStarted(backend: BackendBase): void {
  if (!isMainThread) {
    if (table) list(backend, table);
    return;
  }
  waiting.add(backend);
  if (!installed) {
    installed = true;
    onProcessExit(wakeAll);
  }
}

/** Records that `backend`'s wait ended (its result is back on the loop's thread). */
export function waitEnded(backend: BackendBase): void {
  if (!isMainThread) {
    if (table) unlist(backend, table);
    return;
  }
  waiting.delete(backend);
}
