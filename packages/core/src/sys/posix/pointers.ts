/**
 * Native addresses of buffers, for the structures libc and the kernel read
 * pointers from (msghdr, iovec, io_uring's SQEs). Node buffers and koffi
 * allocations never move, so an address holds while the buffer is referenced.
 * @module
 */
import { libc } from './library.js';

/** Address of the first byte of `buffer`. */
export function addressOf(buffer: Uint8Array): number {
  return libc().memcpy(buffer, buffer, 0);
}

/** Writes a 64-bit pointer at `at` as two 32-bit halves (addresses stay below 2^53). */
export function writePointer(buffer: Buffer, at: number, address: number): void {
  buffer.writeUInt32LE(address % 0x100000000, at);
  buffer.writeUInt32LE(Math.floor(address / 0x100000000), at + 4);
}
