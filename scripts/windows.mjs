#!/usr/bin/env node
// Runs the Windows build of Node.js under Wine with the given arguments, for
// development: `node scripts/windows.mjs node_modules/vitest/vitest.mjs run packages/net`
// runs one part of the Windows suite; `node scripts/windows.mjs examples/...js`
// runs an example. Sets up Wine and node.exe the way the test command does,
// but builds nothing. Output goes to .cache/windows-run.log and is echoed.
import { join } from 'node:path';
import { cacheDir, root } from './lib/setup.mjs';
import { ensurePrefix, ensureWindowsNode, ensureWine, runWindowsNode, wineEnv } from './lib/wine.mjs';

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error('usage: node scripts/windows.mjs <script> [args...]');
  process.exit(2);
}
ensureWine();
const nodeExe = ensureWindowsNode();
const env = wineEnv(nodeExe);
ensurePrefix(env);
const logFile = process.env.WSALOOP_WINE_LOG ?? join(cacheDir, 'windows-run.log');
process.exit(await runWindowsNode(nodeExe, args, { cwd: root, env, logFile }));
