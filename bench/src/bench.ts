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
 *
 * Prints round trips/s, MB/s and p50/p99 latency side by side, with each
 * result's ratio to node:net on the same platform.
 *
 *   node bench/dist/bench.js [--platform native|wine|both] [--backends select,iocp,iocp:threads=4]
 *                            [--duration 3000] [--warmup 1000] [--scenarios 1,2,3] [--rounds 3]
 *
 * Each round runs every server once, in turn, so slow drifts of a shared
 * machine hit all of them alike; the table shows each cell's median round.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface WineTools {
  ensureWine(): void;
  ensureWindowsNode(): string;
  wineEnv(nodeExe: string): NodeJS.ProcessEnv;
  ensurePrefix(env: NodeJS.ProcessEnv): void;
  spawnWindowsNode(nodeExe: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; cpu?: string }): ChildProcess;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
// Servers with `threads=N` run N loops; on select and iocp each waiting loop
// holds a libuv pool thread (see README), and Node reads the size at start.
process.env.UV_THREADPOOL_SIZE ??= '16';
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const duration = args.get('duration') ?? '3000';
const rounds = Number(args.get('rounds') ?? 3);
const warmup = args.get('warmup') ?? '1000';
const platformArg = args.get('platform') ?? (process.platform === 'linux' ? 'both' : 'native');
const platforms = platformArg === 'both' ? ['native', 'wine'] : [platformArg];

const allScenarios = [
  { name: 'ping-pong 64 B x1', mode: 'pingpong', connections: 1, size: 64 },
  { name: 'ping-pong 64 B x50', mode: 'pingpong', connections: 50, size: 64 },
  { name: 'bulk 16 KiB x1', mode: 'bulk', connections: 1, size: 16 * 1024 },
  { name: 'churn 64 B x20', mode: 'churn', connections: 20, size: 64 },
] as const;
// --scenarios 1,3 runs a subset (1-based).
const picked = args.get('scenarios')?.split(',').map((n) => Number(n) - 1);
const scenarios = picked ? allScenarios.filter((_, i) => picked.includes(i)) : allScenarios;

/**
 * Backend variants to run on `platform`: installed backends, or those named
 * by --backends, each optionally with options (`iocp:spinMicroseconds=150`,
 * `overlapped:notify=routine`).
 */
function installedBackends(platform: string): string[] {
  const windowsOnly = new Set(['iocp', 'eventselect', 'asyncselect', 'overlapped']);
  const all = ['select', 'eventselect', 'asyncselect', 'overlapped', 'iocp'].filter((b) => existsSync(join(root, 'packages', `backend-${b}`, 'dist')));
  const wanted = args.get('backends')?.split(',') ?? all;
  return wanted.filter((spec) => {
    const name = spec.split(':')[0]!;
    return all.includes(name) && (platform === 'wine' || !windowsOnly.has(name));
  });
}

/** Server arguments for a variant spec: `--impl name --key value...`. */
function implArgs(spec: string): string[] {
  const [name, options] = spec.split(':');
  const out = ['--impl', name!];
  for (const pair of options?.split(';') ?? []) {
    const [key, value] = pair.split('=');
    if (key) out.push(`--${key}`, value ?? '');
  }
  return out;
}

const hasTaskset = spawnSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' }).status === 0;
const pinned = (cpu: string, command: string[]): string[] => (hasTaskset ? ['taskset', '-c', cpu, ...command] : command);

async function waitForPort(read: () => string, child: ChildProcess): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const match = /listening on [^\s]+:(\d+)/.exec(read());
    if (match) return Number(match[1]);
    if (child.exitCode !== null) throw new Error(`server exited early:\n${read()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not start:\n${read()}`);
}

