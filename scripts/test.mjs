#!/usr/bin/env node
// `npm test`: sets everything up, then runs every test. First natively on
// Linux (the select backend over poll), then the Windows build of every
// Winsock backend under Wine's node.exe against Wine's real ws2_32. Also
// checks types and that the API docs build without warnings.
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
  console.log('\n=== Windows suite under Wine ===');
  ensureWine();
  const nodeExe = ensureWindowsNode();
  const env = wineEnv(nodeExe);
  ensurePrefix(env);
  const code = await runWindowsNode(nodeExe, [join(root, 'node_modules/vitest/vitest.mjs'), 'run'], {
    cwd: root,
    env,
    logFile: join(cacheDir, 'windows-suite.log'),
  });
  if (code !== 0) {
    console.error(`\nWindows suite failed (exit ${code}); full log in .cache/windows-suite.log`);
    process.exit(code);
  }
}
console.log('\nAll suites passed.');
