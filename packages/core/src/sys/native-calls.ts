/**
 * Counts calls into the operating system, per function name, on every thread
 * of the process: the Winsock calls a backend makes per round trip are what
 * tells its I/O model apart, so the backend counts them itself rather than
 * leaving it to a system-call trace.
 *
 * Each thread counts into a table of its own (a SharedArrayBuffer, so the
 * hot path is one plain increment, never a lock) and announces the table on
 * a BroadcastChannel; the main thread adds up its own table and every table
 * announced to it. Threads need no wiring: wait threads, the message pump,
 * the completion-routine thread, the accept thread, ServerPool loops and an
 * app's own Workers are all counted once they bind a native function.
 *
 * The per-thread state lives on `globalThis`, so two copies of core loaded
 * in one thread (one per module system, or one per package when symlinks are
 * not resolved, as under Wine) still count into one table.
 * @module
 */
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import type { NativeFunction } from './native-function.js';

/** Slots per thread table: more than the functions wsaloop binds on any platform. */
const SLOTS = 128;
const CHANNEL = 'wsaloop:native-calls';

/** A thread's table: what the thread counts into, or what it announced (counts null until its buffer arrives). */
interface Table {
  names: string[];
  counts: Float64Array | null;
}

/** A new slot (`slot`, `name`) in thread `thread`'s table, or the table itself (`buffer`). */
type Announcement = { thread: number; buffer: SharedArrayBuffer } | { thread: number; slot: number; name: string };

interface ThreadState {
  own: { names: string[]; counts: Float64Array };
  slots: Map<string, number>;
  /** Tables other threads announced (main thread only). */
  others: Map<number, Table>;
}

/**
 * Tells the main thread about this thread's table. A channel per message,
 * closed at once (what was posted is still delivered): a Worker keeps no
 * channel open, so it neither queues the other Workers' announcements nor
 * stays alive for it.
 */
function announce(message: Announcement): void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage(message);
  channel.close();
}

const STATE_KEY = Symbol.for('wsaloop.nativeCalls.v1');

function threadState(): ThreadState {
  const holder = globalThis as { [STATE_KEY]?: ThreadState };
  const existing = holder[STATE_KEY];
  if (existing) return existing;
  const buffer = new SharedArrayBuffer(SLOTS * Float64Array.BYTES_PER_ELEMENT);
  const state: ThreadState = { own: { names: [], counts: new Float64Array(buffer) }, slots: new Map(), others: new Map() };
  if (isMainThread) {
    const channel = new BroadcastChannel(CHANNEL);
    // Listening must not keep the process alive.
    channel.unref();
    channel.onmessage = (event) => {
      const message = (event as { data: Announcement }).data;
      // Each announcement comes through a channel of its own: do not rely on their order.
      let table = state.others.get(message.thread);
      if (!table) state.others.set(message.thread, (table = { names: [], counts: null }));
      if ('buffer' in message) table.counts = new Float64Array(message.buffer);
      else table.names[message.slot] = message.name;
    };
  } else {
    announce({ thread: threadId, buffer });
  }
  holder[STATE_KEY] = state;
  return state;
}

// The main thread listens from the moment core is loaded, before it can
// start a Worker: a BroadcastChannel delivers only to channels that exist.
if (isMainThread) threadState();

function slotOf(name: string): number {
  const state = threadState();
  const known = state.slots.get(name);
  if (known !== undefined) return known;
  const slot = state.own.names.length;
  if (slot >= SLOTS) throw new Error(`native call table full (${SLOTS} functions)`);
  state.own.names.push(name);
  state.slots.set(name, slot);
  if (!isMainThread) announce({ thread: threadId, slot, name });
  return slot;
}

/**
 * `fn` with every call, synchronous or `.async`, counted under `name` in
 * this thread's table. Functions bound under the same name share a count.
 */
export function countedCalls<F extends NativeFunction<never[], unknown>>(name: string, fn: F): F {
  const slot = slotOf(name);
  const counts = threadState().own.counts;
  const call = fn as unknown as (...args: unknown[]) => unknown;
  const wrapper = (...args: unknown[]): unknown => {
    counts[slot]!++;
    return call(...args);
  };
  const callAsync = fn.async as unknown as (...args: unknown[]) => void;
  wrapper.async = (...args: unknown[]): void => {
    counts[slot]!++;
    callAsync(...args);
  };
  return wrapper as unknown as F;
}

/**
 * Calls into the operating system (Winsock, kernel32, user32 and ntdll on
 * Windows; libc on Linux) that wsaloop made since the process started, by
 * function name. On the main thread the figures cover every thread of the
 * process: its own calls and those of every Worker that made one (a
 * Worker's table reaches the main thread as a message, so a Worker counts
 * from the first turn of the main thread's event loop after it bound its
 * first function). On a Worker they cover that Worker only.
 *
 * Only calls made through wsaloop's bindings are counted, not those of
 * Node's own I/O (node:net, fs). Take the difference of two readings to
 * count what an interval cost, e.g. Winsock calls per round trip.
 */
export function nativeCallCounts(): Record<string, number> {
  const state = threadState();
  const totals: Record<string, number> = {};
  for (const { names, counts } of [state.own, ...state.others.values()]) {
    if (!counts) continue;
    names.forEach((name, slot) => {
      if (name !== undefined) totals[name] = (totals[name] ?? 0) + counts[slot]!;
    });
  }
  return totals;
}
