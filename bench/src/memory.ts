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
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcessResources } from '@wsaloop/core';

interface WineTools {
  ensureWine(): void;
  ensureWindowsNode(): string;
  wineEnv(nodeExe: string): NodeJS.ProcessEnv;
  ensurePrefix(env: NodeJS.ProcessEnv): void;
  spawnWindowsNode(nodeExe: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; cpu?: string }): ChildProcess;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const platformArg = args.get('platform') ?? (process.platform === 'linux' ? 'both' : 'native');
const platforms = platformArg === 'both' ? ['native', 'wine'] : [platformArg];
const clientCounts = (args.get('clients') ?? '2000').split(',').map(Number);
const settleMs = Number(args.get('settle') ?? 2000);
const windowsOnly = new Set(['iocp', 'eventselect', 'asyncselect', 'overlapped']);

/** Backend variants to run on `platform`, as in bench.ts (`name[:key=value;...]`). */
function backends(platform: string): string[] {
  const all = ['select', 'eventselect', 'asyncselect', 'overlapped', 'iocp'].filter((b) => existsSync(join(root, 'packages', `backend-${b}`, 'dist')));
  const wanted = args.get('backends')?.split(',') ?? [...all, 'overlapped:notify=routine'];
  return wanted.filter((spec) => all.includes(spec.split(':')[0]!) && (platform === 'wine' || process.platform === 'win32' || !windowsOnly.has(spec.split(':')[0]!)));
}

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
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | undefined, child: ChildProcess, log: () => string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = probe();
    if (found !== undefined) return found;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what}: process exited:\n${log()}`);
    await sleep(100);
  }
  throw new Error(`${what}: timed out:\n${log()}`);
}

interface Server {
  port: number;
  control: number;
  stop(): Promise<void>;
}

async function startServer(platform: string, impl: string, wine: WineTools | null): Promise<Server> {
  const snapshots = args.get('snapshots');
  const serverArgs = ['--expose-gc', join(root, 'bench/dist/server.js'), ...implArgs(impl), '--control', '1', ...(snapshots ? ['--snapshots', snapshots] : [])];
  let child: ChildProcess;
  let read: () => string;
  if (platform === 'wine') {
    const nodeExe = wine!.ensureWindowsNode();
    const logFile = join(root, '.cache', `memory-server-${impl.replace(/[^a-z0-9]+/gi, '_')}.log`);
    rmSync(logFile, { force: true });
    child = wine!.spawnWindowsNode(nodeExe, serverArgs, { cwd: root, env: wine!.wineEnv(nodeExe), logFile, cpu: '0' });
    read = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  } else {
    const [cmd, ...rest] = pinned('0', [process.execPath, ...serverArgs]);
    child = spawn(cmd!, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    read = () => out;
  }
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  // Gently first: under Wine, a process killed with 10,000 sockets open can
  // leave the wineserver busy (or gone) for the next one.
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    for (let i = 0; i < 200 && !exited(); i++) await sleep(100);
    if (!exited()) child.kill('SIGKILL');
    await new Promise((r) => (exited() ? r(null) : child.once('exit', r)));
    if (platform === 'wine') spawnSync('wineserver', ['-w'], { env: wine!.wineEnv(wine!.ensureWindowsNode()), timeout: 120_000 });
  };
  try {
    const port = await waitFor('server start', () => Number(/listening on [^\s]+:(\d+)/.exec(read())?.[1] ?? NaN) || undefined, child, read);
    const control = await waitFor('control port', () => Number(/control on [^\s]+:(\d+)/.exec(read())?.[1] ?? NaN) || undefined, child, read);
    return { port, control, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The server's figures, read through its control port. */
function readStats(port: number): Promise<ProcessResources> {
  return new Promise((resolve, reject) => {
    let text = '';
    const s = connect(port, '127.0.0.1');
    s.setEncoding('utf8');
    s.on('data', (d) => (text += d));
    s.on('end', () => resolve(JSON.parse(text) as ProcessResources));
    s.on('error', reject);
  });
}

/** Starts `n` idle clients; resolves once every one got its echo. */
async function startClients(port: number, n: number): Promise<{ stop(): Promise<void> }> {
  const [cmd, ...rest] = pinned('1', [process.execPath, join(root, 'bench/dist/idle-clients.js'), '--port', String(port), '--clients', String(n)]);
  const child = spawn(cmd!, rest, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await waitFor('idle clients', () => (/ready (\d+)/.test(out) ? true : undefined), child, () => out, 600_000);
  return {
    stop: async () => {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}

interface Row {
  platform: string;
  impl: string;
  clients: number;
  before: ProcessResources;
  after: ProcessResources;
}

let wine: WineTools | null = null;
if (platforms.includes('wine')) {
  wine = (await import(new URL('../../scripts/lib/wine.mjs', import.meta.url).href)) as WineTools;
  wine.ensureWine();
  wine.ensurePrefix(wine.wineEnv(wine.ensureWindowsNode()));
}

const rows: Row[] = [];
for (const platform of platforms) {
  for (const clients of clientCounts) {
    for (const impl of ['node', ...backends(platform)]) {
      let server: Server | null = null;
      try {
        server = await startServer(platform, impl, wine);
        await sleep(settleMs);
        const before = await readStats(server.control);
        const load = await startClients(server.port, clients);
        try {
          await sleep(settleMs);
          const after = await readStats(server.control);
          const row = { platform, impl: impl === 'node' ? 'node:net' : impl, clients, before, after };
          rows.push(row);
          console.error(`${platform} ${row.impl} ${clients}: ${JSON.stringify({ before, after })}`);
        } finally {
          await load.stop();
        }
      } catch (error) {
        console.error(`${platform} ${impl} ${clients}: failed: ${(error as Error).message}`);
      } finally {
        await server?.stop();
      }
    }
  }
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
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
