/**
 * Performs a {@link WakeToken} from any thread: the loop thread's backend
 * hands out the token, and a Worker (with its own koffi bindings) uses it.
 * @module
 */
import { libc } from '../sys/posix/library.js';
import { socketApi } from '../sys/platform.js';
import { user32, windows } from '../sys/winsock/library.js';
import type { WakeToken } from './wake-token.js';

const one = new Uint8Array([1]);
const eventfdIncrement = new Uint8Array(new BigUint64Array([1n]).buffer);

/** Wakes the backend described by `token`. Safe to call from any thread. */
export function performWake(token: WakeToken): void {
  switch (token.kind) {
    case 'socket':
      socketApi().send(token.socket, one, 0, 1);
      return;
    case 'eventfd':
      libc().write(token.fd, eventfdIncrement, 8);
      return;
    case 'completion-port':
      windows().kernel32.PostQueuedCompletionStatus(token.port, 0, token.key, 0);
      return;
    case 'event':
      windows().kernel32.SetEvent(token.handle);
      return;
    case 'window':
      user32().PostMessageW(token.hwnd, token.message, 0, 0);
      return;
    case 'shared-flag': {
      const flag = new Int32Array(token.flag, 0, 1);
      Atomics.add(flag, 0, 1);
      Atomics.notify(flag, 0);
      return;
    }
  }
}
