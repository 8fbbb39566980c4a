/**
 * What the loop's thread and the completion-routine thread exchange.
 *
 * Requests go one way, completions the other, each as batches over one
 * MessagePort: a flat array of numbers plus, when a batch carries bytes (small
 * sends, addresses, received data), one ArrayBuffer that is transferred, not
 * copied. The routine thread never returns to its event loop: it pulls
 * request batches with `receiveMessageOnPort` after its request event is set.
 * Large sends cross by address: the loop's thread keeps the caller's buffers
 * referenced until the send's completion arrives, and the routine thread
 * points its WSABUFs straight at them.
 *
 * Request words, by opcode (bytes are taken from the batch's buffer in order):
 *   ASSOCIATE socket family
 *   ACCEPT    id socket family optional  (optional: 1 for an accept posted for a burst only)
 *   CONNECT   id socket family addressLength        (bytes: the sockaddr)
 *   RECV      id socket
 *   SEND      id socket inlineLength pieces (address length)*pieces (bytes: inline data)
 *   RECVFROM  id socket
 *   SENDTO    id socket addressLength inlineLength pieces (address length)*pieces
 *                                                   (bytes: sockaddr, then inline data)
 *   CLOSE     id socket
 *   ASSOCIATE_PIPE handle                          (a named pipe's handle)
 *   AWAIT_CLIENT   id handle                       (ConnectNamedPipe)
 *
 * Completion words, `id status` then by the request's kind (bytes in order):
 *   accept: socket backlog (1: more connections likely queued); recv: length (-1: no data) source; recvfrom: length
 *   fromLength; others: nothing. A receive's `source` is -1 when its bytes are
 *   in the batch's buffer, else the index of a buffer of their own in `x`
 *   (a large receive already has one: it is transferred as it is, which saves
 *   allocating and copying it again). An empty batch is a wake-up.
 * @module
 */

export const OP_ASSOCIATE = 1;
export const OP_ACCEPT = 2;
export const OP_CONNECT = 3;
export const OP_RECV = 4;
export const OP_SEND = 5;
export const OP_RECVFROM = 6;
export const OP_SENDTO = 7;
export const OP_CLOSE = 8;
export const OP_ASSOCIATE_PIPE = 9;
export const OP_AWAIT_CLIENT = 10;

/** A batch in either direction. */
export interface Batch {
  /** The words. */
  w: number[];
  /** The bytes, if any. */
  d: ArrayBuffer | null;
  /** Received bytes that travel in buffers of their own (completions only). */
  x?: ArrayBuffer[];
}

/** Control words (an Int32Array over a SharedArrayBuffer). */
export const CONTROL_EXIT = 0;
/** Set by the routine thread once it has left its loop and released what it owns. */
export const CONTROL_DONE = 1;
/**
 * 1 while the routine thread is about to block, or blocks, in its alertable
 * wait: only then does a request batch need the request event set. The
 * thread sets it, then looks at its port once more before it blocks; the
 * loop's thread posts, then reads it (both sequentially consistent), so a
 * batch is always either seen by that look or announced by the event.
 */
export const CONTROL_SLEEPING = 2;
export const CONTROL_WORDS = 3;
/** CONTROL_EXIT values. */
export const EXIT_NONE = 0;
/** The loop closes: release everything, then leave. */
export const EXIT_CLOSE = 1;
/** The process exits: just leave. */
export const EXIT_PROCESS = 2;

/** Figures the routine thread publishes (a Float64Array over a SharedArrayBuffer), before each batch it sends. */
export const STAT_LIVE_OPERATIONS = 0;
export const STAT_BUFFERS_IN_USE = 1;
export const STAT_BUFFERS_ALLOCATED = 2;
export const STAT_OPEN_SOCKETS = 3;
/** AcceptEx / ConnectEx in flight (they take no completion routine: they signal an event). */
export const STAT_EVENT_OPERATIONS = 4;
/** Completion routines run, in all. */
export const STAT_ROUTINES_RUN = 5;
/** Completion routines that ran on a thread other than the one that started their operation. */
export const STAT_ROUTINES_ELSEWHERE = 6;
/** Win32 id of the routine thread. */
export const STAT_THREAD_ID = 7;
/** Completion batches sent. */
export const STAT_BATCHES = 8;
/** Alertable waits that ended with WAIT_IO_COMPLETION. */
export const STAT_ALERTED_WAITS = 9;
export const STAT_WORDS = 10;

/** What the routine thread is started with. */
export interface RoutineThreadData {
  /** Its end of the channel. */
  port: import('node:worker_threads').MessagePort;
  /** Auto-reset event the loop's thread sets after posting requests. */
  requestEvent: number;
  /** Auto-reset event of the wake token: set by anyone to wake the loop. */
  wakeEvent: number;
  control: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  /** Validated overlapped options. */
  options: { recvBufferSize: number; acceptsAhead: number; zeroByteReads: boolean | number };
}

/** The byte chunks of a batch in one transferable ArrayBuffer (null when there are none). */
export function joinChunks(chunks: readonly Uint8Array[], bytes: number): ArrayBuffer | null {
  if (bytes === 0) return null;
  const all = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all.buffer;
}
