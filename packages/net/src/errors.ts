/**
 * Errors shaped as node:net's: argument errors with Node's `code`s and
 * messages, and system errors converted from core's `WsaloopError` to the
 * fields and message format node:net reports (negative libuv `errno`,
 * `connect ECONNREFUSED 127.0.0.1:1`, ...).
 * @module
 */
import { inspect, getSystemErrorMap } from 'node:util';
import type { WsaloopError } from '@wsaloop/core';

/** An error of class `Base` with Node's `code` (e.g. `ERR_INVALID_ARG_TYPE`). */
export function codedError(Base: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor, code: string, message: string): Error & { code: string } {
  return Object.assign(new Base(message), { code });
}

function received(value: unknown): string {
  if (value === null || value === undefined) return ` Received ${String(value)}`;
  if (typeof value === 'function') return ` Received function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return ` Received ${name ? `an instance of ${name}` : inspect(value, { depth: -1 })}`;
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof value} (${shown})`;
}

/** `ERR_INVALID_ARG_TYPE`: `name` must be of `expected` type(s). */
export function invalidArgType(name: string, expected: string, value: unknown): Error {
  const what = name.includes('.') ? 'property' : 'argument';
  return codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" ${what} must be ${expected}.${received(value)}`);
}

/** `ERR_INVALID_ARG_VALUE`: `name` has a value Node (or wsaloop) does not accept. */
export function invalidArgValue(name: string, value: unknown, reason = 'is invalid'): Error {
  const what = name.includes('.') ? 'property' : 'argument';
  return codedError(TypeError, 'ERR_INVALID_ARG_VALUE', `The ${what} '${name}' ${reason}. Received ${inspect(value)}`);
}

/** What node:net can do and wsaloop cannot: named so the caller knows why it throws. */
export function notSupported(name: string, value: unknown, feature: string): Error {
  return invalidArgValue(name, value, `is not supported by @wsaloop/net (${feature})`);
}

/** `ERR_OUT_OF_RANGE`. */
export function outOfRange(name: string, range: string, value: unknown): Error {
  return codedError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${String(value)}`);
}

/** `ERR_INVALID_IP_ADDRESS`. */
export function invalidIp(address: unknown): Error {
  return codedError(TypeError, 'ERR_INVALID_IP_ADDRESS', `Invalid IP address: ${String(address)}`);
}

/** `ERR_SOCKET_CLOSED`. */
export function socketClosed(): Error {
  return codedError(Error, 'ERR_SOCKET_CLOSED', 'Socket is closed');
}

/** Node's `AbortError` (`code: 'ABORT_ERR'`), carrying the signal's reason. */
export function abortError(signal: AbortSignal): Error {
  const error = new Error('The operation was aborted', { cause: signal.reason });
  return Object.assign(error, { name: 'AbortError', code: 'ABORT_ERR' });
}

/** libuv error names to their (negative, platform-specific) numbers and messages. */
let uvErrors: Map<string, [errno: number, message: string]> | undefined;

function uvError(code: string): [errno: number, message: string] | undefined {
  if (!uvErrors) {
    uvErrors = new Map();
    for (const [errno, [name, message]] of getSystemErrorMap()) uvErrors.set(name, [errno, message]);
  }
  return uvErrors.get(code);
}

/** How node:net words a system error's message. */
export type SystemErrorStyle =
  /** `connect ECONNREFUSED 127.0.0.1:1` */
  | 'plain'
  /** `listen EADDRINUSE: address already in use :::80` */
  | 'described';

/**
 * A system error in node:net's shape: `errno` is libuv's negative number for
 * the code on this platform (-111 / -4078 for ECONNREFUSED), the message is
 * `syscall CODE[: description] [address[:port]]`, the core error is `cause`.
 */
export function systemError(
  error: Pick<WsaloopError, 'code' | 'message'> & { syscall?: string | undefined; address?: string | undefined; port?: number | undefined },
  syscall = error.syscall ?? 'unknown',
  address: string | undefined = error.address,
  port: number | undefined = error.port,
  style: SystemErrorStyle = 'plain',
): Error {
  // Argument errors (TypeError/RangeError with ERR_* codes) are already node-shaped.
  if (typeof error.code !== 'string' || error.code.startsWith('ERR_')) return error as unknown as Error;
  const uv = uvError(error.code);
  let details = '';
  if (port !== undefined && port > 0) details = ` ${address}:${port}`;
  else if (address) details = ` ${address}`;
  const description = style === 'described' && uv ? `: ${uv[1]}` : '';
  const converted = new Error(`${syscall} ${error.code}${description}${details}`, { cause: error });
  const fields: Record<string, unknown> = { errno: uv ? uv[0] : undefined, code: error.code, syscall };
  if (address !== undefined) fields.address = address;
  if (port !== undefined && port > 0) fields.port = port;
  return Object.assign(converted, fields);
}
