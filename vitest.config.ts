import { defineConfig } from 'vitest/config';
import { Heartbeat } from './vitest.heartbeat.js';
import { BalancedSequencer } from './vitest.sequencer.js';

// Windows-only suites live under test/win32/ and run only on Windows (under
// Wine on Linux machines), Linux-only ones under test/linux/; everything else
// runs on both platforms.
const windowsOnly = 'packages/*/test/win32/**/*.test.ts';
const linuxOnly = 'packages/*/test/linux/**/*.test.ts';
// The memory-backend suites test the loop, not a socket stack: Wine would
// only run them slower, and their network speaks POSIX errno.
const memoryBackend = 'packages/*/test/memory/**/*.test.ts';
const slow = process.platform === 'win32' ? 4 : 1;

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    exclude: process.platform === 'win32' ? [linuxOnly, memoryBackend] : [windowsOnly],
    testTimeout: 30_000 * slow,
    hookTimeout: 30_000 * slow,
    // Under Wine, one file at a time: each shard is pinned to one CPU (see
    // scripts/lib/wine.mjs). Natively, two files at a time: every test binds
    // port 0, and on this 2-core machine the suite took 89 s instead of 132 s.
    fileParallelism: process.platform !== 'win32',
    maxWorkers: process.platform === 'win32' ? 1 : 2,
    minWorkers: 1,
    pool: 'forks',
    // Under Wine, every file in one process: a fresh node.exe per file cost
    // ~1.7 s of start-up and module loading (8 small files: 20.9 s isolated,
    // 7.3 s not). Nothing a file leaves behind may reach the next: test
    // helpers register their clean-up with the test, not at module level.
    isolate: process.platform !== 'win32',
    reporters: ['default', ...(process.env.WSALOOP_HEARTBEAT ? [new Heartbeat(process.env.WSALOOP_HEARTBEAT)] : [])],
    sequence: { sequencer: BalancedSequencer },
  },
});
