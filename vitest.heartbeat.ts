/**
 * A reporter that only marks time: each finished test rewrites the file
 * named by WSALOOP_HEARTBEAT. scripts/lib/wine.mjs stops a Wine shard when
 * neither its log nor this file changed for its stall limit. The log alone
 * changes once per file (the longest takes ~100 s), which kept that limit at
 * 5 minutes; a single test takes at most ~30 s under Wine.
 */
import { writeFileSync } from 'node:fs';
import type { Reporter, TestCase } from 'vitest/node';

/** Writes the time to `file` whenever a test ends. */
export class Heartbeat implements Reporter {
  constructor(private readonly file: string) {}

  onTestCaseResult(_test: TestCase): void {
    writeFileSync(this.file, String(Date.now()));
  }
}
