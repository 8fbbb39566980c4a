#!/usr/bin/env node
// `npm test`: sets everything up, then runs every test. First natively on
// Linux (the select backend over poll), then the Windows build of every
// Winsock backend under Wine's node.exe against Wine's real ws2_32. Also
// checks types and that the API docs build without warnings.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { cacheDir, pnpm, root, setup } from './lib/setup.mjs';
import { ensurePrefix, ensureWindowsNode, ensureWine, runWindowsNode, wineEnv } from './lib/wine.mjs';

const only = process.argv[2]; // optional: 'linux' or 'windows'

// The server-pool tests run 4 loops that each wait on a thread of libuv's
// pool (select, iocp): the default 4 threads would leave none for anything
// else. Node reads this once at start, so it is set for the test processes.
process.env.UV_THREADPOOL_SIZE ??= '16';

setup();
pnpm(['-r', 'run', 'typecheck']);
pnpm(['exec', 'typedoc', '--emit', 'none', '--treatWarningsAsErrors']);

if (only !== 'windows') {
  console.log('\n=== Linux-native suite ===');
  pnpm(['exec', 'vitest', 'run']);
}

if (only !== 'linux') {
  // Wine runs each suite on one CPU (see spawnWindowsNode): the test files
  // are split into one shard per CPU, each under a Wine prefix (and so a
  // wineserver) of its own. On this 2-core machine that halves the suite's
  // time (11.6 minutes in one shard).
  const shards = Math.max(1, Number(process.env.WSALOOP_WINE_SHARDS ?? Math.min(2, availableParallelism())));
  console.log(`\n=== Windows suite under Wine (${shards} shard${shards > 1 ? 's' : ''}) ===`);
  ensureWine();
  const nodeExe = ensureWindowsNode();
  const runs = [];
  for (let i = 1; i <= shards; i++) {
    const env = wineEnv(nodeExe, i === 1 ? 'wine-prefix' : `wine-prefix-${i}`);
    ensurePrefix(env);
    const shard = shards > 1 ? [`--shard=${i}/${shards}`] : [];
    const logFile = join(cacheDir, shards > 1 ? `windows-suite-${i}.log` : 'windows-suite.log');
    const label = shards > 1 ? `[windows ${i}/${shards}] ` : undefined;
    const run = runWindowsNode(nodeExe, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...shard], { cwd: root, env, logFile, cpu: String((i - 1) % availableParallelism()), label });
    runs.push(run.then((code) => ({ code, logFile })));
  }
  const failed = (await Promise.all(runs)).filter((r) => r.code !== 0);
  for (const { code, logFile } of failed) console.error(`\nWindows suite failed (exit ${code}); full log in ${logFile}`);
  if (failed.length > 0) process.exit(failed[0].code);
}
console.log('\nAll suites passed.');
