/**
 * A pool of fixed-size native buffers for overlapped receives (and for copies
 * of small sends). A buffer is checked out while Winsock may write to it and
 * returned once its completion has been reported.
 * @module
 */
import { NativeBlock } from './native-block.js';

/** Buffers allocated per native block. */
const BUFFERS_PER_BLOCK = 8;

/** A buffer of the pool. */
export interface PooledBuffer {
  /** Native address of the first byte. */
  readonly address: number;
  /** The bytes, as a JS view. */
  readonly bytes: Buffer;
}

/** Fixed-size native buffers, allocated in blocks, reused in LIFO order. */
export class BufferPool {
  readonly size: number;
  readonly #blocks: NativeBlock[] = [];
  readonly #free: PooledBuffer[] = [];
  #checkedOut = 0;

  constructor(size: number) {
    this.size = size;
  }

  /** Checks out a buffer. */
  acquire(): PooledBuffer {
    let buffer = this.#free.pop();
    if (!buffer) {
      const block = new NativeBlock(this.size * BUFFERS_PER_BLOCK);
      this.#blocks.push(block);
      for (let i = BUFFERS_PER_BLOCK - 1; i > 0; i--) this.#free.push(this.#slice(block, i));
      buffer = this.#slice(block, 0);
    }
    this.#checkedOut++;
    return buffer;
  }

  #slice(block: NativeBlock, i: number): PooledBuffer {
    return { address: block.address + i * this.size, bytes: block.bytes.subarray(i * this.size, (i + 1) * this.size) };
  }

  /** Returns a buffer Winsock no longer uses. */
  release(buffer: PooledBuffer): void {
    this.#checkedOut--;
    this.#free.push(buffer);
  }

  /** Buffers currently checked out. */
  get inUse(): number {
    return this.#checkedOut;
  }

  /** Buffers allocated in all. */
  get allocated(): number {
    return this.#blocks.length * BUFFERS_PER_BLOCK;
  }

  /** Frees every block; only once nothing is checked out. */
  destroy(): void {
    for (const block of this.#blocks) block.free();
    this.#blocks.length = 0;
    this.#free.length = 0;
  }
}
