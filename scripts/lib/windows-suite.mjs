// The Windows suite's shards under Wine, with a second chance for the two
// ways a run there can end that are not a test's failure (see runShard).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { cacheDir, root } from './setup.mjs';
import { runWindowsNode, STALLED } from './wine.mjs';

/**
 * How long a shard may finish no test before it counts as stalled (see
 * vitest.heartbeat.ts): a single test takes at most ~30 s under Wine (the
 * tour's).
 */
const STALL_MS = Number(process.env.WSALOOP_WINE_STALL_MS ?? 2 * 60_000);

/**
 * The one crash a Windows test process may have that is not ours: Node on
 * Windows can abort while an isolate shuts down (a Worker's, or the
 * process's at exit), when a V8 background thread posts a task to it just
 * as its async handle closes (nodejs/node#56645; seen once in ~10 full runs,
 * after a file whose tests had all passed).
 */
const NODE_TEARDOWN_CRASH = /Assertion failed: !\(handle->flags & UV_HANDLE_CLOSING\), file \S*async\.c/;

/**
 * How vitest reports a test process that died under it: with every file of
 * a shard in one process, its parent only sees the IPC channel close (a
 * forced page fault in a test reproduces exactly this, with no summary and
 * no failed file named).
 */
const TEST_PROCESS_DIED = /ERR_IPC_CHANNEL_CLOSED|Worker exited unexpectedly/;

/** What a dying process leaves in the log: Wine's fault report, a C runtime assertion, V8's fatal errors. */
const DEATH_NOTICES = /^(?:wine: Unhandled|Assertion failed:|FATAL ERROR:|# Fatal error).*$/gm;

/**
 * Runs shard `i` of `shards` of the Windows suite (only the files matching
 * `filters`, when given), and once more the files it did not finish when it
 * ended in one of two ways that are not a test's failure:
 * - Now and then (3 full runs in about 14, each time in
 *   packages/net/test/win32/conformance-asyncselect.test.ts) a test process
 *   under Wine stops with every thread idle: vitest's parent waits on the
 *   child without a deadline, the child's loop has no timer left
 *   (GetQueuedCompletionStatusEx with a 49-day timeout), so no test timeout
 *   can fire and the suite would hang until CI's limit. A shard that
 *   finishes no test and prints nothing for STALL_MS is stopped.
 * - The test process died ({@link TEST_PROCESS_DIED}): of
 *   {@link NODE_TEARDOWN_CRASH}, or of a cause the log names in
 *   {@link DEATH_NOTICES}, printed here so that it is seen, not only kept in
 *   the log (one CI run died so, in a shard that passes alone and in full
 *   runs here; its cause was in a log nobody could read).
 * A test that failed is never run again, and a second stall or death fails
 * the suite.
 */
export async function runShard(nodeExe, env, i, shards, filters = []) {
  const vitest = join(root, 'node_modules/vitest/vitest.mjs');
  const shard = shards > 1 ? [`--shard=${i}/${shards}`] : [];
  const logFile = join(cacheDir, shards > 1 ? `windows-suite-${i}.log` : 'windows-suite.log');
  const label = shards > 1 ? `[windows ${i}/${shards}] ` : '';
  // The sequencer records the shard's files here, the heartbeat reporter the time a test last ended
  // (vitest.sequencer.ts, vitest.heartbeat.ts).
  const shardFiles = join(cacheDir, `windows-suite-${i}-files.log`);
  const heartbeatFile = join(cacheDir, `windows-suite-${i}-heartbeat`);
  for (const file of [shardFiles, heartbeatFile]) rmSync(file, { force: true });
  const options = {
    cwd: root,
    env: { ...env, WSALOOP_HEARTBEAT: heartbeatFile },
    cpu: String((i - 1) % availableParallelism()),
    label: label || undefined,
    stallMs: STALL_MS,
    heartbeatFile,
  };
  const code = await runWindowsNode(nodeExe, [vitest, 'run', ...shard, ...filters], { ...options, env: { ...options.env, WSALOOP_SHARD_FILES: shardFiles }, logFile });
  if (code === 0) return { code, logFile };
  const log = readFileSync(logFile, 'utf8').replaceAll(/\x1b\[[0-9;]*m/g, '');
  const died = TEST_PROCESS_DIED.test(log) || NODE_TEARDOWN_CRASH.test(log);
  if (code !== STALLED && !died) return { code, logFile };
  const notices = [...new Set(log.match(DEATH_NOTICES) ?? [])];
  for (const notice of notices) console.error(`${label}The test process left: ${notice}`);
  // A failed test, or a file with one (not a stack frame, which vitest also marks ❯).
  if (/^ (?:× |❯ \S+\.test\.ts )/m.test(log)) return { code: 1, logFile };
  const passed = new Set([...log.matchAll(/^ ✓ (\S+\.test\.ts)/gm)].map((m) => m[1]));
  // Unsharded, the sequencer records nothing: every file (of the filters) is the run's.
  if (shards === 1) await runWindowsNode(nodeExe, [vitest, 'list', '--filesOnly', ...filters], { ...options, logFile: shardFiles, label: undefined, quiet: true, stallMs: undefined });
  // Sharded but stopped before the sequencer ran: the whole shard runs again.
  const files = existsSync(shardFiles) ? readFileSync(shardFiles, 'utf8').split('\n').map((line) => line.trim().replaceAll('\\', '/')).filter((f) => f.endsWith('.test.ts')) : null;
  const left = files ? files.filter((f) => !passed.has(f)) : [...shard, ...filters];
  const why =
    code === STALLED
      ? `No test ended and nothing was printed for ${STALL_MS / 1000} s: stopped.`
      : NODE_TEARDOWN_CRASH.test(log)
        ? 'A test process crashed as Node on Windows sometimes does when an isolate shuts down (nodejs/node#56645).'
        : `The test process died${notices.length ? ' (above)' : ', leaving no notice'}.`;
  if (left.length === 0) {
    console.error(`\n${label}${why} Every file had passed.`);
    return { code: code === STALLED || files?.length === 0 ? 1 : 0, logFile };
  }
  console.error(`\n${label}${why} Running ${files ? `the ${left.length} file(s) that did not pass` : 'the shard'} once more: ${left.join(' ')}`);
  const retryLog = logFile.replace(/\.log$/, '-retry.log');
  const retry = await runWindowsNode(nodeExe, [vitest, 'run', ...left], { ...options, logFile: retryLog });
  if (retry === STALLED) console.error(`\n${label}Stalled again.`);
  return { code: retry, logFile: retryLog };
}
