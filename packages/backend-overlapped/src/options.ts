/**
 * Options of the overlapped backend and their validation.
 * @module
 */
import { OVERLAPPED_OPTION_NAMES, type OverlappedOptions } from '@wsaloop/winsock-kit';

/**
 * How the overlapped backend learns that an operation finished:
 * - `'event'`: each operation's OVERLAPPED carries an event object, shared
 *   by up to 64 operations; the events are waited on with
 *   WSAWaitForMultipleEvents, 63 per wait thread.
 * - `'routine'`: operations are started with a completion routine, on a
 *   thread of the backend's own that waits alertably and runs them.
 */
export type NotifyMode = 'event' | 'routine';

/** Options of `createLoop({ backend: 'overlapped', ... })`. */
export interface OverlappedBackendOptions extends OverlappedOptions {
  /** Notification style (default `'event'`). */
  notify?: NotifyMode;
}

/** Names of the {@link OverlappedBackendOptions}. */
export const OVERLAPPED_BACKEND_OPTION_NAMES = ['notify', ...OVERLAPPED_OPTION_NAMES] as const;
// Fails to compile when an option is added above without its name.
const everyOptionNamed: Exclude<keyof OverlappedBackendOptions, (typeof OVERLAPPED_BACKEND_OPTION_NAMES)[number]> extends never ? true : never = true;
void everyOptionNamed;

/**
 * The notification mode `options` ask for.
 * @throws TypeError when `notify` is not a string; RangeError for an unknown mode.
 */
export function notifyMode(options: OverlappedBackendOptions): NotifyMode {
  const notify: unknown = options.notify ?? 'event';
  if (typeof notify !== 'string') {
    throw new TypeError(`The "notify" option must be 'event' or 'routine', received ${notify === null ? 'null' : typeof notify}`);
  }
  if (notify !== 'event' && notify !== 'routine') {
    throw new RangeError(`The "notify" option must be 'event' or 'routine', received '${notify}'`);
  }
  return notify;
}
