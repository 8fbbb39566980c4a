#!/usr/bin/env node
// `npm test`: sets everything up, then runs every test. First natively on
// Linux (the select backend over poll, and the in-memory backends), beside
// the type checks and the API docs build (no warnings allowed); then the
// Windows build of every Winsock backend under Wine's node.exe against
// Wine's real ws2_32.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runInBackground } from './lib/process.mjs';
import { cacheDir, ensurePnpm, root, setup } from './lib/setup.mjs';
import { ensurePrefix, ensureWindowsNode, ensureWine, wineEnv } from './lib/wine.mjs';
import { runShard } from './lib/windows-suite.mjs';

const only = process.argv[2]; // optional: 'linux' or 'windows'

// The server-pool tests run 4 loops that each wait on a thread of libuv's
// pool (select, iocp): the default 4 threads would leave none for anything
// else. Node reads this once at start, so it is set for the test processes.
process.env.UV_THREADPOOL_SIZE ??= '16';

/** Wine shards: one per CPU, at most 2 (see below). */
const shards = Math.max(1, Number(process.env.WSALOOP_WINE_SHARDS ?? Math.min(2, availableParallelism())));

setup();

// Type checks and the API docs build beside the native suite, which leaves
// a core mostly idle; the Wine setup (on a fresh machine: packages, node.exe,
// prefixes) overlaps with both. On this 2-core machine that takes ~40 s
// off the run.
const checksLog = join(cacheDir, 'checks.log');
const pnpmCommand = `'${process.execPath}' '${ensurePnpm()}'`;
const checks = runInBackground('sh', ['-c', `${pnpmCommand} -r run typecheck && ${pnpmCommand} exec typedoc --emit none --treatWarningsAsErrors`], checksLog, { cwd: root });
const native = only === 'windows' ? Promise.resolve(0) : runNative();
const wine = only === 'linux' ? null : prepareWine();
const [checksCode, nativeCode] = await Promise.all([checks, native]);
if (checksCode !== 0) {
  process.stdout.write(readFileSync(checksLog));
  console.error(`\nType checks or the API docs failed (exit ${checksCode}); log in ${checksLog}`);
  process.exit(checksCode);
}
console.log('\nType checks and API docs: clean.');
if (nativeCode !== 0) {
  console.error(`\nLinux-native suite failed (exit ${nativeCode})`);
  process.exit(nativeCode);
}

function runNative() {
  console.log('\n=== Linux-native suite ===');
  const child = spawn(process.execPath, [ensurePnpm(), 'exec', 'vitest', 'run'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

function prepareWine() {
  ensureWine();
  const nodeExe = ensureWindowsNode();
  const envs = [];
  for (let i = 1; i <= shards; i++) {
    const env = wineEnv(nodeExe, i === 1 ? 'wine-prefix' : `wine-prefix-${i}`);
    ensurePrefix(env);
    envs.push(env);
  }
  return { nodeExe, envs };
}

if (wine) {
  // Wine runs each suite on one CPU (see spawnWindowsNode): the test files
  // are split into one shard per CPU, each under a Wine prefix (and so a
  // wineserver) of its own. On this 2-core machine that halves the suite's
  // time (11.6 minutes in one shard).
  console.log(`\n=== Windows suite under Wine (${shards} shard${shards > 1 ? 's' : ''}) ===`);
  const runs = wine.envs.map((env, at) => runShard(wine.nodeExe, env, at + 1, shards));
  const failed = (await Promise.all(runs)).filter((r) => r.code !== 0);
  for (const { code, logFile } of failed) console.error(`\nWindows suite failed (exit ${code}); full log in ${logFile}`);
  if (failed.length > 0) process.exit(failed[0].code);
}
console.log('\nAll suites passed.');

