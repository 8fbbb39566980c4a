/**
 * Shared-memory protocol between the WSAAsyncSelect reactor (the loop's
 * thread) and its pump thread. Control words and a ring of forwarded
 * messages live in one SharedArrayBuffer seen as an Int32Array:
 *
 * - the pump writes entries (`wParam` low and high words, message, `lParam`)
 *   at `WRITE`, publishes the new `WRITE` index, and posts a message to the
 *   loop's thread only when the loop said it is `WAITING` for one;
 * - the loop consumes entries from its own read index and publishes it in
 *   `READ`, so the pump knows the ring's free space.
 *
 * Indexes are free-running 32-bit counters; an entry's slot is the index
 * modulo {@link RING_ENTRIES} (a power of two).
 * @module
 */

/** Index of the pump's state word (one of the `STATE_*` values). */
export const STATE = 0;
/** Index of the low 32 bits of the window handle, once `STATE_READY`. */
export const HWND_LOW = 1;
/** Index of the high 32 bits of the window handle. */
export const HWND_HIGH = 2;
/** Index of the Win32 error code, when `STATE_FAILED`. */
export const ERROR = 3;
/** Index of the stop request: nonzero once the loop asked the pump to leave. */
export const STOP = 4;
/** Index of the loop's waiting flag: 1 while it waits for the pump's postMessage. */
export const WAITING = 5;
/** Index of the ring's write counter (entries published by the pump). */
export const WRITE = 6;
/** Index of the ring's read counter (entries consumed by the loop). */
export const READ = 7;
/** Index of the pump thread's Win32 thread id. */
export const THREAD_ID = 8;
/** Control words before the ring. */
export const HEADER_WORDS = 16;

/** The pump is creating its window class and window. */
export const STATE_STARTING = 0;
/** The window exists and is pumped. */
export const STATE_READY = 1;
/** Creating the class or the window failed (see `ERROR`). */
export const STATE_FAILED = 2;
/** The window and its class are gone; the thread is leaving. */
export const STATE_STOPPED = 3;

/** Int32 words per ring entry: wParam low, wParam high, message, lParam. */
export const ENTRY_WORDS = 4;
/** Ring capacity in entries (a power of two). */
export const RING_ENTRIES = 1 << 15;

/** Bytes of the shared buffer. */
export const SHARED_BYTES = (HEADER_WORDS + RING_ENTRIES * ENTRY_WORDS) * 4;

/**
 * Messages of the reactor's window: `WM_USER` is the wake-up, `WM_USER + 1`
 * the stop request; socket registrations use the rest of the private range
 * (`WM_USER + 16` to `0x7fff`), a fresh message number per registration.
 */
export const WM_WAKE = 0x0400;
/** Asks the pump to destroy the window and leave. */
export const WM_STOP = 0x0401;
/** First message number given to a socket registration. */
export const FIRST_SOCKET_MESSAGE = 0x0410;
/** Last message number given to a socket registration (the end of the WM_USER range). */
export const LAST_SOCKET_MESSAGE = 0x7fff;

/** What the pump thread receives as `workerData`. */
export interface PumpData {
  /** The shared control words and ring. */
  shared: SharedArrayBuffer;
  /** Window class name, unique per loop. */
  className: string;
}
