/**
 * What every bench script shares: its command-line flags, the platforms and
 * backend variants to run, the Wine tools, CPU pinning, and starting a
 * benchmarked server natively or under Wine's node.exe.
 *
 * Backend variants are `name[:key=value;key=value]` (`iocp:threads=4`,
 * `overlapped:notify=routine`): the options go to the server as flags.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

// Servers with `threads=N` run N loops; on select and iocp each waiting loop
// holds a libuv pool thread (see README), and Node reads the size at start.
process.env.UV_THREADPOOL_SIZE ??= '16';

/** `--name value` flags of this run; a flag followed by another flag (or nothing) has the value ''. */
export const flags = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const value = process.argv[i + 1];
  const hasValue = value !== undefined && !value.startsWith('--');
  flags.set(process.argv[i]!.replace(/^--/, ''), hasValue ? value : '');
  if (hasValue) i++;
}

/**
 * `--help` prints `text`, the script's usage, and exits. A flag not in
 * `known` is refused with the same text (exit status 2): a mistyped flag
 * would otherwise run minutes of benchmark on the defaults.
 */
export function usage(text: string, known: readonly string[]): void {
  if (flags.has('help')) {
    console.log(text);
    process.exit(0);
  }
  const unknown = [...flags.keys()].filter((name) => !known.includes(name));
  if (unknown.length === 0) return;
  console.error(`unknown flag${unknown.length > 1 ? 's' : ''}: ${unknown.map((name) => `--${name}`).join(', ')}\n\n${text}`);
  process.exit(2);
}

/** `--platform native|wine|both` (default: both on Linux). */
export const platforms: string[] = (() => {
  const platform = flags.get('platform') ?? (process.platform === 'linux' ? 'both' : 'native');
  return platform === 'both' ? ['native', 'wine'] : [platform];
})();

/** Every backend package of the repository. */
export const ALL_BACKENDS = ['select', 'epoll', 'iouring', 'eventselect', 'asyncselect', 'overlapped', 'iocp'];
const WINDOWS_ONLY = new Set(['iocp', 'eventselect', 'asyncselect', 'overlapped']);
const LINUX_ONLY = new Set(['epoll', 'iouring']);

/**
 * Backend variants to run on `platform`: those named by `--backends`, else
 * `defaults` (else every built backend), less those the platform cannot run.
 */
export function backendVariants(platform: string, defaults?: string[]): string[] {
  const built = ALL_BACKENDS.filter((b) => existsSync(join(root, 'packages', `backend-${b}`, 'dist')));
  const wanted = flags.get('backends')?.split(',') ?? defaults ?? built;
  return wanted.filter((spec) => {
    const name = spec.split(':')[0]!;
    if (!built.includes(name)) return false;
    const windows = platform === 'wine' || process.platform === 'win32';
    return windows ? !LINUX_ONLY.has(name) : !WINDOWS_ONLY.has(name);
  });
}

/** Server flags for a variant: `--impl name --key value...`. */
export function implArgs(spec: string): string[] {
  const [name, options] = spec.split(':');
  const out = ['--impl', name!];
  for (const pair of options?.split(';') ?? []) {
    const [key, value] = pair.split('=');
    if (key) out.push(`--${key}`, value ?? '');
  }
  return out;
}

const hasTaskset = spawnSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' }).status === 0;

/** `command` pinned to `cpu` when taskset exists: servers on CPU 0, load on CPU 1. */
export const pinned = (cpu: string, command: string[]): string[] => (hasTaskset ? ['taskset', '-c', cpu, ...command] : command);

/**
 * Runs a load generator (bench/dist/`script`, node:net, its own process on
 * CPU 1) against `port` with `--key value` options, and returns the JSON line
 * it prints last.
 */
export function runLoadGenerator<R>(script: string, port: number, options: Record<string, string | number | undefined>): R {
  return runGenerator<R>([process.execPath, join(root, 'bench/dist', script)], port, options, 'load generator');
}

