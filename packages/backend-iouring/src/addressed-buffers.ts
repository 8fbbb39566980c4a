/**
 * Buffers reused from operation to operation, each with its native address
 * learned once. Learning a buffer's address costs a native call (core's
 * `addressOf`), and an operation's SQE needs it: with a buffer and its
 * address taken afresh for every receive, the two were 13% of the server's
 * time at 50 connections in ping-pong. A buffer comes back once the kernel
 * is done with it (its completion reaped) and nobody else holds it.
 * @module
 */
import { addressOf } from '@wsaloop/core/posix';

/** A buffer and where it lives. */
export interface AddressedBuffer {
  readonly buffer: Buffer;
  readonly address: number;
}

/** Free buffers by size, at most {@link AddressedBuffers.keep} of each size kept. */
export class AddressedBuffers {
  readonly #free = new Map<number, AddressedBuffer[]>();
  readonly #keep: number;

  /** @param keep Free buffers kept per size: what memory the pool may hold beyond the buffers in use. */
  constructor(keep: number) {
    this.#keep = keep;
  }

  /** A buffer of exactly `size` bytes, free or new. */
  take(size: number): AddressedBuffer {
    const reused = this.#free.get(size)?.pop();
    if (reused) return reused;
    const buffer = Buffer.allocUnsafeSlow(size);
    return { buffer, address: addressOf(buffer) };
  }

  /** Takes `slot` back: the kernel is done with it and no reader holds its bytes. */
  give(slot: AddressedBuffer): void {
    let free = this.#free.get(slot.buffer.byteLength);
    if (!free) this.#free.set(slot.buffer.byteLength, (free = []));
    if (free.length < this.#keep) free.push(slot);
  }
}
