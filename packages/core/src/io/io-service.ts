/**
 * Chooses the operations layer for a loop's backend: the reactive adapter for
 * a Reactor, the proactive one for a Proactor.
 * @module
 */
import type { Backend } from '../backend/backend.js';
import type { Loop } from '../loop/loop.js';
import type { AddressFamily, SocketHandle } from '../sys/socket-api.js';
import type { DatagramChannel, StreamChannel } from './channel.js';
import { ProactiveIo } from './proactive-io.js';
import { ReactiveIo } from './reactive-io.js';

/** Opens channels for sockets core created or accepted. */
export interface IoService {
  /** Prepares a socket core just created (associates it with the backend). Returns 0 or a negated error. */
  prepare(socket: SocketHandle, family: AddressFamily, kind: 'stream' | 'dgram'): number;
  /** A channel for a stream socket (new, or accepted through this service). */
  stream(socket: SocketHandle, family: AddressFamily): StreamChannel;
  /** A channel for a datagram socket. */
  datagram(socket: SocketHandle, family: AddressFamily): DatagramChannel;
  /** Running totals of this layer (accepts dropped, clients turned away, ...), merged into `loop.stats()`. */
  stats(): Record<string, number>;
}

/** Creates the operations layer matching `backend`'s kind. */
export function createIoService(loop: Loop, backend: Backend): IoService {
  return backend.kind === 'reactor' ? new ReactiveIo(loop, backend) : new ProactiveIo(loop, backend);
}
