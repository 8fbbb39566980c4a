/**
 * errno to Node-style code translation, from Node's own table of the running
 * platform's errno values.
 * @module
 */
import { constants } from 'node:os';
import { EAGAIN } from './constants.js';

const names = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  // EWOULDBLOCK aliases EAGAIN on Linux; Node reports EAGAIN.
  if (!names.has(value) || value === EAGAIN) names.set(value, value === EAGAIN ? 'EAGAIN' : name);
}

/** Node-style code for an errno value (`UNKNOWN` if unmapped). */
export function errnoCode(code: number): string {
  return names.get(code) ?? 'UNKNOWN';
}

const messages: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'connection timed out',
  EINVAL: 'invalid argument',
  EBADF: 'bad file descriptor',
  EAGAIN: 'resource temporarily unavailable',
  ENOTCONN: 'socket is not connected',
  EACCES: 'permission denied',
  EAFNOSUPPORT: 'address family not supported',
  EMSGSIZE: 'message too long',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
};

/** Short description of an errno value. */
export function errnoMessage(code: number): string {
  return messages[errnoCode(code)] ?? `errno ${code}`;
}
