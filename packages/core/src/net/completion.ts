/**
 * The callback-or-Promise convention of every operation: with a callback the
 * result goes there; without one the call returns a Promise. Such a Promise
 * is marked handled, so a write the application never awaits cannot crash
 * the process with an unhandled rejection; awaiting it still throws.
 * @module
 */
import { canceledError, WsaloopError } from '../errors.js';
import { nativeError } from '../sys/platform.js';
import { STATUS_CANCELED } from '../io/channel.js';

/** Node-style completion callback. */
export type OperationCallback = (error: WsaloopError | null) => void;

/** Result of an operation started with or without a callback. */
export interface Completion {
  /** What the public method returns: a Promise when no callback was given. */
  readonly result: Promise<void> | undefined;
  /** Settles the operation. */
  settle(error: WsaloopError | null): void;
}

const noop = (): void => {};

/** Creates the completion of an operation. */
export function completion(callback: OperationCallback | undefined): Completion {
  if (callback) return { result: undefined, settle: callback };
  let settle!: (error: WsaloopError | null) => void;
  const result = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  result.catch(noop);
  return { result, settle };
}

/** Converts a channel status into an error (null for success). */
export function statusError(status: number, syscall: string, address?: string, port?: number): WsaloopError | null {
  if (status === 0) return null;
  if (status === STATUS_CANCELED) return canceledError(syscall);
  return nativeError(-status, syscall, address, port);
}
