/**
 * Receive memory for the readiness path: reads land in a large slab and the
 * application gets a view of exactly the bytes received, so small messages
 * share one allocation (the slab is replaced, never reused, so views stay
 * valid for as long as the application holds them).
 * @module
 */

const SLAB_SIZE = 256 * 1024;
/** Largest single read. */
export const MAX_READ = 64 * 1024;
const MIN_READ = 16 * 1024;

/** Hands out receive regions carved from a slab. */
export class ReadSlab {
  #slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
  #used = 0;

  /** A region to receive into; its length is the most one read may take. */
  region(): { buffer: Buffer; offset: number; length: number } {
    if (SLAB_SIZE - this.#used < MIN_READ) {
      this.#slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.#used = 0;
    }
    return { buffer: this.#slab, offset: this.#used, length: Math.min(MAX_READ, SLAB_SIZE - this.#used) };
  }

  /** Claims `n` bytes at the current position and returns them as a view. */
  take(n: number): Buffer {
    const view = this.#slab.subarray(this.#used, this.#used + n);
    this.#used += (n + 7) & ~7;
    return view;
  }
}
