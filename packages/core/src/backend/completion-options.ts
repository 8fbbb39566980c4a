/**
 * The options every completion backend shares (Windows overlapped I/O and
 * IOCP, Linux io_uring), their checks and defaults, and the receive-size
 * policy they describe: small receives for idle connections, growing while
 * data keeps filling them.
 * @module
 */

/** Options every completion backend accepts. */
export interface CompletionOptions {
  /**
   * Size of a connection's first receives, and the least it goes down to
   * (default 1 KiB). Every idle connection keeps a receive of this size
   * posted, so it is what an idle connection costs; a busy one grows past it
   * (see `maxRecvBufferSize`) within a few receives.
   */
  recvBufferSize?: number;
  /**
   * Most a connection's receive size grows to while its receives keep filling
   * their buffer (default 256 KiB, at least `recvBufferSize`). Each receive
   * costs a system call, so bulk transfers want large ones; idle and chatty
   * connections keep small ones.
   */
  maxRecvBufferSize?: number;
  /**
   * When to wait for data before taking a buffer (a zero-byte receive on
   * Windows, a poll request on io_uring), then read it with a non-blocking
   * recv: an idle connection holds no buffer, a receive costs one more
   * system call. `true`: always; `false`: never; a number: while more than
   * that many sockets are open (default 256, as libuv's
   * `uv_active_tcp_streams_threshold` once did: few connections read fastest
   * into posted buffers, many are mostly idle).
   */
  zeroByteReads?: boolean | number;
  /** Accepts kept posted per listening socket (default 32). */
  acceptsAhead?: number;
}

/** Names of the {@link CompletionOptions}, for a backend's `knownOptions`. */
export const COMPLETION_OPTION_NAMES = ['recvBufferSize', 'maxRecvBufferSize', 'zeroByteReads', 'acceptsAhead'] as const;
// Fails to compile when an option is added above without its name.
const everyCompletionOptionNamed: Exclude<keyof CompletionOptions, (typeof COMPLETION_OPTION_NAMES)[number]> extends never ? true : never = true;
void everyCompletionOptionNamed;

/**
 * A connection's first receive size by default. An idle connection holds a
 * pending receive of this size, unless it waits with zero-byte reads
 * (by default once many sockets are open). Larger receives pay for
 * themselves only while data keeps coming, and the size grows to them
 * within a few receives.
 */
const DEFAULT_RECEIVE = 1024;
/** Open sockets past which receives wait for data first by default (see `zeroByteReads`). */
const DEFAULT_ZERO_BYTE_READS_ABOVE = 256;
const DEFAULT_ACCEPTS_AHEAD = 32;

/**
 * Validates `options` and fills in the defaults, allocating nothing (a
 * backend may check its options on one thread and build on another).
 * @throws RangeError for an out-of-range value; TypeError for a value of the wrong type.
 */
export function completionSettings(options: CompletionOptions): Required<CompletionOptions> {
  const size = options.recvBufferSize ?? DEFAULT_RECEIVE;
  if (!Number.isInteger(size) || size < 512 || size > 16 * 1024 * 1024) {
    throw new RangeError(`The "recvBufferSize" option must be an integer from 512 to 16777216, received ${String(size)}`);
  }
  const max = options.maxRecvBufferSize ?? Math.max(size, 256 * 1024);
  if (!Number.isInteger(max) || max < size || max > 16 * 1024 * 1024) {
    throw new RangeError(`The "maxRecvBufferSize" option must be an integer from recvBufferSize (${size}) to 16777216, received ${String(max)}`);
  }
  const ahead = options.acceptsAhead ?? DEFAULT_ACCEPTS_AHEAD;
  if (!Number.isInteger(ahead) || ahead < 1 || ahead > 1024) {
    throw new RangeError(`The "acceptsAhead" option must be an integer from 1 to 1024, received ${String(ahead)}`);
  }
  const zero: unknown = options.zeroByteReads ?? DEFAULT_ZERO_BYTE_READS_ABOVE;
  if (typeof zero !== 'boolean' && typeof zero !== 'number') {
    throw new TypeError(`The "zeroByteReads" option must be a boolean or a number, received ${zero === null ? 'null' : typeof zero}`);
  }
  if (typeof zero === 'number' && (!Number.isInteger(zero) || zero < 0)) {
    throw new RangeError(`The "zeroByteReads" option must be a boolean or an integer >= 0, received ${String(zero)}`);
  }
  return { recvBufferSize: size, maxRecvBufferSize: max, acceptsAhead: ahead, zeroByteReads: zero };
}

/** The receive-size policy of {@link CompletionOptions}. */
export class ReceiveSizing {
  /** A connection's first receive size. */
  readonly initial: number;
  readonly #max: number;
  /** Receives wait for data first while more sockets than this are open. */
  readonly #zeroByteReadsAbove: number;

  constructor(settings: Required<CompletionOptions>) {
    this.initial = settings.recvBufferSize;
    this.#max = settings.maxRecvBufferSize;
    const zero = settings.zeroByteReads;
    this.#zeroByteReadsAbove = zero === true ? -1 : zero === false ? Infinity : zero;
  }

  /**
   * The next receive size of a connection whose receive of `size` bytes
   * took `received`: four times larger when it filled, half when it was
   * less than a quarter full, within the configured bounds.
   */
  next(size: number, received: number): number {
    if (received === size && size < this.#max) return Math.min(size * 4, this.#max);
    if (received < size / 4 && size > this.initial) return Math.max(size / 2, this.initial);
    return size;
  }

  /** Whether a receive should wait for data before taking a buffer, with `openSockets` open. */
  waitsForData(openSockets: number): boolean {
    return openSockets > this.#zeroByteReadsAbove;
  }
}
