/**
 * The @wsaloop/net conformance suite: node:net, node:http, TLS and
 * WebSocket behaviour over one backend. Every backend runs all of it; an
 * option set of a backend may run only the groups that option changes.
 *
 * ```ts
 * import { runNetConformance } from '@wsaloop/net/conformance';
 * runNetConformance({ backend: 'iocp' });
 * ```
 */
import { describe } from 'vitest';
import { NET_CONFORMANCE_GROUPS, type NetConformance, type NetConformanceGroup, type NetConformanceOptions, netConformanceContext } from './context.js';
import { hostileTests } from './hostile-tests.js';
import { httpTests } from './http-tests.js';
import { pipeTests } from './pipe-tests.js';
import { poolTests } from './pool-tests.js';
import { socketTests } from './socket-tests.js';
import { tlsWsTests } from './tls-ws-tests.js';

export type { NetConformanceGroup, NetConformanceOptions } from './context.js';

/** What declares each group (every group named once: a missing or unknown name does not compile). */
const GROUPS: Record<NetConformanceGroup, (ctx: NetConformance) => void> = {
  socket: socketTests,
  pipes: pipeTests,
  http: httpTests,
  hostile: hostileTests,
  tlsWs: tlsWsTests,
  pool: poolTests,
};

/** Declares the suite for one backend (and option set): every group, or those in `options.only`. */
export function runNetConformance(options: NetConformanceOptions): void {
  const ctx = netConformanceContext(options);
  const only = new Set<NetConformanceGroup>(options.only ?? NET_CONFORMANCE_GROUPS);
  describe(`net conformance [${ctx.label}]`, () => {
    for (const group of NET_CONFORMANCE_GROUPS) if (only.has(group)) GROUPS[group](ctx);
  });
}
