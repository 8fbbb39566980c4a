/**
 * What the proactor keeps per socket and per operation in flight. An
 * operation holds every byte the kernel reads or writes for it (buffers,
 * message headers, addresses) until its completion has been reaped: the
 * kernel may touch them until then, even after a cancellation was asked for.
 * @module
 */
import type { AddressedBuffer } from './addressed-buffers.js';
import type { AcceptKeeper, AcceptRequest, AddressFamily, CompletionRequest, RecvFromRequest, RecvRequest, SocketHandle } from '@wsaloop/core/backend';

/** What an operation does, and so how its completion is read. */
export type OperationKind =
  | 'accept'
  | 'connect'
  /** Waiting for a connect that the kernel reported in progress (kernels before 5.18ish with non-blocking sockets). */
  | 'connect-poll'
  | 'recv'
  /** Waiting for data before taking a buffer (the `zeroByteReads` policy). */
  | 'recv-poll'
  | 'send'
  | 'recvmsg'
  | 'sendmsg'
  /** The eventfd read that wakes a wait. */
  | 'wake'
  /** An IORING_OP_ASYNC_CANCEL of another operation. */
  | 'cancel';

/** One socket the proactor knows. */
export class SocketRecord {
  readonly fd: SocketHandle;
  readonly family: AddressFamily;
  /** False once closeSocket was called. */
  open = true;
  receiveSize: number;
  accepts: AcceptKeeper | null = null;
  /**
   * Operations in flight on this socket: an array, not a Set, since a Set
   * that empties and fills again with every receive reallocates its table
   * (see {@link OperationTable}).
   */
  readonly operations: Operation[] = [];
  /**
   * The send in the kernel. Sends on a stream go one at a time: two in
   * flight could both wait for room, and a partial first one would then
   * interleave with the second.
   */
  sending: Operation | null = null;
  /** Sends waiting for {@link sending} to finish, in order. */
  readonly sendQueue: Operation[] = [];
  /** closeSocket's callback, once the last operation is reaped. */
  onDrained: (() => void) | null = null;

  constructor(fd: SocketHandle, family: AddressFamily, receiveSize: number) {
    this.fd = fd;
    this.family = family;
    this.receiveSize = receiveSize;
  }
}

/** One operation in flight: its `id` is the SQE's user_data. */
export class Operation {
  readonly id: number;
  readonly kind: OperationKind;
  readonly record: SocketRecord | null;
  readonly request: CompletionRequest | AcceptRequest | RecvRequest | RecvFromRequest | null;
  /** A datagram receive's buffer, or the eventfd counter (stream receives use {@link slot}). */
  buffer: Buffer | null = null;
  /** A pooled buffer the operation holds: a receive's, or a small send's copy. */
  slot: AddressedBuffer | null = null;
  /** A msghdr with its iovecs (and, after them, a sockaddr), or a connect's sockaddr. */
  header: Buffer | null = null;
  /** A send's buffers, and how far the kernel has taken them. */
  buffers: readonly Uint8Array[] | null = null;
  /** Waiting (IORING_OP_POLL_ADD under the same id) to be started again after EAGAIN. */
  retryAfterPoll = false;
  /** A receive started by a poll request's completion (the proactor counts those in flight). */
  afterPoll = false;
  index = 0;
  offset = 0;

  constructor(
    id: number,
    kind: OperationKind,
    record: SocketRecord | null,
    request: CompletionRequest | AcceptRequest | RecvRequest | RecvFromRequest | null,
  ) {
    this.id = id;
    this.kind = kind;
    this.record = record;
    this.request = request;
  }

  /** Moves past `sent` bytes of {@link buffers}; true when all of them went out. */
  advance(sent: number): boolean {
    const buffers = this.buffers!;
    let left = sent;
    while (this.index < buffers.length) {
      const rest = buffers[this.index]!.byteLength - this.offset;
      if (left < rest) {
        this.offset += left;
        return false;
      }
      left -= rest;
      this.index++;
      this.offset = 0;
    }
    return true;
  }
}

/** An id's low bits: its slot (up to 4M operations in flight). */
const SLOT_BITS = 22;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
/** Its high bits: how often the slot was used (mod 1024). */
const GENERATIONS = 1 << (32 - SLOT_BITS);

/**
 * The operations in flight, by id. An id is a slot number, reused once the
 * operation's completion has been reaped, with a generation count in its
 * high bits: a cancellation still queued for the slot's previous operation
 * then names an id the kernel no longer has, not the new operation.
 *
 * A Map keyed by ever-growing ids rebuilt its table every few hundred
 * operations, and a per-socket Set reallocated as it emptied; those tables
 * outlived the young generation, so V8 promoted 600 kB per scavenge at
 * 44k HTTP requests/s, and the mark-compacts that followed (7-8 ms each,
 * six in five seconds) made io_uring's HTTP latency tail.
 */
export class OperationTable {
  /** Slot i holds an operation in flight or null; slot 0 is never used (no id is 0). */
  readonly #slots: Array<Operation | null> = [null];
  readonly #generations: number[] = [0];
  readonly #free: number[] = [];

  /** The id for a new operation: a free slot (else a new one) and its next generation. */
  nextId(): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#slots.length;
      this.#slots.push(null);
      this.#generations.push(0);
    }
    const generation = (this.#generations[slot]! + 1) % GENERATIONS;
    this.#generations[slot] = generation;
    return ((generation << SLOT_BITS) | slot) >>> 0;
  }

  /** Puts `op` in the slot of its id (from {@link nextId}). */
  add(op: Operation): void {
    this.#slots[op.id & SLOT_MASK] = op;
  }

  get(id: number): Operation | undefined {
    const op = this.#slots[id & SLOT_MASK];
    return op && op.id === id ? op : undefined;
  }

  delete(id: number): void {
    const slot = id & SLOT_MASK;
    if (this.#slots[slot]?.id !== id) return;
    this.#slots[slot] = null;
    this.#free.push(slot);
  }

  /** Every operation in flight. */
  *values(): IterableIterator<Operation> {
    for (const op of this.#slots) if (op) yield op;
  }
}

/** Removes `op` from `operations` (order is not kept). */
export function removeOperation(operations: Operation[], op: Operation): void {
  const at = operations.indexOf(op);
  if (at < 0) return;
  const last = operations.pop()!;
  if (at < operations.length) operations[at] = last;
}
