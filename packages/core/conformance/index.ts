/**
 * The wsaloop conformance suite: one set of tests, written once, that every
 * backend package runs against a real socket stack. A backend is done when it
 * passes all of it.
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
import { type ConformanceOptions, conformanceContext } from './context.js';
import { loopTests } from './loop-tests.js';
import { nativeCallTests } from './native-call-tests.js';
import { pipeTests } from './pipe-tests.js';
import { tcpTests } from './tcp-tests.js';
import { udpTests } from './udp-tests.js';

export type { ConformanceOptions } from './context.js';
export { pattern, soak, SOAK_SCALE, withLoop } from './context.js';
export { echoThenEnd, type EchoClient, nodePipeEcho, pipeNameGone } from './pipe-peers.js';

/** Declares the whole suite for one backend (and option set). */
export function runConformance(options: ConformanceOptions): void {
  const ctx = conformanceContext(options);
  describe(`conformance [${ctx.label}]`, () => {
    loopTests(ctx);
    tcpTests(ctx);
    pipeTests(ctx);
    udpTests(ctx);
    lifecycleTests(ctx);
    hostileTests(ctx);
    descriptorTests(ctx);
    argumentTests(ctx);
    handoffTests(ctx);
    poolTests(ctx);
    nativeCallTests(ctx);
    exitTests(ctx);
  });
}
export { proactorStartFailureTests } from './start-failures.js';
