/**
 * The bench's rounds (`runRounds`): every server starts once and stays up,
 * each round runs a scenario on all of them in turn, and every other round
 * reverses the order, so figures that are compared are taken seconds apart.
 * Linux only (the pipe scenario runs over Unix domain sockets).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe.skipIf(process.platform !== 'linux')('bench/dist/bench.js rounds', () => {
  it('measures the servers of each scenario side by side, in alternating order, over TCP and a pipe', () => {
    const bench = fileURLToPath(new URL('../dist/bench.js', import.meta.url));
    const args = ['--platform', 'native', '--backends', 'epoll', '--scenarios', '1,6', '--rounds', '2', '--duration', '300', '--warmup', '100'];
    const result = spawnSync(process.execPath, [bench, ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    const runs = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('round '))
      .map((line) => {
        const [, round, server, scenario] = /^round (\d) native (\S+) (.+?): \{/.exec(line)!;
        const figures = JSON.parse(line.slice(line.indexOf('{'))) as Record<string, number>;
        expect(figures, line).toMatchObject({ connected: 1, served: 1, failedRoundTrips: 0 });
        return `${round} ${scenario} ${server}`;
      });
    expect(runs).toEqual([
      '1 ping-pong 64 B x1 node',
      '1 ping-pong 64 B x1 epoll',
      '1 pipe ping-pong 64 B x1 node',
      '1 pipe ping-pong 64 B x1 epoll',
      '2 ping-pong 64 B x1 epoll',
      '2 ping-pong 64 B x1 node',
      '2 pipe ping-pong 64 B x1 epoll',
      '2 pipe ping-pong 64 B x1 node',
    ]);
    expect(result.stdout).toMatch(/\| native \| epoll \| pipe ping-pong 64 B x1 \| [\d,]+ \|/);
  });
});
