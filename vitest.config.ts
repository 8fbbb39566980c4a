import { defineConfig } from 'vitest/config';
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
    // Socket-heavy suites share the machine's ports and cores; one file at a time.
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default'],
    sequence: { sequencer: BalancedSequencer },
  },
});
