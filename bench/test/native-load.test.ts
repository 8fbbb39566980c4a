/**
 * `--load native`: the echo bench drives TCP ping-pong with its generator in
 * C (built with the system's compiler on first use) and still reads every
 * server's figures. Linux only, and only where a C compiler is installed.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const compiler = process.env.CC ?? 'cc';
const hasCompiler = process.platform === 'linux' && spawnSync('sh', ['-c', `command -v ${compiler}`], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasCompiler)('bench/dist/bench.js --load native', () => {
  it('measures node:net and an epoll server with the native generator, every round trip answered', () => {
    const bench = fileURLToPath(new URL('../dist/bench.js', import.meta.url));
    const args = ['--load', 'native', '--platform', 'native', '--backends', 'epoll', '--scenarios', '2', '--rounds', '1', '--duration', '400', '--warmup', '200'];
    const result = spawnSync(process.execPath, [bench, ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('TCP ping-pong driven by the native generator');
    // Each round's JSON line (on stderr) comes from the generator: all 50 connected and served, none failed.
    const rounds = result.stderr.split('\n').filter((line) => line.startsWith('round 1 native'));
    expect(rounds).toHaveLength(2);
    for (const line of rounds) {
      const figures = JSON.parse(line.slice(line.indexOf('{'))) as Record<string, number>;
      expect(figures).toMatchObject({ connections: 50, connected: 50, served: 50, failedRoundTrips: 0 });
      expect(figures.roundTripsPerSec).toBeGreaterThan(0);
    }
  });
});
