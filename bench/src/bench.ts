/**
 * Echo benchmark. Runs the same echo server on node:net and on every wsaloop
 * backend given, natively and/or under Wine's node.exe, and drives each with
 * a node:net load generator in a separate (native) process:
 *
 *   - ping-pong, 64-byte messages, 1 connection
 *   - ping-pong, 64-byte messages, 50 connections
 *   - bulk: a 16 KiB-write stream, echoed back (MB/s counts the echo)
 *   - churn: 20 clients, each connect, one 64-byte round trip, close, again
 *     (the round trips/s column counts cycles; failed cycles are listed below)
 *   - ping-pong, 64-byte messages, 50 connections beside 10,000 idle ones
 *     (idle-clients.ts, another process, connected first and silent
 *     throughout: what a wait costs per open socket shows here)
 *   - over a pipe (a Unix domain socket on Linux, a named pipe under Wine,
 *     where the load generator runs under Wine too, since only a process of
 *     the same Wine prefix can open it): ping-pong at 1 and 50 connections,
 *     and bulk
 *
 * Prints round trips/s, MB/s and p50/p99 latency side by side, with each
 * result's ratio to node:net on the same platform.
 *
 * With `--load native`, TCP ping-pong is driven by a load generator in C
 * (bench/native/echo-load.c, built with the system's compiler): node:net's
 * tops out near 68k round trips/s on one CPU of the test VM, at or below
 * what the servers do at 50 connections, so above that the figure was the
 * client's.
 *
 *   node bench/dist/bench.js [--platform native|wine|both] [--backends select,iocp,iocp:threads=4]
 *                            [--duration 3000] [--warmup 1000] [--scenarios 1,2,3] [--rounds 3] [--load node|native]
 *
 * Every server starts once and stays up; each round runs a scenario on all
 * of them in turn, seconds apart (see `runRounds`), and the table shows
 * each cell's median round.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIdleClients } from './control.js';
import { type BenchServer, fmt, flags as args, nativeLoadGenerator, runLoadGenerator, runNativeLoadGenerator, runRounds, runWineLoadGenerator, usage } from './harness.js';

usage(
  `Echo benchmark: node:net and wsaloop backends side by side.

  node bench/dist/bench.js [--platform native|wine|both] [--backends select,iocp,iocp:threads=4]
                           [--duration 3000] [--warmup 1000] [--scenarios 1,2,3] [--rounds 3] [--load node|native]

scenarios: 1 ping-pong x1, 2 ping-pong x50, 3 bulk 16 KiB, 4 churn x20, 5 ping-pong x50 beside
10k idle, 6 pipe ping-pong x1, 7 pipe ping-pong x50, 8 pipe bulk 16 KiB

--load native drives TCP ping-pong (1, 2, 5) with a generator in C, built with the system's
compiler (Linux): node:net's generator saturates one CPU near 68k round trips/s.`,
  ['platform', 'backends', 'duration', 'warmup', 'scenarios', 'rounds', 'load'],
);

const duration = args.get('duration') ?? '3000';
const rounds = Number(args.get('rounds') ?? 3);
const warmup = args.get('warmup') ?? '1000';
const load = args.get('load') ?? 'node';
if (load !== 'node' && load !== 'native') {
  console.error(`--load must be node or native, got ${JSON.stringify(load)}`);
  process.exit(2);
}
// Built before any server starts: a missing compiler is one line, not a failed round.
if (load === 'native') {
  try {
    nativeLoadGenerator();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

const allScenarios = [
  { name: 'ping-pong 64 B x1', mode: 'pingpong', connections: 1, size: 64 },
  { name: 'ping-pong 64 B x50', mode: 'pingpong', connections: 50, size: 64 },
  { name: 'bulk 16 KiB x1', mode: 'bulk', connections: 1, size: 16 * 1024 },
  { name: 'churn 64 B x20', mode: 'churn', connections: 20, size: 64 },
  { name: 'ping-pong 64 B x50 + 10k idle', mode: 'pingpong', connections: 50, size: 64, idle: 10_000 },
  { name: 'pipe ping-pong 64 B x1', mode: 'pingpong', connections: 1, size: 64, pipe: true },
  { name: 'pipe ping-pong 64 B x50', mode: 'pingpong', connections: 50, size: 64, pipe: true },
  { name: 'pipe bulk 16 KiB x1', mode: 'bulk', connections: 1, size: 16 * 1024, pipe: true },
] as const;
/**
 * The pipe a server also serves, its own (every server stays up through the
 * bench): a named pipe on Windows and under Wine, else a Unix domain socket.
 */
