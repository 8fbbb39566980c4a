/**
 * Every bench script answers `--help` with its usage, and refuses a flag it
 * does not know (exit 2) before it starts a single server: a typo must not
 * cost minutes of benchmark run on the defaults. Natively only: the flag
 * handling is the same JavaScript under Wine, where ten node.exe starts
 * would cost the suite's budget seconds for nothing.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const scripts = ['bench', 'http-bench', 'memory', 'reliability', 'tour'];
const run = (script: string, args: string[]) =>
  spawnSync(process.execPath, [fileURLToPath(new URL(`../dist/${script}.js`, import.meta.url)), ...args], { encoding: 'utf8', timeout: 30_000 });

describe.skipIf(process.platform === 'win32').each(scripts)('bench/dist/%s.js', (script) => {
  it('prints its usage for --help and exits 0', () => {
    const result = run(script, ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`node bench/dist/${script}.js`);
  });

  it('refuses an unknown flag with exit 2, naming it, before running anything', () => {
    const result = run(script, ['--rouds', '1']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^unknown flag: --rouds\n/);
    expect(result.stdout).toBe('');
  });
});
