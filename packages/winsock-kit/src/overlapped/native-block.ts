/**
 * Native memory that Winsock may write into after a call returns (OVERLAPPED
 * structures, receive buffers, address out-parameters). Allocated with koffi,
 * it never moves, lives until freed explicitly, and is seen from JS through a
 * Buffer over the same bytes.
 * @module
 */
import koffi from 'koffi';

/** One koffi allocation with its address and a JS view. */
export class NativeBlock {
  /** Address of the first byte. */
  readonly address: number;
  /** The same bytes, readable and writable from JS. */
  readonly bytes: Buffer;
  #pointer: unknown;

  constructor(size: number) {
    this.#pointer = koffi.alloc('uint8_t', size);
    this.address = Number(koffi.address(this.#pointer));
    this.bytes = Buffer.from(koffi.view(this.#pointer, size));
  }

  /**
   * A Buffer over `length` bytes at `address`, memory this thread did not
   * allocate (another thread's buffer, kept alive and unchanged by its owner
   * for as long as the view is used). Nothing is copied.
   */
  static view(address: number, length: number): Buffer {
    const cell = Buffer.alloc(8);
    cell.writeUInt32LE(address % 0x100000000, 0);
    cell.writeUInt32LE(Math.floor(address / 0x100000000), 4);
    return Buffer.from(koffi.view(koffi.decode(cell, 'void *'), length));
  }

  /** Releases the memory. The caller guarantees nothing native still uses it. */
  free(): void {
    if (this.#pointer === null) return;
    koffi.free(this.#pointer);
    this.#pointer = null;
  }
}
