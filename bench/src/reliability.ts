/**
 * Connection reliability bench: what the echo table does not show.
 *
 *   node bench/dist/reliability.js --mode burst [--connections 2000] [--settle 6000] [--measure 4000]
 *   node bench/dist/reliability.js --mode soak  [--duration 600000] [--clients 20] [--idle 1000]
 *   node bench/dist/reliability.js --mode hostile [--duration 4000] [--count 1000] [--kinds reset-data,...]
 *   common: [--platform native|wine|both] [--backends iocp,select,...] [--rounds 1] [--node false]
 *
 * burst: opens --connections connections at once against the bench's echo
 *   server, lets them settle, then counts each one's 64-byte round trips
 *   in the measured window: a connection with none starved.
 * soak: --duration of connection churn (--clients clients: connect, one
 *   64-byte round trip, close, again), with --idle half-open clients that
 *   connect, send nothing, and vanish (half reset, half closed by their
 *   process's exit) halfway through. Prints cycles/s against node:net, failed
 *   cycles, and the server's memory, handle count and loop.stats() at start
 *   and at end (after the clients are gone).
 * hostile: hostile clients beside a ping-pong load, one kind at a time
 *   (see hostile.ts).
 *
 * The server runs on CPU 0 (Wine's node.exe under Wine), the node:net load
 * generators natively on CPU 1. Figures of a shared machine are noisy: use
 * --rounds and read medians.
 */
import { backendVariants, fmt, flags as args, median, platforms, sleep, usage } from './harness.js';

usage(
  `Connection reliability: bursts, churn with half-open clients, hostile clients.

  node bench/dist/reliability.js --mode burst [--connections 2000] [--settle 6000] [--measure 4000]
  node bench/dist/reliability.js --mode soak  [--duration 600000] [--clients 20] [--idle 1000]
  node bench/dist/reliability.js --mode hostile [--duration 4000] [--count 1000] [--kinds reset-data,...]
  common: [--platform native|wine|both] [--backends iocp,select,...] [--rounds 1] [--node false]`,
  ['mode', 'connections', 'settle', 'measure', 'duration', 'clients', 'idle', 'count', 'kinds', 'platform', 'backends', 'rounds', 'node'],
);
import { runHostile } from './hostile.js';
import { runLoad, startSoakServer } from './soak-server.js';

const mode = args.get('mode') ?? 'burst';
// --node false: leave node:net out (e.g. to re-run one backend beside an earlier baseline).
const withNode = args.get('node') === 'false' ? [] : ['node'];
const rounds = Number(args.get('rounds') ?? 1);

/** The churn load generator (churn-load.js) in `options.mode`. */
const load = (port: number, options: Record<string, string | number>) => runLoad('churn-load.js', port, options);

