import { describe, expect, it } from 'vitest';
import { assemble, chunkBytes, unsent, type WriteChunk } from '../src/write-assembly.js';

const chunks = (...items: Array<[Buffer | string, WriteChunk['encoding']]>): WriteChunk[] => items.map(([chunk, encoding]) => ({ chunk, encoding }));

describe('write assembly', () => {
  it('counts strings in their encodings and assembles small writes into one buffer', () => {
    const input = chunks(['h\u00e9', 'latin1'], ['00ff', 'hex'], [Buffer.from('!'), 'buffer'], ['\u20ac', 'utf8']);
    const bytes = chunkBytes(input);
    expect(bytes).toBe(2 + 2 + 1 + 3);
    const data = assemble(input, bytes);
    expect(Buffer.isBuffer(data)).toBe(true);
    expect(data).toEqual(Buffer.concat([Buffer.from('h\u00e9', 'latin1'), Buffer.from([0, 255]), Buffer.from('!'), Buffer.from('\u20ac')]));
  });

  it('passes a lone buffer through and keeps large writes as separate buffers', () => {
    const lone = Buffer.from('lone');
    expect(assemble(chunks([lone, 'buffer']), 4)).toBe(lone);
    const big = Buffer.alloc(5000, 1);
    const data = assemble(chunks(['head', 'latin1'], [big, 'buffer']), 5004);
    expect(Array.isArray(data)).toBe(true);
    expect((data as Buffer[])[1]).toBe(big);
  });

  it('copies what was not sent of an assembled write out of the shared buffer', () => {
    const data = assemble(chunks(['abc', 'latin1'], ['def', 'latin1']), 6) as Buffer;
    const rest = unsent(data, 2) as Buffer;
    assemble(chunks(['XXX', 'latin1'], ['YYY', 'latin1']), 6); // reuses the shared buffer
    expect(rest.toString()).toBe('cdef');
  });

  it('encodes the strings of a large write into the shared buffer, and copies them out of it when not all was sent', () => {
    const body = Buffer.alloc(5000, 'b');
    const header = 'HTTP/1.1 200 OK\r\nx: \u00e9\r\n\r\n';
    const data = assemble(chunks([header, 'latin1'], [body, 'buffer'], ['\u20ac', 'utf8']), 5000 + header.length + 3) as Buffer[];
    expect(data).toHaveLength(3);
    expect(data[0]).toEqual(Buffer.from(header, 'latin1'));
    expect(data[1]).toBe(body);
    expect(data[2]).toEqual(Buffer.from('\u20ac'));
    // Both strings share one buffer other than the body's: the shared one.
    expect(data[0]!.buffer).toBe(data[2]!.buffer);
    expect(data[0]!.buffer).not.toBe(body.buffer);
    const rest = unsent(data, 3);
    assemble(chunks(['X'.repeat(40), 'latin1'], ['Y'.repeat(40), 'latin1']), 80); // reuses the shared buffer
    expect(Buffer.concat(rest as Buffer[])).toEqual(Buffer.concat([Buffer.from(header.slice(3), 'latin1'), body, Buffer.from('\u20ac')]));
    expect((rest as Buffer[])[1]).toBe(body);
  });

  it('gives a string that does not fit in the shared buffer a buffer of its own', () => {
    const big = 'h'.repeat(5000);
    const data = assemble(chunks([big, 'latin1'], [Buffer.from('tail'), 'buffer']), 5004) as Buffer[];
    expect(data[0]).toEqual(Buffer.from(big));
    expect(data[0]!.byteLength).toBe(5000);
    const more = assemble(chunks(['z'.repeat(50), 'latin1'], [Buffer.alloc(5000), 'buffer']), 5050) as Buffer[];
    expect(data[0]!.buffer).not.toBe(more[0]!.buffer);
  });

  it('skips the sent bytes across separate buffers without copying', () => {
    const a = Buffer.from('abcd');
    const b = Buffer.from('efgh');
    const rest = unsent([a, b], 5) as Buffer[];
    expect(rest.map(String)).toEqual(['fgh']);
    expect(rest[0]!.buffer).toBe(b.buffer);
    expect((unsent([a, b], 0) as Buffer[])[0]).toBe(a);
  });
});
