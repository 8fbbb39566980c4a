/**
 * Splits the test files between shards by their expected time, not by
 * count: `npm test` runs the Windows suite in one shard per CPU, and
 * vitest's own split (by a hash of the path) put 433 s in one shard and
 * 325 s in the other. Files are dealt heaviest first, each to the shard
 * with the least time so far.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds a file takes in the Windows suite under Wine, by kind (measured
 * 2026-12-03 on a 2-core VM, one shard per CPU); files not listed take a
 * few seconds.
 */
const EXPECTED_SECONDS: ReadonlyArray<readonly [RegExp, number]> = [
  [/\/backend-[a-z]+\/test\/(win32\/)?conformance[^/]*\.test\.ts$/, 60],
  [/\/bench\/test\/tour\.test\.ts$/, 50],
  [/\/examples\/test\/hostile\.test\.ts$/, 30],
  [/\/backend-overlapped\/test\/win32\/overlapped\.test\.ts$/, 22],
  [/\/net\/test\/(win32\/)?conformance[^/]*\.test\.ts$/, 16],
  [/\/examples\/test\/service\.test\.ts$/, 16],
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
    return mine;
  }
}
