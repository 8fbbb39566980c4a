/**
 * Native addresses of buffers, for the structures libc and the kernel read
 * pointers from (msghdr, iovec, io_uring's SQEs). Node buffers and koffi
 * allocations never move, so an address holds while the buffer is referenced.
 * @module
 */
import { cachedAddresses } from '../buffer-addresses.js';
import { libc } from './library.js';

/** Address of the first byte of `buffer` (a native call once per ArrayBuffer: see `cachedAddresses`). */
export const addressOf: (buffer: ArrayBufferView) => number = cachedAddresses((bytes) => libc().memcpy(bytes, bytes, 0));

/** Writes a 64-bit pointer at `at` as two 32-bit halves (addresses stay below 2^53). */
export function writePointer(buffer: Buffer, at: number, address: number): void {
  buffer.writeUInt32LE(address % 0x100000000, at);
  buffer.writeUInt32LE(Math.floor(address / 0x100000000), at + 4);
}

/** Writes a 64-bit size (`size_t`) at `at`, as a pointer is written: no BigInt to allocate. */
export const writeSize: (buffer: Buffer, at: number, size: number) => void = writePointer;
