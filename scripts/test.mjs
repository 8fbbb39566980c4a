#!/usr/bin/env node
// `npm test`: sets everything up, then runs every test, side by side: the
// type checks and the API docs build (no warnings allowed); the native suite
// on Linux (epoll, io_uring, select over poll, the in-memory backends); and the
// Windows build of every Winsock backend under Wine's node.exe against
// Wine's real ws2_32.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runInBackground } from './lib/process.mjs';
import { cacheDir, declarationsCommand, ensurePnpm, root, setup } from './lib/setup.mjs';
import { ensureWindowsNode, ensureWine, wineEnv } from './lib/wine.mjs';
import { runShard } from './lib/windows-suite.mjs';

const only = process.argv[2]; // optional: 'linux' or 'windows'

// The server-pool tests run 4 loops that each wait on a thread of libuv's
// pool (select, iocp): the default 4 threads would leave none for anything
// else. Node reads this once at start, so it is set for the test processes.
process.env.UV_THREADPOOL_SIZE ??= '16';

// Soak tests run 30% of their repetitions (cycles, connections, bytes, child
// processes; see SOAK_SCALE in packages/core/conformance/context.ts), in both
// suites: they run side by side on two CPUs, and the native suite's full
// counts took the Wine shards' CPU (shards 442/462 s alone, 677/707 s beside
// it). WSALOOP_SOAK_SCALE=1 runs them all.
process.env.WSALOOP_SOAK_SCALE ??= '0.3';

/** Wine shards: one per CPU, at most 2 (see below). */
const shards = Math.max(1, Number(process.env.WSALOOP_WINE_SHARDS ?? Math.min(2, availableParallelism())));

/** Wine prefixes, one per shard. */
const prefixes = Array.from({ length: shards }, (_, i) => (i === 0 ? 'wine-prefix' : `wine-prefix-${i + 1}`));
// Wine, node.exe and the prefixes are prepared while the code builds (see
// scripts/lib/prepare-wine.mjs). Installing Wine through sudo may ask for a
// password, so that one step stays in the foreground.
if (only !== 'linux' && process.getuid?.() !== 0) ensureWine();
mkdirSync(cacheDir, { recursive: true });
const wineLog = join(cacheDir, 'prepare-wine.log');
const wineReady = only === 'linux' ? Promise.resolve(0) : runInBackground(process.execPath, [join(root, 'scripts/lib/prepare-wine.mjs'), ...prefixes], wineLog, { cwd: root });

// The code first: the suites run it. Its declarations (what users compile
// against) are built beside them, in the background job below.
setup({ declarations: false });

// Everything runs side by side once the code is built: the declarations,
// then the type checks and the API docs; the native suite; and (once Wine is
// prepared) the Windows shards. None waits on another's result, and the Wine shards leave their
// CPUs partly idle (wineserver round trips), which the others fill. Native
// output is unlabelled; Windows lines start with [windows i/n].
const checksLog = join(cacheDir, 'checks.log');
const pnpmCommand = `'${process.execPath}' '${ensurePnpm()}'`;
// One type-check program over every package's sources and tests
// (tsconfig.check.json: 14 s of CPU, against 70 s for a tsc per package);
// the declarations are built all the same, as what users compile against.
const checks = runInBackground('sh', ['-c', `${declarationsCommand()} && ${pnpmCommand} run typecheck && ${pnpmCommand} exec typedoc --emit none --treatWarningsAsErrors`], checksLog, { cwd: root });
const native = only === 'windows' ? Promise.resolve(0) : runNative(only !== 'linux');
const windows = only === 'linux' ? Promise.resolve([]) : runWindowsSuite(prepareWine());
const [checksCode, nativeCode, windowsResults] = await Promise.all([checks, native, windows]);
if (checksCode !== 0) {
  process.stdout.write(readFileSync(checksLog));
  console.error(`\nType checks or the API docs failed (exit ${checksCode}); log in ${checksLog}`);
} else {
  console.log('\nType checks and API docs: clean.');
}
if (nativeCode !== 0) console.error(`\nLinux-native suite failed (exit ${nativeCode})`);
const failed = windowsResults.filter((r) => r.code !== 0);
for (const { code, logFile } of failed) console.error(`\nWindows suite failed (exit ${code}); full log in ${logFile}`);
const firstFailure = [checksCode, nativeCode, ...failed.map((r) => r.code)].find((code) => code !== 0);
if (firstFailure !== undefined) process.exit(firstFailure);
console.log('\nAll suites passed.');

/**
 * The native suite; beside the Wine shards, one file at a time: the shards
 * are the longest part of the run, and a second native worker took CPU from
 * them (npm test 10 min 8 s with two, the native suite itself 262 s, well
 * within the shards' 500).
 */
function runNative(besideWindows) {
  console.log('\n=== Linux-native suite ===');
  const workers = besideWindows ? ['--maxWorkers=1', '--minWorkers=1'] : [];
  const child = spawn(process.execPath, [ensurePnpm(), 'exec', 'vitest', 'run', ...workers], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

/** Waits for the Wine preparation started at the beginning; its node.exe and one environment per shard. */
async function prepareWine() {
  const code = await wineReady;
  if (code !== 0) {
    process.stdout.write(readFileSync(wineLog));
    console.error(`\nPreparing Wine failed (exit ${code}); log in ${wineLog}`);
    process.exit(code);
  }
  const nodeExe = ensureWindowsNode();
  return { nodeExe, envs: prefixes.map((prefix) => wineEnv(nodeExe, prefix)) };
}

/** Runs every Windows shard; resolves with each shard's exit code and log. */
async function runWindowsSuite(preparing) {
  const wine = await preparing;
  // Wine runs each suite on one CPU (see spawnWindowsNode): the test files
  // are split into one shard per CPU, each under a Wine prefix (and so a
  // wineserver) of its own. On this 2-core machine that halves the suite's
  // time (11.6 minutes in one shard).
  console.log(`\n=== Windows suite under Wine (${shards} shard${shards > 1 ? 's' : ''}) ===`);
  return Promise.all(wine.envs.map((env, at) => runShard(wine.nodeExe, env, at + 1, shards)));
}

