#!/usr/bin/env node
// Prepares what the Windows suite needs (Wine, node.exe, one prefix per
// shard), in a process of its own: npm test starts it first and builds the
// code meanwhile. On a fresh clone this is a download and ~9 s per prefix
// (more on a busy machine), which used to wait for the build and then delay
// the Wine shards. The prefixes are made side by side.
//   prepare-wine.mjs PREFIX...      everything, then each prefix
//   prepare-wine.mjs --prefix NAME  one prefix (node.exe already fetched)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensurePrefix, ensureWindowsNode, ensureWine, wineEnv } from './wine.mjs';

const args = process.argv.slice(2);
if (args[0] === '--prefix') {
  ensurePrefix(wineEnv(ensureWindowsNode(), args[1]));
} else {
  ensureWine();
  ensureWindowsNode();
  const codes = await Promise.all(
    args.map(
      (prefix) =>
        new Promise((resolve) => {
          const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--prefix', prefix], { stdio: 'inherit' });
          child.on('exit', (code) => resolve(code ?? 1));
        }),
    ),
  );
  process.exit(codes.find((code) => code !== 0) ?? 0);
}
