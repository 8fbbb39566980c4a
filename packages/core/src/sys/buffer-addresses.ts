/**
 * The native address of a buffer's bytes, asked of the native side once
 * per ArrayBuffer rather than once per call. A send that gathers buffers
 * (`sendmsg`, `WSASend`, io_uring's `SENDMSG`) needs the address of each
 * buffer it points the kernel at; each ask was a native call of its own
 * (koffi has no address-of for buffers, so it is a zero-byte `memcpy`).
 *
 * A buffer's address is its ArrayBuffer's plus its offset, and an
 * ArrayBuffer's backing store never moves once V8 has handed it out: V8
 * keeps small typed arrays in its heap, but reading `.buffer` (as this
 * does, and as koffi does for every buffer it is passed) moves their bytes
 * out of the heap for good. The cache holds its ArrayBuffers weakly, so a
 * buffer that is collected leaves it, and its address is never handed out
 * for a new one. A detached ArrayBuffer (transferred) keeps its stale
 * entry, but its views are empty, and the gathers skip empty buffers.
 * @module
 */

/**
 * Wraps `lookup` (the native ask, for any buffer or native allocation) with
 * a cache by ArrayBuffer. Anything that is not a typed array or DataView
 * (a koffi allocation) is asked about every time.
 */
export function cachedAddresses(lookup: (bytes: Uint8Array) => number): (buffer: Uint8Array | object) => number {
  const bases = new WeakMap<ArrayBufferLike, number>();
  return (buffer) => {
    if (!ArrayBuffer.isView(buffer)) return lookup(buffer as Uint8Array);
    const whole = buffer.buffer;
    let base = bases.get(whole);
    if (base === undefined) {
      // An empty ArrayBuffer has no backing store to remember.
      if (whole.byteLength === 0) return lookup(buffer as Uint8Array);
      base = lookup(new Uint8Array(whole));
      bases.set(whole, base);
    }
    return base + buffer.byteOffset;
  };
}
