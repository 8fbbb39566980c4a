/**
 * `connect()` / `createConnection()`: a client {@link Socket}, as node:net's.
 * @module
 */
import type { Loop } from '@wsaloop/core';
import { Socket, type SocketConnectOptions, type SocketOptions } from './socket.js';

/** Options of {@link connect}: where to connect, and the socket's own options. */
export type ConnectOptions = SocketConnectOptions & Omit<SocketOptions, 'handle' | 'pauseOnCreate'> & { loop?: Loop };

/**
 * Creates a {@link Socket} and connects it: `connect(options, cb?)` or
 * `connect(port, host?, cb?)`. `cb` listens for `'connect'`.
 */
export function connect(options: ConnectOptions, connectListener?: () => void): Socket;
export function connect(port: number, host?: string, connectListener?: () => void): Socket;
export function connect(port: number, connectListener?: () => void): Socket;
export function connect(
  first: ConnectOptions | number,
  second?: string | (() => void),
  third?: () => void,
): Socket {
  const listener = typeof second === 'function' ? second : third;
  const options: ConnectOptions =
    typeof first === 'object' && first !== null ? first : { port: first, ...(typeof second === 'string' && { host: second }) };
  const socket = new Socket({
    ...(options.loop && { loop: options.loop }),
    ...(options.allowHalfOpen !== undefined && { allowHalfOpen: options.allowHalfOpen }),
    ...(options.readableHighWaterMark !== undefined && { readableHighWaterMark: options.readableHighWaterMark }),
    ...(options.writableHighWaterMark !== undefined && { writableHighWaterMark: options.writableHighWaterMark }),
  });
  return listener ? socket.connect(options, listener) : socket.connect(options);
}

/** Same as {@link connect}, under node:net's other name. */
export const createConnection = connect;
