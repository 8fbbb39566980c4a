/**
 * The tour: the seven Winsock I/O models of the course notes, side by side,
 * and on Linux the three Linux models the same servers get there (poll,
 * epoll, io_uring), over TCP and over a pipe. Runs each model server of examples/models in turn
 * (Winsock models natively on Windows, under Wine's node.exe on Linux;
 * Linux models natively) with its control port beside it, drives it
 * with the same node:net clients (ping-pong over 1 and 50 connections, a
 * bulk stream, idle connections), and prints one table; writes the same
 * figures as a page of bar charts.
 *
 *   node bench/dist/tour.js [--out tour-report] [--models select,iocp] [--short]
 *                           [--duration 1500] [--warmup 500] [--idle 500] [--settle 1000]
 *
 * --short is a seconds-long tour (for the test): shorter windows, 50 idle clients.
 * Writes <out>/index.html, <out>/tour.json, <out>/charts/*.svg and
 * <out>/overview.svg (the README's chart). With --docs docs/models.md, also
 * writes each model's figures into that page, after its `<!-- tour:<id> -->`
 * marker (replacing those of an earlier run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, type as osType } from 'node:os';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ControlReading } from './control-port.js';
import { readControl, startIdleClients } from './control.js';
import { type BenchServer, fmt, flags as args, root, runLoadGenerator, runWineLoadGenerator, sleep, startServer, usage, waitFor } from './harness.js';
import { runnableModels, type TourMachine, type TourModel, type TourResult, type TourRow } from './tour-models.js';
import { overviewSvg, tourChart, tourPage, withFigures } from './tour-report.js';

usage(
  `The tour: every I/O model's server, serving the same clients, in one table and a page of charts.

  node bench/dist/tour.js [--out tour-report] [--models select,iocp] [--short]
                          [--duration 1500] [--warmup 500] [--idle 500] [--settle 1000] [--docs docs/models.md]`,
  ['out', 'models', 'short', 'duration', 'warmup', 'idle', 'settle', 'docs'],
);

const short = args.has('short');
const settings = {
  durationMs: Number(args.get('duration') ?? (short ? 400 : 1500)),
  warmupMs: Number(args.get('warmup') ?? (short ? 150 : 500)),
  idleClients: Number(args.get('idle') ?? (short ? 50 : 500)),
  settleMs: Number(args.get('settle') ?? (short ? 300 : 1000)),
};
const outDir = resolve(args.get('out') ?? join(root, 'tour-report'));
const wanted = args.get('models')?.split(',');
const models = runnableModels().filter((m) => !wanted || wanted.includes(m.id));
/** Where a model's server runs: a Winsock model under Wine when not on Windows. */
const platformOf = (model: TourModel): string => (model.system === 'windows' && process.platform !== 'win32' ? 'wine' : 'native');
// One loop per server: Node's default thread pool (the harness raises it for
// servers with many loops), so the thread counts are the models' own.
delete process.env.UV_THREADPOOL_SIZE;
/** The tour's own calls (its control port reading the process tables), not the model's. */
const MEASUREMENT_CALLS = new Set(['NtQuerySystemInformation']);

const started = Date.now();
/** The Node versions the servers ran, as their control ports tell, by platform. */
const serverNodes = new Map<string, string>();
const loadAtStart = loadavg()[0]!;
let progressIndex = 0;
/** One progress line, rewritten in place on a terminal. */
function progress(model: TourModel, step: string): void {
  const line = `[${progressIndex}/${models.length}] ${model.label}: ${step} (${Math.round((Date.now() - started) / 1000)} s)`;
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
  else console.error(line);
}

/** Native calls between two readings, by name, the tour's own left out. */
function callsBetween(before: ControlReading, after: ControlReading): Record<string, number> {
  const made: Record<string, number> = {};
  for (const [name, count] of Object.entries(after.nativeCalls)) {
    const n = count - (before.nativeCalls[name] ?? 0);
    if (n > 0 && !MEASUREMENT_CALLS.has(name)) made[name] = n;
  }
  return made;
}

const total = (calls: Record<string, number>): number => Object.values(calls).reduce((a, b) => a + b, 0);

