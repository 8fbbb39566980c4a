/**
 * Argument checks shared by sockets and servers, with node:net's error codes
 * and the same accepted forms (`connect(port, host, cb)`, `connect(options,
 * cb)`, numeric strings for ports, ...).
 * @module
 */
import dns from 'node:dns';
import { isIP } from 'node:net';
import { codedError, invalidArgType, invalidArgValue, invalidIp, notSupported } from './errors.js';

/** Whether `host` is an IP literal (no lookup needed). */
export function isIp(host: string): boolean {
  return isIP(host) !== 0;
}

/**
 * Validates a port given as a number or numeric string (hex strings too, as
 * Node's `+port`), and returns it as a number.
 * @throws RangeError `ERR_SOCKET_BAD_PORT` as node:net.
 */
export function checkPort(port: unknown, name = 'Port', allowZero = true): number {
  const bad =
    (typeof port !== 'number' && typeof port !== 'string') ||
    (typeof port === 'string' && port.trim().length === 0) ||
    +port !== +port >>> 0 ||
    +port > 0xffff ||
    (+port === 0 && !allowZero);
  if (bad) {
    const range = allowZero ? '>= 0' : '> 0';
    throw codedError(RangeError, 'ERR_SOCKET_BAD_PORT', `${name} should be ${range} and < 65536. Received ${describe(port)}.`);
  }
  return +port;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `type string ('${value}')` : typeof value === 'number' ? `type number (${value})` : String(value);
}

/** A callback argument, if it is the last one: node:net's trailing-callback rule. */
export function trailingCallback(args: unknown[]): ((...a: any[]) => void) | undefined { // eslint-disable-line @typescript-eslint/no-explicit-any
  const last = args[args.length - 1];
  return typeof last === "function" ? (last as (...a: any[]) => void) : undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The stream options node:net refuses on a socket (it is always a byte stream). */
export function rejectObjectMode(options: Record<string, unknown>): void {
  for (const key of ['objectMode', 'readableObjectMode', 'writableObjectMode']) {
    if (options[key]) throw invalidArgValue(`options.${key}`, options[key], 'is not supported');
  }
}

/**
 * Throws for the options node:net has and wsaloop cannot honour: a socket's
 * `fd` and `handle` (the caller checks a core stream handle itself).
 */
export function rejectUnsupported(options: Record<string, unknown>): void {
  const given = (key: string): boolean => options[key] !== undefined && options[key] !== null;
  if (given('fd')) throw notSupported('options.fd', options.fd, 'file descriptors');
  if (given('handle')) throw notSupported('options.handle', options.handle, 'native handles');
}

/** Whether an argument names a pipe: a string that is not a number, as node:net reads `listen(x)` and `connect(x)`. */
export function isPipeName(value: unknown): value is string {
  return typeof value === 'string' && !(Number(value) >= 0);
}

/** Checks connect()'s own options before any work, in node:net's order. */
export function checkConnectOptions(options: Record<string, unknown>): void {
  const { localAddress, localPort, port, lookup, family, hints } = options;
  if (localAddress && !isIp(String(localAddress))) throw invalidIp(localAddress);
  if (localPort && typeof localPort !== 'number') throw invalidArgType('options.localPort', 'of type number', localPort);
  if (port !== undefined) {
    if (typeof port !== 'number' && typeof port !== 'string') {
      throw invalidArgType('options.port', 'one of type number or string', port);
    }
    checkPort(port);
  }
  if (lookup !== undefined && lookup !== null && typeof lookup !== 'function') {
    throw invalidArgType('options.lookup', 'of type function', lookup);
  }
  if (family !== undefined && family !== null && ![0, 4, 6, 'IPv4', 'IPv6'].includes(family as number)) {
    throw invalidArgValue('options.family', family, 'must be one of: 0, 4, 6');
  }
  if (hints !== undefined && hints !== 0 && hints !== null) {
    // The flags dns.lookup accepts (their values differ between platforms).
    if (typeof hints !== 'number') throw invalidArgType('options.hints', 'of type number', hints);
    if (((hints >>> 0) & ~(dns.ADDRCONFIG | dns.V4MAPPED | dns.ALL)) !== 0) throw invalidArgValue('hints', hints >>> 0);
  }
  if (options.autoSelectFamily !== undefined && typeof options.autoSelectFamily !== 'boolean') {
    throw invalidArgType('options.autoSelectFamily', 'of type boolean', options.autoSelectFamily);
  }
  const attempt = options.autoSelectFamilyAttemptTimeout;
  if (attempt !== undefined) {
    if (typeof attempt !== 'number') throw invalidArgType('options.autoSelectFamilyAttemptTimeout', 'of type number', attempt);
    if (!Number.isInteger(attempt) || attempt < 1) {
      throw codedError(
        RangeError,
        'ERR_OUT_OF_RANGE',
        `The value of "options.autoSelectFamilyAttemptTimeout" is out of range. It must be >= 1 && <= 2147483647. Received ${attempt}`,
      );
    }
  }
}

/** An `AbortSignal` option, checked as node:net does. */
export function checkSignal(signal: unknown, name = 'options.signal'): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (signal === null || typeof signal !== 'object' || !('aborted' in signal)) {
    throw invalidArgType(name, 'an instance of AbortSignal', signal);
  }
  return signal as AbortSignal;
}