/** Runs `command --port P --key value...` on CPU 1 and returns the JSON line it prints last. */
function runGenerator<R>(command: string[], port: number, options: Record<string, string | number | undefined>, label: string): R {
  const args = [...command, '--port', String(port)];
  for (const [key, value] of Object.entries(options)) if (value !== undefined) args.push(`--${key}`, String(value));
  const [cmd, ...rest] = pinned('1', args);
  const result = spawnSync(cmd!, rest, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${label} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as R;
}

/**
 * The native ping-pong load generator (bench/native/echo-load.c), built on
 * first use with the system's C compiler into .cache/bench; its path.
 * @throws Error in one line when it cannot be built (no compiler, not Linux).
 */
export function nativeLoadGenerator(): string {
  const source = join(root, 'bench/native/echo-load.c');
  const binary = join(root, '.cache/bench/echo-load');
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary;
  if (process.platform !== 'linux') throw new Error('--load native needs Linux (the generator uses epoll)');
  mkdirSync(dirname(binary), { recursive: true });
  const built = spawnSync(process.env.CC ?? 'cc', ['-O2', '-o', binary, source], { encoding: 'utf8' });
  if (built.error || built.status !== 0) {
    throw new Error(`--load native: cannot build ${source} with ${process.env.CC ?? 'cc'} (${built.error?.message ?? built.stderr.trim().split('\n')[0]})`);
  }
  return binary;
}

/** {@link runLoadGenerator} with the native ping-pong generator instead of node:net's. */
export function runNativeLoadGenerator<R>(port: number, options: Record<string, string | number | undefined>): R {
  return runGenerator<R>([nativeLoadGenerator()], port, options, 'native load generator');
}

/**
 * Starts `node.exe bench/dist/<script> <args>` under Wine on CPU 1: a client
 * of a named pipe, which only a process of the same Wine prefix can open.
 * Its output goes to .cache/<script>-wine.log.
 */
export async function spawnWineHelper(script: string, args: string[]): Promise<{ child: ChildProcess; output(): string }> {
  const tools = await wine();
  const nodeExe = tools.ensureWindowsNode();
  const logFile = join(root, '.cache', `${script.replace(/\.js$/, '')}-wine.log`);
  rmSync(logFile, { force: true });
  const child = tools.spawnWindowsNode(nodeExe, [join(root, 'bench/dist', script), ...args], { cwd: root, env: tools.wineEnv(nodeExe), logFile, cpu: '1', quiet: true });
  return { child, output: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') };
}

/** {@link runLoadGenerator} under Wine (see {@link spawnWineHelper}). */
export async function runWineLoadGenerator<R>(script: string, port: number, options: Record<string, string | number | undefined>): Promise<R> {
  const args = ['--port', String(port)];
  for (const [key, value] of Object.entries(options)) if (value !== undefined) args.push(`--${key}`, String(value));
  const { child, output } = await spawnWineHelper(script, args);
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
  if (code !== 0) throw new Error(`load generator failed under Wine (${code}): ${output()}`);
  return JSON.parse(output().trim().split('\n').pop()!) as R;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The median element of `values` by `key`. */
export const median = <T>(values: T[], key: (v: T) => number): T => [...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)]!;

/** A number with thousands separators and `digits` decimals. */
export const fmt = (n: unknown, digits = 0): string =>
  typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n);

/** scripts/lib/wine.mjs, as the bench uses it. */
export interface WineTools {
  ensureWine(): void;
  ensureWindowsNode(): string;
  wineEnv(nodeExe: string): NodeJS.ProcessEnv;
  ensurePrefix(env: NodeJS.ProcessEnv): void;
  spawnWindowsNode(nodeExe: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; cpu?: string; quiet?: boolean }): ChildProcess;
}

let wineTools: WineTools | null = null;

/** The Wine tools, with Wine, the Windows node.exe and the prefix set up (once). */
export async function wine(): Promise<WineTools> {
  if (wineTools) return wineTools;
  const tools = (await import(new URL('../../scripts/lib/wine.mjs', import.meta.url).href)) as WineTools;
  tools.ensureWine();
  tools.ensurePrefix(tools.wineEnv(tools.ensureWindowsNode()));
  wineTools = tools;
  return tools;
}

