/**
 * Argument checks and host resolution shared by sockets and servers, with
 * node:net's error codes.
 * @module
 */
import { lookup } from 'node:dns';
import { isIP } from 'node:net';

/** Whether `host` is an IP literal (no lookup needed). */
export function isIp(host: string): boolean {
  return isIP(host) !== 0;
}

/**
 * Validates a port given as a number or numeric string.
 * @throws RangeError `ERR_SOCKET_BAD_PORT` as node:net.
 */
export function checkPort(port: unknown, allowZero = true): number {
  const n = typeof port === 'string' && port.trim() !== '' ? Number(port) : port;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) {
    throw Object.assign(new RangeError(`Port should be >= 0 and < 65536. Received ${String(port)}.`), {
      code: 'ERR_SOCKET_BAD_PORT',
    });
  }
  return n;
}

/**
 * Resolves a host name to one address with `dns.lookup` (off the main
 * thread). `localhost` is 127.0.0.1, as in wsaloop's core.
 */
export function resolveHost(host: string, callback: (error: Error | null, address?: string) => void): void {
  if (host === 'localhost' || isIp(host)) {
    const address = host === 'localhost' ? '127.0.0.1' : host;
    process.nextTick(() => callback(null, address));
    return;
  }
  lookup(host, (error, address) => (error ? callback(error) : callback(null, address)));
}
