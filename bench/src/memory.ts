/**
 * Memory scenario: what idle connections cost the server. For node:net and
 * each wsaloop backend given, natively and/or under Wine's node.exe, starts
 * the bench's echo server (bench/src/server.ts, with --expose-gc and its
 * control port), reads its figures (core's processResources()), lets N node:net
 * clients in another process each send one 64-byte message, get the echo and
 * stay idle (idle-clients.ts), then reads the figures again.
 *
 *   node bench/dist/memory.js [--platform native|wine|both] [--backends iocp,eventselect]
 *                             [--clients 2000,10000] [--settle 2000] [--snapshots <dir>]
 *
 * Prints kB of resident memory per idle connection (the growth divided by N;
 * a full GC runs before each reading), the V8 heap's share of it, and the
 * handle and thread counts before and after, beside node:net on the same
 * node binary in the same run. With --snapshots, the server also writes a V8
 * heap snapshot at each reading (<impl>-1 before, <impl>-2 after) into <dir>
 * (a Windows path for node.exe), for `node bench/dist/heap-diff.js`.
 */
import type { ProcessResources } from '@wsaloop/core';
import { readControl, startIdleClients } from './control.js';
import { ALL_BACKENDS, type BenchServer, backendVariants, fmt, flags as args, implArgs, platforms, sleep, startServer, usage, waitFor } from './harness.js';

usage(
  `Memory per idle connection: node:net and wsaloop backends side by side.

  node bench/dist/memory.js [--platform native|wine|both] [--backends iocp,eventselect]
                            [--clients 2000,10000] [--settle 2000] [--snapshots <dir>]`,
  ['platform', 'backends', 'clients', 'settle', 'snapshots'],
);

const clientCounts = (args.get('clients') ?? '2000').split(',').map(Number);
const settleMs = Number(args.get('settle') ?? 2000);

/** The echo server with its control port (and heap snapshots when asked); waits for both ports. */
async function startMemoryServer(platform: string, impl: string): Promise<BenchServer & { control: number }> {
  const snapshots = args.get('snapshots');
  const server = await startServer(platform, 'server.js', [...implArgs(impl), '--control', '1', ...(snapshots ? ['--snapshots', snapshots] : [])], ['--expose-gc']);
  try {
    const control = await waitFor('control port', () => Number(/control on [^\s]+:(\d+)/.exec(server.output())?.[1] ?? NaN) || undefined, server.child, server.output);
    return { ...server, control };
  } catch (error) {
    await server.stop(true);
    throw error;
  }
}

interface Row {
  platform: string;
  impl: string;
  clients: number;
  before: ProcessResources;
  after: ProcessResources;
}

const rows: Row[] = [];
for (const platform of platforms) {
  for (const clients of clientCounts) {
    for (const impl of ['node', ...backendVariants(platform, [...ALL_BACKENDS, 'overlapped:notify=routine'])]) {
      let server: (BenchServer & { control: number }) | null = null;
      try {
        server = await startMemoryServer(platform, impl);
        await sleep(settleMs);
        const before = await readControl<ProcessResources>(server.control);
        const load = await startIdleClients(server.port, clients);
        try {
          await sleep(settleMs);
          const after = await readControl<ProcessResources>(server.control);
          const row = { platform, impl: impl === 'node' ? 'node:net' : impl, clients, before, after };
          rows.push(row);
          console.error(`${platform} ${row.impl} ${clients}: ${JSON.stringify({ before, after })}`);
        } finally {
          await load.stop();
        }
      } catch (error) {
        console.error(`${platform} ${impl} ${clients}: failed: ${(error as Error).message}`);
      } finally {
        // Gently: under Wine, a process killed with 10,000 sockets open can
        // leave the wineserver busy (or gone) for the next one.
        await server?.stop(true);
      }
    }
  }
}

const perConnection = (row: Row): number => (row.after.rss - row.before.rss) / row.clients / 1024;
console.log(`\nMemory per idle connection: N clients each sent 64 B, got the echo and stay idle; server figures before -> after (full GC before each reading), settled ${settleMs} ms\n`);
console.log('| platform | server | clients | kB per idle connection | of it JS heap (B) | handles | threads | vs node:net |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  const base = rows.find((r) => r.platform === row.platform && r.clients === row.clients && r.impl === 'node:net');
  const kb = perConnection(row);
  const ratio = base ? kb / Math.max(perConnection(base), 0.1) : NaN;
  console.log(
    `| ${row.platform} | ${row.impl} | ${fmt(row.clients)} | ${fmt(kb, 1)} | ${fmt((row.after.heapUsed - row.before.heapUsed) / row.clients)} | ${row.before.handles} -> ${row.after.handles} | ${row.before.threads} -> ${row.after.threads} | ${fmt(ratio, 2)} |`,
  );
}