/** Waits until `probe` finds something in a child's output; fails if the child exits first. */
export async function waitFor<T>(what: string, probe: () => T | undefined, child: ChildProcess, output: () => string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = probe();
    if (found !== undefined) return found;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what}: the server exited:\n${output()}`);
    await sleep(100);
  }
  throw new Error(`${what}: timed out:\n${output()}`);
}

/**
 * A benchmarked server that printed `listening on <host>:<port>` (and
 * `pipe on <path>` when it serves a pipe too), or `listening on <path>`
 * when it serves a pipe only (its port is then 0).
 */
export interface BenchServer {
  /** `native` or `wine`. */
  platform: string;
  port: number;
  /** The pipe it serves, if any. */
  path?: string;
  child: ChildProcess;
  /** What it printed so far (the last 200 kB). */
  output(): string;
  /** Kills it; `gently` first asks with SIGTERM and, under Wine, waits for the wineserver to settle. */
  stop(gently?: boolean): Promise<void>;
}

/**
 * Starts `node <nodeArgs> bench/dist/<script> <args>` on CPU 0, natively or
 * under Wine (output to .cache/<script>-<variant>.log there), and resolves
 * once it prints its port. `quiet`: do not print the Wine command line.
 */
export async function startServer(platform: string, script: string, args: string[], nodeArgs: string[] = [], { quiet = false } = {}): Promise<BenchServer> {
  const serverArgs = [...nodeArgs, join(root, 'bench/dist', script), ...args];
  let child: ChildProcess;
  let output: () => string;
  const tools = platform === 'wine' ? await wine() : null;
  if (tools) {
    const nodeExe = tools.ensureWindowsNode();
    const logFile = join(root, '.cache', `${script.replace(/\.js$/, '')}-${args.join('_').replace(/[^a-z0-9]+/gi, '_')}.log`);
    rmSync(logFile, { force: true });
    child = tools.spawnWindowsNode(nodeExe, serverArgs, { cwd: root, env: tools.wineEnv(nodeExe), logFile, cpu: '0', quiet });
    output = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-200_000) : '');
  } else {
    const [cmd, ...rest] = pinned('0', [process.execPath, ...serverArgs]);
    child = spawn(cmd!, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out = (out + d).slice(-200_000)));
    output = () => out;
  }
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const stop = async (gently = false): Promise<void> => {
    if (gently) {
      child.kill('SIGTERM');
      for (let i = 0; i < 200 && !exited(); i++) await sleep(100);
    }
    if (!exited()) child.kill('SIGKILL');
    await new Promise((r) => (exited() ? r(null) : child.once('exit', r)));
    // A process killed with thousands of sockets open can leave the wineserver busy for the next one.
    if (gently && tools) spawnSync('wineserver', ['-w'], { env: tools.wineEnv(tools.ensureWindowsNode()), timeout: 120_000 });
  };
  try {
    const listening = await waitFor('server start', () => /listening on (\S+)/.exec(output())?.[1], child, output, 60_000);
    const port = Number(/:(\d+)$/.exec(listening)?.[1] ?? 0);
    const path = port > 0 ? /^pipe on (\S+)$/m.exec(output())?.[1] : listening;
    return { platform, port, ...(path !== undefined && { path }), child, output, stop };
  } catch (error) {
    await stop(true);
    throw error;
  }
}

/** One table row: a server on a platform in a scenario, with its median round. */
export interface Row<R> {
  platform: string;
  impl: string;
  scenario: string;
  result: R;
}

/**
 * Runs every scenario against `node` (shown as `nodeLabel`) and each backend
 * variant, on every platform, `rounds` times over. Every server of a
 * platform starts once and stays up; each round then runs one scenario on
 * all of them in turn, seconds apart, and reverses the order every other
 * round. So a drift of a shared machine's speed (the test VM's doubled within
 * minutes) hits the figures being compared alike, and no server is measured
 * cold after the first round. Returns one row per cell with its median round
 * by `figure`.
 */
export async function runRounds<S extends { name: string }, R>(options: {
  rounds: number;
  script: string;
  nodeLabel: string;
  scenarios: readonly S[];
  measure: (port: number, scenario: S, server: BenchServer) => R | Promise<R>;
  figure: (result: R, scenario: string) => number;
  /** Extra arguments for the server of `impl` on `platform` (e.g. a pipe of its own to serve too). */
  serverArgs?: (platform: string, impl: string) => string[];
  /** Whether `scenario` runs on `platform` (default: every one does). */
  runsOn?: (scenario: S, platform: string) => boolean;
  /** Servers of the script measured beside node's on every platform, by `--impl` name, with their table labels. */
  references?: ReadonlyArray<{ impl: string; label: string }>;
}): Promise<Array<Row<R>>> {
  const labels = new Map([['node', options.nodeLabel], ...(options.references ?? []).map(({ impl, label }) => [impl, label] as [string, string])]);
  const samples = new Map<string, R[]>();
  for (const platform of platforms) {
    const servers = new Map<string, BenchServer>();
    try {
      for (const impl of [...labels.keys(), ...backendVariants(platform)]) {
        servers.set(impl, await startServer(platform, options.script, [...implArgs(impl), ...(options.serverArgs?.(platform, impl) ?? [])]));
      }
      for (let round = 1; round <= options.rounds; round++) {
        const order = round % 2 === 1 ? [...servers] : [...servers].reverse();
        for (const scenario of options.scenarios) {
          if (options.runsOn && !options.runsOn(scenario, platform)) continue;
          for (const [impl, server] of order) {
            const result = await options.measure(server.port, scenario, server);
            const key = JSON.stringify([platform, labels.get(impl) ?? impl, scenario.name]);
            samples.set(key, [...(samples.get(key) ?? []), result]);
            console.error(`round ${round} ${platform} ${impl} ${scenario.name}: ${JSON.stringify(result)}`);
          }
        }
      }
    } finally {
      for (const server of servers.values()) await server.stop();
    }
  }
  return [...samples].map(([key, results]) => {
    const [platform, impl, scenario] = JSON.parse(key) as [string, string, string];
    return { platform, impl, scenario, result: median(results, (r) => options.figure(r, scenario)) };
  });
}
