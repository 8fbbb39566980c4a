// The Windows suite's shards under Wine, with a watchdog for the one way a
// run can hang there (see runShard).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { cacheDir, root } from './setup.mjs';
import { runWindowsNode, STALLED } from './wine.mjs';

/** How long a shard may print nothing before it counts as stalled. */
const STALL_MS = Number(process.env.WSALOOP_WINE_STALL_MS ?? 5 * 60_000);

/**
 * Runs shard `i` of `shards` of the Windows suite (only the files matching
 * `filters`, when given). Now and then (2 full runs in about 8, both times
 * in packages/net/test/win32/conformance-asyncselect.test.ts) a test
 * process under Wine stops with every thread idle: vitest's parent
 * waits on the child without a deadline, the child's loop has no timer
 * left (GetQueuedCompletionStatusEx with a 49-day timeout), so no test
 * timeout can fire and the suite would hang until CI's limit. A shard whose
 * log stays the same for STALL_MS is stopped, and the files it had not
 * finished run once more; a second stall fails the suite. No single file
 * goes quiet for long: the longest takes ~75 s under Wine.
 */
export async function runShard(nodeExe, env, i, shards, filters = []) {
  const vitest = join(root, 'node_modules/vitest/vitest.mjs');
  const shard = shards > 1 ? [`--shard=${i}/${shards}`] : [];
  const logFile = join(cacheDir, shards > 1 ? `windows-suite-${i}.log` : 'windows-suite.log');
  const label = shards > 1 ? `[windows ${i}/${shards}] ` : '';
  const options = { cwd: root, env, cpu: String((i - 1) % availableParallelism()), label: label || undefined, stallMs: STALL_MS };
  const code = await runWindowsNode(nodeExe, [vitest, 'run', ...shard, ...filters], { ...options, logFile });
  if (code !== STALLED) return { code, logFile };
  const log = readFileSync(logFile, 'utf8').replaceAll(/\x1b\[[0-9;]*m/g, '');
  if (/^ (×|❯) /m.test(log)) return { code: 1, logFile };
  const finished = new Set([...log.matchAll(/^ ✓ (\S+\.test\.ts)/gm)].map((m) => m[1]));
  const listFile = join(cacheDir, `windows-suite-${i}-files.log`);
  await runWindowsNode(nodeExe, [vitest, 'list', '--filesOnly', ...shard, ...filters], { ...options, logFile: listFile, label: undefined, quiet: true, stallMs: undefined });
  const files = readFileSync(listFile, 'utf8').split('\n').map((line) => line.trim().replaceAll('\\', '/')).filter((f) => f.endsWith('.test.ts'));
  const left = files.filter((f) => !finished.has(f));
  console.error(`\n${label}No output for ${STALL_MS / 60_000} minutes: stopped. Running the ${left.length} unfinished file(s) once more: ${left.join(' ')}`);
  if (left.length === 0) return { code: 1, logFile };
  const retryLog = logFile.replace(/\.log$/, '-retry.log');
  const retry = await runWindowsNode(nodeExe, [vitest, 'run', ...left], { ...options, logFile: retryLog });
  if (retry === STALLED) console.error(`\n${label}Stalled again.`);
  return { code: retry, logFile: retryLog };
}
