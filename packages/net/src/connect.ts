/**
 * `connect()` / `createConnection()`: a client {@link Socket}, as node:net's.
 * @module
 */
import type { Loop } from '@wsaloop/core';
import { trailingCallback } from './arguments.js';
import { Socket, type SocketConnectOptions, type SocketOptions } from './socket.js';

/** Options of {@link connect}: where to connect, and the socket's own options. */
export type ConnectOptions = SocketConnectOptions & Omit<SocketOptions, 'handle' | 'pauseOnCreate'> & { loop?: Loop };

/**
 * Creates a {@link Socket} and connects it: `connect(options, cb?)` or
 * `connect(port, host?, cb?)`. `cb` listens for `'connect'`. The options
 * go to the socket too (`signal`, `onread`, `highWaterMark`, `allowHalfOpen`...).
 */
export function connect(options: ConnectOptions, connectListener?: () => void): Socket;
export function connect(port: number | string, host?: string, connectListener?: () => void): Socket;
export function connect(port: number | string, connectListener?: () => void): Socket;
export function connect(...args: unknown[]): Socket {
  const withoutCallback = trailingCallback(args) ? args.slice(0, -1) : args;
  const first = withoutCallback[0];
  const options = (typeof first === 'object' && first !== null ? first : {}) as ConnectOptions;
  const socket = new Socket(options);
  if (options.timeout) socket.setTimeout(options.timeout);
  return (socket.connect as (...a: unknown[]) => Socket)(...args);
}

/** Same as {@link connect}, under node:net's other name. */
export const createConnection = connect;