if (mode === 'burst') {
  const connections = Number(args.get('connections') ?? 2000);
  const settle = Number(args.get('settle') ?? 6000);
  const measure = Number(args.get('measure') ?? 4000);
  const samples = new Map<string, Array<Record<string, unknown>>>();
  for (let round = 1; round <= rounds; round++) {
    for (const platform of platforms) {
      for (const impl of [...withNode, ...backendVariants(platform)]) {
        const server = await startSoakServer(platform, impl);
        try {
          const burst = load(server.port, { mode: 'burst', connections, warmup: settle, duration: measure });
          // How fast the server takes the connections in: its open count every half second.
          const accepted: number[] = [];
          let finished = false;
          void burst.done.finally(() => (finished = true));
          while (!finished) {
            await sleep(500);
            accepted.push((server.stats()?.connections as number | undefined) ?? -1);
          }
          const result = await burst.done;
          result.acceptedEveryHalfSecond = accepted.join(' ');
          await sleep(2000);
          result.serverConnectionsAfter = (server.stats()?.connections as number | undefined) ?? -1;
          const key = `${platform}|${impl === 'node' ? 'node:net' : impl}`;
          samples.set(key, [...(samples.get(key) ?? []), result]);
          console.error(`round ${round} ${key}: ${JSON.stringify(result)}`);
        } finally {
          await server.stop();
        }
      }
    }
  }
  console.log(`\nBurst: ${connections} connections at once, 64-byte ping-pong, ${settle} ms to settle, ${measure} ms measured; median of ${rounds} round(s) by starved connections\n`);
  console.log('| platform | server | connected | starved | fewest RT | median RT | RT/s | p99 ms | last connect ms | server conns after |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [key, results] of samples) {
    const [platform, impl] = key.split('|');
    const r = median(results, (x) => x.starved as number);
    console.log(
      `| ${platform} | ${impl} | ${r.connected} | ${r.starved} | ${r.fewest} | ${r.median} | ${fmt(r.roundTripsPerSec)} | ${fmt((r.p99us as number) / 1000, 1)} | ${r.lastConnectMs} | ${r.serverConnectionsAfter} |`,
    );
  }
} else if (mode === 'soak') {
  const duration = Number(args.get('duration') ?? 600_000);
  const clients = Number(args.get('clients') ?? 20);
  const idle = Number(args.get('idle') ?? 1000);
  const settle = Number(args.get('settle') ?? 3000);
  const rows: Array<{ platform: string; impl: string; churn: Record<string, unknown>; idle: Record<string, unknown>; start: Record<string, unknown>; peak: number; end: Record<string, unknown> }> = [];
  for (const platform of platforms) {
    for (const impl of [...withNode, ...backendVariants(platform)]) {
      const server = await startSoakServer(platform, impl);
      try {
        await sleep(1500);
        const start = server.stats()!;
        const idlers = load(server.port, { mode: 'idle', connections: idle, duration: duration / 2 });
        const churn = load(server.port, { mode: 'churn', connections: clients, warmup: 0, duration, timeout: 5000 });
        let peak = 0;
        let finished = false;
        void churn.done.finally(() => (finished = true));
        while (!finished) {
          await sleep(500);
          peak = Math.max(peak, (server.stats()?.connections as number | undefined) ?? 0);
        }
        const churnResult = await churn.done;
        const idleResult = await idlers.done;
        await sleep(settle);
        const end = server.stats()!;
        rows.push({ platform, impl: impl === 'node' ? 'node:net' : impl, churn: churnResult, idle: idleResult, start, peak, end });
        console.error(`${platform} ${impl}: ${JSON.stringify(rows[rows.length - 1])}`);
      } finally {
        await server.stop();
      }
    }
  }
  console.log(`\nSoak: ${duration / 1000} s of churn (${clients} clients: connect, 64-byte round trip, close) with ${idle} idle clients that vanish halfway; figures ${settle} ms after the last client left\n`);
  console.log('| platform | server | cycles/s | vs node:net | failed | idle connected | peak conns | RSS MiB start → end | heap MiB start → end | handles start → end | fds start → end | conns end | loop.stats() start → end |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- | ---: | --- |');
  const live = (s: Record<string, unknown>): string => {
    const loop = (s.loop ?? {}) as Record<string, number>;
    return Object.entries(loop).map(([k, v]) => `${k}=${v}`).join(' ') || '-';
  };
  for (const row of rows) {
    const base = rows.find((r) => r.platform === row.platform && r.impl === 'node:net')?.churn.cyclesPerSec as number | undefined;
    const cps = row.churn.cyclesPerSec as number;
    console.log(
      `| ${row.platform} | ${row.impl} | ${fmt(cps)} | ${base ? fmt(cps / base, 2) : '-'} | ${row.churn.failed} | ${row.idle.connected} | ${row.peak} | ${row.start.rssMiB} → ${row.end.rssMiB} | ${row.start.heapUsedMiB} → ${row.end.heapUsedMiB} | ${row.start.handles} → ${row.end.handles} | ${row.start.fds} → ${row.end.fds} | ${row.end.connections} | ${live(row.start)} → ${live(row.end)} |`,
    );
  }
} else if (mode === 'hostile') {
  await runHostile(withNode.length > 0);
} else {
  throw new Error(`unknown --mode ${mode}`);
}
