/**
 * The @wsaloop/net conformance suite: node:net, node:http, TLS and
 * WebSocket behaviour over one backend. Every backend runs all of it.
 *
 * ```ts
 * import { runNetConformance } from '@wsaloop/net/conformance';
 * runNetConformance({ backend: 'iocp' });
 * ```
 */
import { describe } from 'vitest';
import { type NetConformanceOptions, netConformanceContext } from './context.js';
import { hostileTests } from './hostile-tests.js';
import { httpTests } from './http-tests.js';
import { pipeTests } from './pipe-tests.js';
import { poolTests } from './pool-tests.js';
import { socketTests } from './socket-tests.js';
import { tlsWsTests } from './tls-ws-tests.js';

export type { NetConformanceOptions } from './context.js';

/** Declares the whole suite for one backend (and option set). */
export function runNetConformance(options: NetConformanceOptions): void {
  const ctx = netConformanceContext(options);
  describe(`net conformance [${ctx.label}]`, () => {
    socketTests(ctx);
    pipeTests(ctx);
    httpTests(ctx);
    hostileTests(ctx);
    tlsWsTests(ctx);
    poolTests(ctx);
  });
}
