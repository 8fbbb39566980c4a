/**
 * Buffer addresses asked of the native side once per ArrayBuffer: the
 * cache answers what a native call answers, for every kind of buffer the
 * sends and io_uring's operations point the kernel at (pooled slices, small
 * buffers V8 first keeps in its heap, views at an offset), also after
 * garbage collections, and it asks once per ArrayBuffer.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { cachedAddresses } from '../src/sys/buffer-addresses.js';
import { libc } from '../src/sys/posix/library.js';
import { addressOf as posixAddressOf } from '../src/sys/posix/pointers.js';
import { windows } from '../src/sys/winsock/library.js';
import { addressOf as winsockAddressOf } from '../src/sys/winsock/structs.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('cachedAddresses', () => {
  it('asks once per ArrayBuffer and adds the view offset', () => {
    const asked: Uint8Array[] = [];
    const addressOf = cachedAddresses((bytes) => {
      asked.push(bytes);
      return 1000;
    });
    const whole = new ArrayBuffer(64);
    expect(addressOf(new Uint8Array(whole))).toBe(1000);
    expect(addressOf(new Uint8Array(whole, 10, 5))).toBe(1010);
    expect(addressOf(Buffer.from(whole, 33))).toBe(1033);
    expect(addressOf(new DataView(whole, 7))).toBe(1007);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.buffer).toBe(whole);
    expect(asked[0]!.byteOffset).toBe(0);
    addressOf(new Uint8Array(16));
    expect(asked).toHaveLength(2);
  });

  it('asks about a native allocation (not a view) and an empty buffer every time', () => {
    let asks = 0;
    const addressOf = cachedAddresses(() => ++asks);
    const allocation = {};
    expect(addressOf(allocation)).toBe(1);
    expect(addressOf(allocation)).toBe(2);
    const empty = new Uint8Array(0);
    expect(addressOf(empty)).toBe(3);
    expect(addressOf(empty)).toBe(4);
  });
});

const native =
  process.platform === 'win32'
    ? { cached: winsockAddressOf, direct: (b: Uint8Array) => windows().msvcrt.memcpy(b, b, 0) }
    : { cached: posixAddressOf, direct: (b: Uint8Array) => libc().memcpy(b, b, 0) };

it('answers what the native side answers, for every kind of buffer, across garbage collections', () => {
  const buffers: Uint8Array[] = [
    Buffer.from('a pooled slice'),
    Buffer.from('another slice of the same pool'),
    Buffer.alloc(16), // small enough for V8's heap until read through .buffer
    new Uint8Array(8),
    Buffer.alloc(64 * 1024).subarray(4097, 9000),
    Buffer.allocUnsafeSlow(100),
    new Uint8Array(new SharedArrayBuffer(256), 128),
  ];
  // The cache first, so it is what moves a small array out of V8's heap.
  const cached = buffers.map((b) => native.cached(b));
  expect(cached).toEqual(buffers.map((b) => native.direct(b)));
  for (let i = 0; i < 3; i++) {
    // Garbage that makes the collector move what it can.
    for (let j = 0; j < 10_000; j++) void new Uint8Array(32);
    gc();
  }
  expect(buffers.map((b) => native.cached(b))).toEqual(cached);
  expect(buffers.map((b) => native.direct(b))).toEqual(cached);
});
