/**
 * Splits the test files between shards by their expected time, not by
 * count: `npm test` runs the Windows suite in one shard per CPU, and
 * vitest's own split (by a hash of the path) put 433 s in one shard and
 * 325 s in the other. Files are dealt heaviest first, each to the shard
 * with the least time so far.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds a file takes in the Windows suite under Wine (about the mean of
 * two fresh-clone `npm test` runs on 2026-12-05, 2-core VM: two shards,
 * every file of a shard in one process, the native suite beside them; the
 * same file varies by 10-50% between runs, the routine one most: 88 to
 * 141 s). The first pattern that matches counts, and files not listed take
 * a few seconds. What matters is their proportions: every file slows alike
 * when the machine is busier. (With the estimates of 2026-12-04, one run put
 * 545 s of files in one shard and 461 s in the other. A third fresh run on
 * 2026-12-05 put 531 s against 446 s: the examples' pipe and http-server
 * files took 54 and 46 s beside the native suite, not 31 and 26, and the
 * service file 58, not 85; their figures are now between the runs, which
 * would have split that run 499 s to 497 s.)
 */
const EXPECTED_SECONDS: ReadonlyArray<readonly [RegExp, number]> = [
  [/\/backend-overlapped\/test\/win32\/conformance-routine\.test\.ts$/, 126],
  [/\/examples\/test\/service\.test\.ts$/, 70],
  [/\/backend-asyncselect\/test\/win32\/conformance\.test\.ts$/, 73],
  [/\/backend-eventselect\/test\/win32\/conformance\.test\.ts$/, 70],
  [/\/backend-select\/test\/conformance\.test\.ts$/, 64],
  [/\/backend-iocp\/test\/win32\/conformance\.test\.ts$/, 55],
  [/\/backend-overlapped\/test\/win32\/conformance-event\.test\.ts$/, 52],
  [/\/examples\/test\/hostile\.test\.ts$/, 55],
  // Only the groups zero-byte reads change.
  [/\/backend-iocp\/test\/win32\/conformance-zero-byte\.test\.ts$/, 24],
  [/\/backend-[a-z]+\/test\/(win32\/)?conformance[^/]*\.test\.ts$/, 60],
  [/\/net\/test\/win32\/conformance-overlapped-routine\.test\.ts$/, 38],
  // One model on Windows (see the test).
  [/\/bench\/test\/tour\.test\.ts$/, 34],
  [/\/net\/test\/win32\/conformance-overlapped-event\.test\.ts$/, 32],
  [/\/examples\/test\/pipe\.test\.ts$/, 42],
  [/\/net\/test\/win32\/conformance-eventselect\.test\.ts$/, 30],
  [/\/net\/test\/win32\/conformance-asyncselect\.test\.ts$/, 29],
  [/\/net\/test\/conformance\.test\.ts$/, 28],
  [/\/examples\/test\/http-server\.test\.ts$/, 36],
  [/\/net\/test\/win32\/conformance-iocp-zero-byte\.test\.ts$/, 22],
  [/\/net\/test\/(win32\/)?conformance[^/]*\.test\.ts$/, 21],
  [/\/backend-overlapped\/test\/win32\/overlapped\.test\.ts$/, 20],
  [/\/backend-eventselect\/test\/win32\/eventselect\.test\.ts$/, 11],
  [/\/examples\/test\/help\.test\.ts$/, 9],
  [/\/backend-asyncselect\/test\/win32\/asyncselect\.test\.ts$/, 9],
  [/\/examples\/test\/readme-example\.test\.ts$/, 7],
  [/\/backend-overlapped\/test\/win32\/start-failures\.test\.ts$/, 7],
  [/\/backend-select\/test\/wake-ups\.test\.ts$/, 6],
];
const OTHER_SECONDS = 3;

const expectedSeconds = (spec: TestSpecification): number =>
  EXPECTED_SECONDS.find(([pattern]) => pattern.test(spec.moduleId.replaceAll('\\', '/')))?.[1] ?? OTHER_SECONDS;

/** Vitest's sequencer with a time-balanced `--shard`. */
export class BalancedSequencer extends BaseSequencer {
  override async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { index, count } = this.ctx.config.shard!;
    const load = new Array<number>(count).fill(0);
    const mine: TestSpecification[] = [];
    const heaviestFirst = [...files].sort((a, b) => expectedSeconds(b) - expectedSeconds(a) || (a.moduleId < b.moduleId ? -1 : 1));
    for (const spec of heaviestFirst) {
      const lightest = load.indexOf(Math.min(...load));
      load[lightest]! += expectedSeconds(spec);
      if (lightest === index - 1) mine.push(spec);
    }
    // The shard's files, for scripts/lib/windows-suite.mjs to know which did
    // not finish when its test process stalls or dies (`vitest list`
    // ignores --shard).
    const record = process.env.WSALOOP_SHARD_FILES;
    if (record) writeFileSync(record, mine.map((spec) => relative(this.ctx.config.root, spec.moduleId).replaceAll('\\', '/')).join('\n'));
    return mine;
  }
}
