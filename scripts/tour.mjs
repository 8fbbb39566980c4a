#!/usr/bin/env node
// `npm run tour`: sets everything up as the test command does (dependencies,
// build; on Linux also Wine and the Windows node.exe), then runs the seven
// model servers side by side (bench/src/tour.ts) and writes tour-report/.
// Flags go to the tour, e.g. `npm run tour -- --models select,iocp`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, setup } from './lib/setup.mjs';
import { ensurePrefix, ensureWindowsNode, ensureWine, wineEnv } from './lib/wine.mjs';

setup();
if (process.platform !== 'win32') {
  ensureWine();
  ensurePrefix(wineEnv(ensureWindowsNode()));
}
const tour = spawnSync(process.execPath, [join(root, 'bench/dist/tour.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(tour.status ?? 1);