function pipeName(platform: string, impl: string): string {
  const name = `wsaloop-bench-${process.pid}-${impl.replace(/[^a-z0-9]+/gi, '-')}`;
  return platform === 'wine' || process.platform === 'win32' ? `\\\\.\\pipe\\${name}` : join(tmpdir(), `${name}.sock`);
}
// --scenarios 1,3 runs a subset (1-based).
const picked = args.get('scenarios')?.split(',').map((n) => Number(n) - 1);
const scenarios = picked ? allScenarios.filter((_, i) => picked.includes(i)) : allScenarios;

interface Result {
  roundTripsPerSec: number;
  mbPerSec: number;
  p50us: number;
  p99us: number;
  /** Churn: cycles that failed. */
  failed?: number;
}

type Scenario = (typeof allScenarios)[number];

/** Runs the scenario's load generator against `port` (or the server's pipe). */
async function runLoad(port: number, scenario: Scenario, server: BenchServer): Promise<Result> {
  const { mode, connections, size } = scenario;
  const path = 'pipe' in scenario ? server.path : undefined;
  if ('pipe' in scenario && !path) throw new Error(`${scenario.name}: the server serves no pipe`);
  const script = mode === 'churn' ? 'churn-load.js' : 'load.js';
  const options = { mode, connections, size, duration, warmup, path };
  const parsed =
    path && server.platform === 'wine'
      ? await runWineLoadGenerator<Result & { cyclesPerSec?: number }>(script, port, options)
      : load === 'native' && mode === 'pingpong' && !path
        ? runNativeLoadGenerator<Result & { cyclesPerSec?: number }>(port, options)
        : runLoadGenerator<Result & { cyclesPerSec?: number }>(script, port, options);
  return parsed.cyclesPerSec === undefined ? parsed : { ...parsed, roundTripsPerSec: parsed.cyclesPerSec, mbPerSec: 0 };
}

/** Runs the scenario, with its idle clients connected first and held until it ends. */
async function measure(port: number, scenario: Scenario, server: BenchServer): Promise<Result> {
  if (!('idle' in scenario)) return runLoad(port, scenario, server);
  const idle = await startIdleClients(port, scenario.idle, { batch: 500 });
  try {
    if (idle.echoed !== scenario.idle) throw new Error(`only ${idle.echoed} of ${scenario.idle} idle clients were served`);
    return runLoad(port, scenario, server);
  } finally {
    await idle.stop();
  }
}

// The round whose headline figure is the median: MB/s for bulk, round trips/s otherwise.
const rows = await runRounds({
  rounds,
  script: 'server.js',
  nodeLabel: 'node:net',
  scenarios,
  measure,
  figure: (r, scenario) => (scenario.includes('bulk') ? r.mbPerSec : r.roundTripsPerSec),
  serverArgs: (platform, impl) => ['--path', pipeName(platform, impl)],
});

const generator = load === 'native' ? 'TCP ping-pong driven by the native generator, the rest by node:net' : 'load by node:net';
console.log(`\nEcho benchmark: median of ${rounds} rounds, ${duration} ms per scenario after ${warmup} ms warm-up; server on CPU 0, load on CPU 1; ${generator}\n`);
console.log('| platform | server | scenario | round trips/s | MB/s | p50 µs | p99 µs | vs node:net |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  const base = rows.find((r) => r.platform === row.platform && r.impl === 'node:net' && r.scenario === row.scenario)!.result;
  const bulk = row.scenario.includes('bulk');
  const ratio = bulk ? row.result.mbPerSec / base.mbPerSec : row.result.roundTripsPerSec / base.roundTripsPerSec;
  console.log(
    `| ${row.platform} | ${row.impl} | ${row.scenario} | ${bulk ? '-' : fmt(row.result.roundTripsPerSec)} | ${fmt(row.result.mbPerSec, 1)} | ${bulk ? '-' : fmt(row.result.p50us)} | ${bulk ? '-' : fmt(row.result.p99us)} | ${fmt(ratio, 2)} |`,
  );
}
const failures = rows.filter((r) => r.result.failed !== undefined).map((r) => `${r.platform} ${r.impl}: ${r.result.failed}`);
if (failures.length > 0) console.log(`\nFailed churn cycles (median round): ${failures.join(', ')}`);
