/**
 * An uncaught exception ends the process promptly, with Node's usual report
 * and exit code 1, whatever the loop is doing: blocked off-thread, about to
 * block, or hosted in a Worker (whose wait in flight used to hold the exit).
 * Each case runs many times in child processes: an exit races with waits
 * starting and ending.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Conformance, diedOfNodeTeardownRace, SLOW, soak } from './context.js';
import { spawnNode } from './spawn-node.js';

/**
 * Runs per case: Wine's node.exe takes seconds to start, so fewer there.
 * Natively 8 (20 cost 18 s of CPU per backend, taken from the Wine shards
 * that run beside). npm test's soak scale leaves 1 under Wine, 2 natively.
 */
const RUNS = soak(process.platform === 'win32' ? 3 : 8);
/** Children started at once (the machine has few cores). */
const PARALLEL = 4;
/** A run that takes longer than this counts as a hang. */
const LIMIT_MS = 10_000 * SLOW;

const script = fileURLToPath(new URL('./throw-while-blocked.mjs', import.meta.url));

interface Outcome {
  status: number | null;
  stderr: string;
  ms: number;
}

async function runChild(ctx: Conformance, where: string): Promise<Outcome> {
  const started = performance.now();
  const child = await spawnNode([script, ctx.backend, JSON.stringify(ctx.options), where], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
  return new Promise((resolve) => {
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr, ms: performance.now() - started });
    });
  });
}

async function runMany(ctx: Conformance, where: string): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < RUNS; i += PARALLEL) {
    const batch = Array.from({ length: Math.min(PARALLEL, RUNS - i) }, () => runChild(ctx, where));
    outcomes.push(...(await Promise.all(batch)));
  }
  return outcomes;
}

/** A line per run that did not end as Node ends on an uncaught exception thrown `where`. */
function failures(outcomes: Outcome[], where: string): string[] {
  return outcomes
    .map((o, i) => {
      if (o.ms >= LIMIT_MS) return `run ${i}: still running after ${LIMIT_MS} ms`;
      if (!o.stderr.includes(`Error: boom (${where})`)) return `run ${i}: no report on stderr: ${o.stderr.slice(0, 300)}`;
      // The report came and the process ended; Node's own teardown crash may then replace status 1.
      if (o.status !== 1 && !diedOfNodeTeardownRace(o.stderr)) return `run ${i}: exit status ${o.status}: ${o.stderr.slice(-300)}`;
      return '';
    })
    .filter((line) => line !== '');
}

export function exitTests(ctx: Conformance): void {
  // One case at a time: side by side, the four took 10 s instead of 14.6 s
  // under Wine alone, but 25 s instead of 16 s in npm test, where both CPUs
  // are busy and Wine's process start-ups contend.
  // 'tick' checks the drain a wait in Node's own loop does itself (Linux
  // backends only): every Windows wait returns through a Node callback (a
  // koffi `.async` callback, a Worker's message), which drains the queue,
  // and the case would add 3 s per backend under Wine for nothing of ours.
  const cases = ['node-timer', 'loop-timer', 'async', ...(process.platform === 'win32' ? [] : ['tick']), 'worker'];
  describe('uncaught exceptions end the process', () => {
    for (const where of cases) {
      it(`thrown from ${where}: exit code 1 and the report, every run`, async () => {
        expect(failures(await runMany(ctx, where), where)).toEqual([]);
      }, RUNS * LIMIT_MS);
    }
  });
}