async function startServer(platform: string, impl: string, wine: WineTools | null): Promise<{ port: number; stop(): Promise<void> }> {
  const serverArgs = [join(root, 'bench/dist/server.js'), ...implArgs(impl)];
  let child: ChildProcess;
  let read: () => string;
  if (platform === 'wine') {
    const nodeExe = wine!.ensureWindowsNode();
    const env = wine!.wineEnv(nodeExe);
    const logFile = join(root, '.cache', `bench-server-${impl.replace(/[^a-z0-9]+/gi, '_')}.log`);
    rmSync(logFile, { force: true });
    child = wine!.spawnWindowsNode(nodeExe, serverArgs, { cwd: root, env, logFile, cpu: '0' });
    read = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  } else {
    const [cmd, ...rest] = pinned('0', [process.execPath, ...serverArgs]);
    child = spawn(cmd!, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    read = () => out;
  }
  const port = await waitForPort(read, child);
  return {
    port,
    stop: async () => {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}

interface Result {
  roundTripsPerSec: number;
  mbPerSec: number;
  p50us: number;
  p99us: number;
  /** Churn: cycles that failed. */
  failed?: number;
}

function runLoad(port: number, scenario: (typeof allScenarios)[number]): Result {
  const [cmd, ...rest] = pinned('1', [
    process.execPath,
    join(root, scenario.mode === 'churn' ? 'bench/dist/churn-load.js' : 'bench/dist/load.js'),
    '--port', String(port),
    '--mode', scenario.mode,
    '--connections', String(scenario.connections),
    '--size', String(scenario.size),
    '--duration', duration,
    '--warmup', warmup,
  ]);
  const result = spawnSync(cmd!, rest, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`load generator failed: ${result.stderr}`);
  const parsed = JSON.parse(result.stdout.trim().split('\n').pop()!) as Result & { cyclesPerSec?: number };
  return parsed.cyclesPerSec === undefined ? parsed : { ...parsed, roundTripsPerSec: parsed.cyclesPerSec, mbPerSec: 0 };
}

const samples = new Map<string, Result[]>();
let wine: WineTools | null = null;
if (platforms.includes('wine')) {
  wine = (await import(new URL('../../scripts/lib/wine.mjs', import.meta.url).href)) as WineTools;
  wine.ensureWine();
  wine.ensurePrefix(wine.wineEnv(wine.ensureWindowsNode()));
}

for (let round = 1; round <= rounds; round++) {
  for (const platform of platforms) {
    for (const impl of ['node', ...installedBackends(platform)]) {
      const server = await startServer(platform, impl, wine);
      try {
        for (const scenario of scenarios) {
          const result = runLoad(server.port, scenario);
          const key = JSON.stringify([platform, impl === 'node' ? 'node:net' : impl, scenario.name]);
          samples.set(key, [...(samples.get(key) ?? []), result]);
          console.error(`round ${round} ${platform} ${impl} ${scenario.name}: ${JSON.stringify(result)}`);
        }
      } finally {
        await server.stop();
      }
    }
  }
}

/** The round whose headline figure is the median. */
function median(results: Result[], bulk: boolean): Result {
  const figure = (r: Result): number => (bulk ? r.mbPerSec : r.roundTripsPerSec);
  return [...results].sort((a, b) => figure(a) - figure(b))[Math.floor(results.length / 2)]!;
}

const rows = [...samples].map(([key, results]) => {
  const [platform, impl, scenario] = JSON.parse(key) as [string, string, string];
  return { platform, impl, scenario, result: median(results, scenario.startsWith('bulk')) };
});

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(`\nEcho benchmark: median of ${rounds} rounds, ${duration} ms per scenario after ${warmup} ms warm-up; server on CPU 0, load on CPU 1\n`);
console.log('| platform | server | scenario | round trips/s | MB/s | p50 µs | p99 µs | vs node:net |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  const base = rows.find((r) => r.platform === row.platform && r.impl === 'node:net' && r.scenario === row.scenario)!.result;
  const bulk = row.scenario.startsWith('bulk');
  const ratio = bulk ? row.result.mbPerSec / base.mbPerSec : row.result.roundTripsPerSec / base.roundTripsPerSec;
  console.log(
    `| ${row.platform} | ${row.impl} | ${row.scenario} | ${bulk ? '-' : fmt(row.result.roundTripsPerSec)} | ${fmt(row.result.mbPerSec, 1)} | ${bulk ? '-' : fmt(row.result.p50us)} | ${bulk ? '-' : fmt(row.result.p99us)} | ${fmt(ratio, 2)} |`,
  );
}
const failures = rows.filter((r) => r.result.failed !== undefined).map((r) => `${r.platform} ${r.impl}: ${r.result.failed}`);
if (failures.length > 0) console.log(`\nFailed churn cycles (median round): ${failures.join(', ')}`);
