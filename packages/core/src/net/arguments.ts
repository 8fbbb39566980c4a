/**
 * Validation of application arguments: hosts, ports, pipe names and write
 * data. Bad input throws TypeError / RangeError at the call site, before any
 * native call.
 * @module
 */
import { stateError } from '../errors.js';
import type { IpFamily } from '../sys/socket-api.js';
import { isLocalPipeName, PIPE_NAME_MAX } from '../sys/winsock/named-pipes.js';
import { literalHost } from './resolve.js';

/** Data a stream or datagram write accepts. */
export type WriteData = Buffer | Uint8Array | string | ReadonlyArray<Buffer | Uint8Array | string>;

/**
 * A pipe name: a non-empty string with no NUL byte but a leading one (a
 * Linux abstract name).
 * @throws TypeError for anything else.
 */
export function checkPipeName(name: unknown, argument = 'name'): string {
  if (typeof name !== 'string' || name.length === 0 || name.indexOf('\0', 1) >= 0) {
    throw new TypeError(`The "${argument}" argument must be a non-empty string without NUL bytes (but a leading one), received ${describe(name)}`);
  }
  return name;
}

/**
 * A Windows named pipe's name: `\\.\pipe\NAME`, at most
 * {@link PIPE_NAME_MAX} characters.
 * @throws WsaloopError `EACCES` for another name given to `bind` or
 *   `listen` (the system would not create it), `ENOENT` given to `connect`
 *   (no such pipe), `ENAMETOOLONG` for a longer name.
 */
export function checkNamedPipeName(name: string, syscall: string): void {
  if (!isLocalPipeName(name)) {
    throw stateError(syscall === 'connect' ? 'ENOENT' : 'EACCES', syscall, `${name} is not a pipe name: pipes on Windows are named \\\\.\\pipe\\NAME`);
  }
  if (name.length > PIPE_NAME_MAX) throw stateError('ENAMETOOLONG', syscall, `${name}: a pipe name holds at most ${PIPE_NAME_MAX} characters`);
}

/** @throws RangeError / TypeError unless `port` is an integer in 0..65535. */
export function checkPort(port: unknown, name = 'port'): number {
  if (typeof port !== 'number' || !Number.isInteger(port)) {
    throw new TypeError(`The "${name}" argument must be an integer, received ${describe(port)}`);
  }
  if (port < 0 || port > 65535) throw new RangeError(`The "${name}" argument must be >= 0 and <= 65535, received ${port}`);
  return port;
}

/** A validated IP literal and its family (`localhost` is one: see `literalHost`). */
export function checkIpHost(host: unknown, name = 'host'): { host: string; family: IpFamily } {
  if (typeof host !== 'string') throw new TypeError(`The "${name}" argument must be a string, received ${describe(host)}`);
  const literal = literalHost(host);
  if (!literal) throw new TypeError(`The "${name}" argument must be an IPv4 or IPv6 address, received '${host}'`);
  return literal;
}

/** @throws TypeError unless `host` is a non-empty string. */
export function checkHostName(host: unknown, name = 'host'): string {
  if (typeof host !== 'string' || host.length === 0) {
    throw new TypeError(`The "${name}" argument must be a non-empty string, received ${describe(host)}`);
  }
  return host;
}

/** Normalizes write data to an array of byte views (strings as UTF-8). */
export function toBuffers(data: unknown): Uint8Array[] {
  if (data instanceof Uint8Array) return [data];
  if (typeof data === 'string') return [Buffer.from(data, 'utf8')];
  if (Array.isArray(data)) {
    return data.map((item, i) => {
      if (item instanceof Uint8Array) return item;
      if (typeof item === 'string') return Buffer.from(item, 'utf8');
      throw new TypeError(`The "data[${i}]" argument must be a Buffer, Uint8Array or string, received ${describe(item)}`);
    });
  }
  throw new TypeError(`The "data" argument must be a Buffer, Uint8Array, string or an array of them, received ${describe(data)}`);
}

/** @throws TypeError unless `callback` is a function or undefined. */
export function checkCallback<T extends (...args: never[]) => unknown>(callback: unknown): T | undefined {
  if (callback !== undefined && typeof callback !== 'function') {
    throw new TypeError(`The "callback" argument must be a function, received ${describe(callback)}`);
  }
  return callback as T | undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'Object'}`;
  return `${typeof value} (${String(value)})`;
}
