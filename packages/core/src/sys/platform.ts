/**
 * Picks the socket layer of the running platform: Winsock on Windows, libc on
 * Linux. One instance per thread.
 * @module
 */
import { WsaloopError } from '../errors.js';
import { createPosixApi } from './posix/sockets.js';
import type { SocketApi } from './socket-api.js';
import { createWinsockApi } from './winsock/sockets.js';

let api: SocketApi | null = null;

/** The {@link SocketApi} of this platform. */
export function socketApi(): SocketApi {
  if (api) return api;
  if (process.platform === 'win32') api = createWinsockApi();
  else if (process.platform === 'linux') api = createPosixApi();
  else throw new Error(`wsaloop supports Windows and Linux, not ${process.platform}`);
  return api;
}

/**
 * Converts a negated native error returned by {@link SocketApi} into a
 * {@link WsaloopError}.
 */
export function nativeError(negatedCode: number, syscall: string, address?: string, port?: number): WsaloopError {
  const sys = socketApi();
  const code = -negatedCode;
  const name = sys.errorCode(code);
  const where = address !== undefined ? ` ${address}${port !== undefined ? `:${port}` : ''}` : '';
  return new WsaloopError(`${syscall} ${name}${where} (${sys.errorMessage(code)})`, {
    code: name,
    errno: code,
    wsaError: sys.platform === 'winsock' ? code : undefined,
    syscall,
    address,
    port,
  });
}
