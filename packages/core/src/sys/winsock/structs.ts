/**
 * Layouts of the Winsock structures wsaloop fills by hand (x64): WSABUF
 * arrays, fd_set, timeval, and buffer addresses. Kept as plain byte offsets so
 * hot paths write into reused buffers without per-call marshalling.
 * @module
 */
import { cachedAddresses } from '../buffer-addresses.js';
import { windows } from './library.js';

/** sizeof(WSABUF) on x64: ULONG len, 4 bytes padding, CHAR* buf. */
export const WSABUF_SIZE = 16;
/** Offset of fd_array in fd_set on x64 (u_int fd_count, then 8-byte aligned SOCKETs). */
export const FD_SET_HEADER = 8;
/** sizeof(SOCKET) on x64. */
export const SOCKET_SIZE = 8;
/** sizeof(struct timeval): two 32-bit longs on Windows. */
export const TIMEVAL_SIZE = 8;
/** sizeof(OVERLAPPED) on x64: Internal (the status), InternalHigh (bytes), Offset, OffsetHigh, then hEvent. */
export const OVERLAPPED_SIZE = 32;
/** Offset of OVERLAPPED's hEvent on x64. */
export const OVERLAPPED_EVENT = 24;

/**
 * Address of a buffer's first byte as the native side sees it. Valid while the
 * buffer is referenced; Node buffers and koffi allocations never move. A
 * native call once per ArrayBuffer (see `cachedAddresses`), every time for
 * a koffi allocation.
 */
export const addressOf: (buffer: Uint8Array | object) => number = cachedAddresses((bytes) => windows().msvcrt.memcpy(bytes, bytes, 0));

/** Writes one WSABUF entry (`index`) of `array` pointing at `address` for `length` bytes. */
export function writeWsabuf(array: Buffer, index: number, address: number, length: number): void {
  const at = index * WSABUF_SIZE;
  array.writeUInt32LE(length, at);
  array.writeUInt32LE(0, at + 4);
  array.writeUInt32LE(address % 0x100000000, at + 8);
  array.writeUInt32LE(Math.floor(address / 0x100000000), at + 12);
}

/** Writes a timeval for `ms` milliseconds into `out`. */
export function writeTimeval(out: Buffer, ms: number): void {
  out.writeInt32LE(Math.floor(ms / 1000), 0);
  out.writeInt32LE((ms % 1000) * 1000, 4);
}
