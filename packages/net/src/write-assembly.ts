/**
 * How a socket's pending Writable chunks become the data of one write. With
 * `decodeStrings` off (as node:net), node:http hands over its headers as a
 * latin1 string beside the body: small writes are encoded and copied into
 * one scratch buffer, so a response costs no Buffer of its own and goes out
 * in one plain send; larger ones go out in one gather write, their strings
 * encoded into the scratch buffer too.
 * @module
 */

/** A chunk as the Writable hands it over (`encoding` is `'buffer'` for bytes). */
export interface WriteChunk {
  chunk: Buffer | string;
  encoding: BufferEncoding | 'buffer';
}

/**
 * Writes up to this many bytes are assembled into the scratch buffer: the
 * same bound below which the readiness io copies a gather into one send
 * (COPY_GATHER_MAX in core's reactive-io.ts).
 */
const ASSEMBLY_MAX = 4096;

/** Shared by every socket of the thread: valid only until the next {@link assemble}. */
const scratch = Buffer.allocUnsafeSlow(ASSEMBLY_MAX);

/** The byte length of `chunks`, strings in their encodings. */
export function chunkBytes(chunks: readonly WriteChunk[]): number {
  let bytes = 0;
  for (const { chunk, encoding } of chunks) {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding as BufferEncoding) : chunk.byteLength;
  }
  return bytes;
}

/**
 * `chunks` (of `bytes` in all) as write data: a view of the scratch buffer
 * when they are small and more than one buffer would be needed, else the
 * buffer itself, or one buffer per chunk (strings as views of the scratch
 * buffer where they fit).
 */
export function assemble(chunks: readonly WriteChunk[], bytes: number): Buffer | Buffer[] {
  if (chunks.length === 1 && typeof chunks[0]!.chunk !== 'string') return chunks[0]!.chunk;
  if (bytes > ASSEMBLY_MAX) return gatherParts(chunks);
  let at = 0;
  for (const { chunk, encoding } of chunks) {
    if (typeof chunk === 'string') {
      at += scratch.write(chunk, at, encoding as BufferEncoding);
    } else {
      scratch.set(chunk, at);
      at += chunk.byteLength;
    }
  }
  return scratch.subarray(0, at);
}

/**
 * What is left of `data` after its first `sent` bytes, in buffers that
 * outlive the scratch buffer (a view of it is copied).
 */
export function unsent(data: Buffer | Buffer[], sent: number): Buffer | Buffer[] {
  if (!Array.isArray(data)) {
    const rest = data.subarray(sent);
    return data.buffer === scratch.buffer ? Buffer.from(rest) : rest;
  }
  const rest: Buffer[] = [];
  for (const b of data) {
    if (sent >= b.byteLength) sent -= b.byteLength;
    else {
      const part = sent > 0 ? b.subarray(sent) : b;
      rest.push(part.buffer === scratch.buffer ? Buffer.from(part) : part);
      sent = 0;
    }
  }
  return rest;
}

/**
 * A large write's parts for a gather write: buffers as they are, strings
 * (node:http's header beside a body) encoded into the scratch buffer while
 * they fit. A `Buffer.from` per header cost 250 ns against 50 to 90 ns for
 * the encoding alone (1,000,000 latin1 headers of 140 bytes, test VM).
 */
function gatherParts(chunks: readonly WriteChunk[]): Buffer[] {
  const parts: Buffer[] = [];
  let at = 0;
  for (const { chunk, encoding } of chunks) {
    if (typeof chunk !== 'string') {
      parts.push(chunk);
      continue;
    }
    const length = Buffer.byteLength(chunk, encoding as BufferEncoding);
    if (length > ASSEMBLY_MAX - at) {
      parts.push(Buffer.from(chunk, encoding as BufferEncoding));
      continue;
    }
    scratch.write(chunk, at, encoding as BufferEncoding);
    parts.push(scratch.subarray(at, at + length));
    at += length;
  }
  return parts;
}
