/**
 * How another thread wakes a loop's backend: plain data, structured-cloneable
 * into a Worker, naming a mechanism (not a backend).
 * @module
 */

/** Wake by sending one byte on a (connected, non-blocking) socket. */
export interface SocketWakeToken {
  kind: 'socket';
  socket: number;
}

/** Wake by adding 1 to a Linux eventfd. */
export interface EventFdWakeToken {
  kind: 'eventfd';
  fd: number;
}

/** Wake by posting a packet to a completion port (`PostQueuedCompletionStatus`). */
export interface CompletionPortWakeToken {
  kind: 'completion-port';
  /** Port HANDLE as an integer address. */
  port: number;
  /** Completion key that marks the packet as a wake-up. */
  key: number;
}

/** Wake by signalling an event object (`SetEvent`). */
export interface EventWakeToken {
  kind: 'event';
  /** Event HANDLE as an integer address. */
  handle: number;
}

/** Wake by posting a message to a window (`PostMessageW`). */
export interface WindowWakeToken {
  kind: 'window';
  /** HWND as an integer address. */
  hwnd: number;
  message: number;
}

/**
 * Wake by adding 1 to the first Int32 of a shared buffer and notifying its
 * waiters: for a backend that waits in JavaScript (`Atomics.waitAsync`),
 * such as the in-memory backend of core's tests.
 */
export interface SharedFlagWakeToken {
  kind: 'shared-flag';
  flag: SharedArrayBuffer;
}

/** Any wake mechanism. */
export type WakeToken = SocketWakeToken | EventFdWakeToken | CompletionPortWakeToken | EventWakeToken | WindowWakeToken | SharedFlagWakeToken;
