/**
 * The wsaloop conformance suite: one set of tests, written once, that every
 * backend package runs against a real socket stack. A backend is done when it
 * passes all of it with its default options; an option set of a backend may
 * run only the groups that option changes (`only`).
 *
 * ```ts
 * // packages/backend-x/test/conformance.test.ts
 * import { runConformance } from '@wsaloop/core/conformance';
 * runConformance({ backend: 'x' });
 * ```
 */
import { describe } from 'vitest';
import { argumentTests } from './argument-tests.js';
import { descriptorTests } from './descriptor-tests.js';
import { exitTests } from './exit-tests.js';
import { handoffTests } from './handoff-tests.js';
import { hostileTests } from './hostile-tests.js';
import { poolTests } from './pool-tests.js';
import { lifecycleTests } from './lifecycle-tests.js';
import { type Conformance, CONFORMANCE_GROUPS, type ConformanceGroup, type ConformanceOptions, conformanceContext } from './context.js';
import { loopTests } from './loop-tests.js';
import { nativeCallTests } from './native-call-tests.js';
import { pipeTests } from './pipe-tests.js';
import { tcpTests } from './tcp-tests.js';
import { udpTests } from './udp-tests.js';

export type { ConformanceGroup, ConformanceOptions } from './context.js';
export { pattern, soak, SOAK_SCALE, withLoop } from './context.js';
export { echoThenEnd, type EchoClient, nodePipeEcho, pipeNameGone } from './pipe-peers.js';
export { echoBesideNodeTimers } from './spin-check.js';
export { spawnNode } from './spawn-node.js';

/** What declares each group (every group named once: a missing or unknown name does not compile). */
const GROUPS: Record<ConformanceGroup, (ctx: Conformance) => void> = {
  loop: loopTests,
  tcp: tcpTests,
  pipes: pipeTests,
  udp: udpTests,
  lifecycle: lifecycleTests,
  hostile: hostileTests,
  descriptors: descriptorTests,
  arguments: argumentTests,
  handoff: handoffTests,
  pool: poolTests,
  nativeCalls: nativeCallTests,
  exit: exitTests,
};

/** Declares the suite for one backend (and option set): every group, or those in `options.only`. */
export function runConformance(options: ConformanceOptions): void {
  const ctx = conformanceContext(options);
  const only = new Set<ConformanceGroup>(options.only ?? CONFORMANCE_GROUPS);
  describe(`conformance [${ctx.label}]`, () => {
    for (const group of CONFORMANCE_GROUPS) if (only.has(group)) GROUPS[group](ctx);
  });
}
export { proactorStartFailureTests } from './start-failures.js';
