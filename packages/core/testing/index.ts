/**
 * `@wsaloop/core/testing`: an in-memory network and a Reactor and a
 * Proactor over it, for tests of the loop's own semantics (fast, native,
 * deterministic, with injectable faults) and as the plainest reference of
 * the backend contract. They test the loop, never a backend: the
 * conformance suite runs every real backend against a real socket stack.
 *
 * ```ts
 * import { createMemoryLoop } from '@wsaloop/core/testing';
 * const { loop, network } = createMemoryLoop('reactor');
 * ```
 * @module
 */
import { createLoop, type Loop } from '@wsaloop/core';
import { MemoryNetwork } from './memory-network.js';
import { MemoryProactor } from './memory-proactor.js';
import { MemoryReactor } from './memory-reactor.js';

export { MemoryNetwork, MemorySocket, errno, STREAM_BUFFER, type FaultableCall } from './memory-network.js';
export { MemoryReactor } from './memory-reactor.js';
export { MemoryProactor } from './memory-proactor.js';
export { MemoryWaiter } from './memory-waiter.js';

/** Which half of the contract a memory loop runs on. */
export type MemoryBackendKind = 'reactor' | 'proactor';

/** Creates a loop over a memory backend of `kind`, on `network` (a new one by default). */
export function createMemoryLoop(kind: MemoryBackendKind, network = new MemoryNetwork()): { loop: Loop; network: MemoryNetwork } {
  const backend = kind === 'reactor' ? new MemoryReactor(network) : new MemoryProactor(network);
  return { loop: createLoop({ backend }), network };
}