interface PingPong {
  roundTripsPerSec: number;
  p50us: number;
  p99us: number;
  served: number;
  roundTripsTotal: number;
}

/** Ping-pong over `connections`, with the server's native calls per round trip. */
async function pingPong(control: number, server: BenchServer, connections: number): Promise<PingPong & { calls: Record<string, number> }> {
  const before = await readControl<ControlReading>(control);
  const result = await load<PingPong>(server, { mode: 'pingpong', connections, size: 64, duration: settings.durationMs, warmup: settings.warmupMs });
  const after = await readControl<ControlReading>(control);
  const calls = callsBetween(before, after);
  const perRoundTrip = Object.fromEntries(Object.entries(calls).map(([name, n]) => [name, n / Math.max(result.roundTripsTotal, 1)]));
  return { ...result, calls: perRoundTrip };
}

/** Idle clients: memory and threads they cost, and what the server calls while they idle. */
async function idle(control: number, server: BenchServer): Promise<Pick<TourRow, 'kBPerIdle' | 'servedIdle' | 'threads' | 'idleCallsPerSec'>> {
  const before = await readControl<ControlReading>(control);
  // A server serving one client at a time echoes one: wait a moment, not forever.
  const clients = await startIdleClients(server.port, settings.idleClients, {
    timeoutMs: 2000 + settings.settleMs,
    batch: settings.idleClients,
    path: server.path,
    wine: server.path !== undefined && server.platform === 'wine',
  });
  try {
    const quiet = await readControl<ControlReading>(control);
    await sleep(settings.settleMs);
    const after = await readControl<ControlReading>(control);
    return {
      kBPerIdle: Math.max(0, after.rss - before.rss) / settings.idleClients / 1024,
      servedIdle: clients.echoed,
      threads: after.threads,
      idleCallsPerSec: total(callsBetween(quiet, after)) / (settings.settleMs / 1000),
    };
  } finally {
    await clients.stop();
    // Let the server see them go before the next scenario counts its calls.
    await sleep(settings.settleMs);
  }
}

/** A model's pipe: a named pipe for the Winsock models, else a Unix domain socket. */
function pipeName(model: TourModel): string {
  const name = `wsaloop-tour-${process.pid}-${model.id}`;
  return model.system === 'windows' ? `\\\\.\\pipe\\${name}` : join(tmpdir(), `${name}.sock`);
}

/**
 * The load generator against `server`: under Wine too when the server
 * serves a named pipe under Wine (only a process of its prefix can open it).
 */
function load<R>(server: BenchServer, options: Record<string, string | number | undefined>): Promise<R> {
  const withPath = { ...options, path: server.path };
  return server.path && server.platform === 'wine' ? runWineLoadGenerator<R>('load.js', server.port, withPath) : Promise.resolve(runLoadGenerator<R>('load.js', server.port, withPath));
}

async function tourOf(model: TourModel): Promise<TourRow> {
  progress(model, 'starting');
  const script = join(root, 'examples/models/dist', model.script);
  const platform = platformOf(model);
  const where = model.pipe ? ['--path', pipeName(model)] : ['--host', '127.0.0.1', '--port', '0'];
  const server: BenchServer = await startServer(platform, 'tour-server.js', [script, ...model.flags, ...where], ['--expose-gc'], { quiet: true });
  try {
    const control = await waitFor('control port', () => Number(/control on [^\s]+:(\d+)/.exec(server.output())?.[1] ?? NaN) || undefined, server.child, server.output);
    await sleep(settings.settleMs);
    progress(model, `${settings.idleClients} idle connections`);
    if (!serverNodes.has(platform)) serverNodes.set(platform, (await readControl<ControlReading>(control)).nodeVersion);
    const idleFigures = await idle(control, server);
    progress(model, 'ping-pong x1');
    const one = await pingPong(control, server, 1);
    progress(model, 'ping-pong x50');
    const fifty = await pingPong(control, server, 50);
    progress(model, 'bulk');
    const bulk = await load<{ mbPerSec: number }>(server, { mode: 'bulk', connections: 1, size: 16 * 1024, duration: settings.durationMs, warmup: settings.warmupMs });
    const byName = (calls: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(calls).sort((a, b) => b[1] - a[1]));
    return {
      id: model.id,
      label: model.label,
      roundTrips1: one.roundTripsPerSec,
      p50us1: one.p50us,
      p99us1: one.p99us,
      calls1: total(one.calls),
      roundTrips50: fifty.roundTripsPerSec,
      p50us50: fifty.p50us,
      p99us50: fifty.p99us,
      calls50: total(fifty.calls),
      served50: fifty.served,
      mbPerSec: bulk.mbPerSec,
      ...idleFigures,
      callsByName1: byName(one.calls),
      callsByName50: byName(fifty.calls),
    };
  } finally {
    progress(model, 'stopping');
    await server.stop();
    // Killed, a pipe server leaves its file behind (a named pipe goes with its process).
    if (server.path && model.system === 'linux') rmSync(server.path, { force: true });
  }
}

