/**
 * The FIFO of stream writes waiting for socket buffer space, shared by every
 * readiness backend. Writes complete strictly in order; consecutive writes are
 * gathered into one send call.
 * @module
 */
import type { Done } from './channel.js';

interface QueuedWrite {
  buffers: Uint8Array[];
  remaining: number;
  done: Done;
}

/** Ordered queue of pending writes with a byte cursor into the first one. */
export class WriteQueue {
  #writes: QueuedWrite[] = [];
  #first = 0;
  #buffer = 0;
  #offset = 0;
  /** Bytes not yet handed to the socket. */
  bytes = 0;

  /** Whether nothing is queued. */
  get empty(): boolean {
    return this.#first === this.#writes.length;
  }

  /** Appends a write of `buffers`. */
  push(buffers: Uint8Array[], done: Done): void {
    let total = 0;
    for (const b of buffers) total += b.byteLength;
    this.#writes.push({ buffers, remaining: total, done });
    this.bytes += total;
  }

  /**
   * Fills `out` with up to `max` buffers starting at the cursor, across
   * queued writes. Returns the number of buffers; the first one starts at
   * {@link WriteQueue.offset}.
   */
  gather(out: Uint8Array[], max: number): number {
    let count = 0;
    let buffer = this.#buffer;
    for (let w = this.#first; w < this.#writes.length && count < max; w++) {
      const { buffers } = this.#writes[w]!;
      for (let b = buffer; b < buffers.length && count < max; b++) out[count++] = buffers[b]!;
      buffer = 0;
    }
    out.length = count;
    return count;
  }

  /** Byte offset into the first gathered buffer. */
  get offset(): number {
    return this.#offset;
  }

  /** Records that `sent` bytes left; calls `completed` for each write now fully sent, in order. */
  advance(sent: number, completed: (done: Done) => void): void {
    this.bytes -= sent;
    while (this.#first < this.#writes.length) {
      const w = this.#writes[this.#first]!;
      // Walk buffers (zero-length ones included) until `sent` is used up.
      while (this.#buffer < w.buffers.length) {
        const left = w.buffers[this.#buffer]!.byteLength - this.#offset;
        if (sent < left) {
          this.#offset += sent;
          w.remaining -= sent;
          return;
        }
        sent -= left;
        w.remaining -= left;
        this.#buffer++;
        this.#offset = 0;
      }
      this.#writes[this.#first] = undefined as unknown as QueuedWrite;
      this.#first++;
      this.#buffer = 0;
      completed(w.done);
      if (sent === 0 && (this.#first >= this.#writes.length || this.#writes[this.#first]!.remaining > 0)) break;
    }
    this.#compact();
  }

  /** Removes every queued write and returns their callbacks, in order. */
  drain(): Done[] {
    const callbacks: Done[] = [];
    for (let w = this.#first; w < this.#writes.length; w++) callbacks.push(this.#writes[w]!.done);
    this.#writes = [];
    this.#first = 0;
    this.#buffer = 0;
    this.#offset = 0;
    this.bytes = 0;
    return callbacks;
  }

  #compact(): void {
    if (this.#first === this.#writes.length) {
      this.#writes = [];
      this.#first = 0;
    } else if (this.#first > 1024 && this.#first * 2 > this.#writes.length) {
      this.#writes = this.#writes.slice(this.#first);
      this.#first = 0;
    }
  }
}
