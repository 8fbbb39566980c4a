/**
 * How a socket's pending Writable chunks become the data of one write. With
 * `decodeStrings` off (as node:net), node:http hands over its headers as a
 * latin1 string beside the body: small writes are encoded and copied into
 * one scratch buffer, so a response costs no Buffer of its own and goes out
 * in one plain send; larger ones stay separate buffers for a gather write.
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
 * buffer itself, or one buffer per chunk.
 */
export function assemble(chunks: readonly WriteChunk[], bytes: number): Buffer | Buffer[] {
  if (chunks.length === 1 && typeof chunks[0]!.chunk !== 'string') return chunks[0]!.chunk;
  if (bytes > ASSEMBLY_MAX) return chunks.map(toBuffer);
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
      rest.push(sent > 0 ? b.subarray(sent) : b);
      sent = 0;
    }
  }
  return rest;
}

function toBuffer({ chunk, encoding }: WriteChunk): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, encoding as BufferEncoding) : chunk;
}
