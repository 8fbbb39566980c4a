/**
 * node:net's `onread` option: received bytes are copied into the caller's
 * buffer (or one its function returns) and handed to its callback instead of
 * being emitted as `'data'`; the callback returning `false`, or `pause()`,
 * stops reading until `resume()`.
 * @module
 */

/** The `onread` option of a socket. */
export interface OnReadOption {
  /** The buffer to read into, or a function returning one for each read. */
  buffer: Uint8Array | (() => Uint8Array);
  /** Called with the byte count and the buffer holding them; `false` pauses reading. */
  callback: (this: unknown, bytesRead: number, buffer: Uint8Array) => boolean | void;
}

/** Feeds received chunks through an `onread` option. */
export class OnRead {
  /** Bytes received but not yet handed over (reading was paused mid-chunk). */
  #leftover: Buffer | null = null;

  constructor(private readonly option: OnReadOption) {}

  #nextBuffer(): Uint8Array {
    const { buffer } = this.option;
    return typeof buffer === 'function' ? buffer() : buffer;
  }

  /**
   * Hands `data` over in buffer-sized pieces.
   * @returns false when the owner should stop reading (callback said so, or it paused).
   */
  deliver(owner: { isPaused(): boolean }, data: Buffer): boolean {
    let offset = 0;
    while (offset < data.byteLength) {
      const target = this.#nextBuffer();
      const n = Math.min(target.byteLength, data.byteLength - offset);
      target.set(data.subarray(offset, offset + n));
      offset += n;
      const wantsMore = this.option.callback.call(owner, n, target) !== false;
      if ((!wantsMore || owner.isPaused()) && offset < data.byteLength) {
        this.#leftover = data.subarray(offset);
        return false;
      }
      if (!wantsMore || owner.isPaused()) return false;
    }
    return true;
  }

  /** End of stream: libuv asks for one more buffer for the read that finds EOF. */
  atEnd(): void {
    this.#nextBuffer();
  }

  /**
   * On resume: hands over what was held back.
   * @returns whether the owner should start reading again.
   */
  resumeLeftover(owner: { isPaused(): boolean }): boolean {
    const leftover = this.#leftover;
    this.#leftover = null;
    return leftover ? this.deliver(owner, leftover) : true;
  }
}