/** Where the figures come from: the date, this machine, and what ran the servers. */
function machine(): TourMachine {
  const cpu = cpus();
  const host = `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${osType()} ${release()}`;
  const parts: string[] = [];
  const wineNode = serverNodes.get('wine');
  if (wineNode) parts.push(`${spawnSync('wine', ['--version'], { encoding: 'utf8' }).stdout?.trim() || 'Wine'}, Windows node.exe ${wineNode}`);
  const nativeNode = serverNodes.get('native');
  if (nativeNode) parts.push(process.platform === 'win32' ? `Windows node.exe ${nativeNode}` : `Linux models: node ${nativeNode}`);
  return { date: new Date().toISOString().slice(0, 10), host, runtime: parts.join('; '), loadAverage: loadAtStart };
}

const rows: TourRow[] = [];
const failures: TourResult['failures'] = [];
for (const model of models) {
  progressIndex++;
  try {
    rows.push(await tourOf(model));
  } catch (error) {
    failures.push({ id: model.id, label: model.label, error: (error as Error).message.split('\n')[0]! });
  }
}
if (process.stderr.isTTY) process.stderr.write('\n');

const result: TourResult = { machine: machine(), settings, rows, failures, seconds: Math.round((Date.now() - started) / 1000) };

const pair = (a: number, b: number): string => `${fmt(a)} / ${fmt(b)}`;
const { runtime, host, date, loadAverage } = result.machine;
console.log(`\nThe models, each serving the same clients (${runtime}; ${host}; ${date}; load average ${loadAverage.toFixed(1)} at the start)\n`);
console.log('| model | rt/s x1 | p50 / p99 µs x1 | rt/s x50 | p50 / p99 µs x50 | served of 50 | bulk MB/s | kB per idle conn | idle served | threads | calls/rt x1 | calls/rt x50 | idle calls/s |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.label} | ${fmt(r.roundTrips1)} | ${pair(r.p50us1, r.p99us1)} | ${fmt(r.roundTrips50)} | ${pair(r.p50us50, r.p99us50)} | ${r.served50} | ${fmt(r.mbPerSec, 1)} | ${fmt(r.kBPerIdle, 1)} | ${r.servedIdle} of ${settings.idleClients} | ${r.threads} | ${fmt(r.calls1, 1)} | ${fmt(r.calls50, 1)} | ${fmt(r.idleCallsPerSec)} |`,
  );
}
for (const f of failures) console.log(`| ${f.label} | failed: ${f.error} |`);
console.log(`\nNative calls: what the server made through wsaloop's bindings on every thread (nativeCallCounts), per round trip counted by the client.`);

mkdirSync(join(outDir, 'charts'), { recursive: true });
writeFileSync(join(outDir, 'tour.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(outDir, 'index.html'), tourPage(result));
for (const svg of tourChart(result)) writeFileSync(join(outDir, 'charts', `${svg.key}.svg`), svg.svg);
writeFileSync(join(outDir, 'overview.svg'), overviewSvg(result));
const docs = args.get('docs');
if (docs) {
  writeFileSync(docs, withFigures(readFileSync(docs, 'utf8'), result));
  console.log(`Wrote the figures into ${docs}.`);
}
console.log(`\nWrote ${join(outDir, 'index.html')} (charts in ${join(outDir, 'charts')}); the tour took ${result.seconds} s.`);
if (!existsSync(join(outDir, 'index.html')) || failures.length > 0) process.exit(1);
