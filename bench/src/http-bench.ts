/**
 * HTTP benchmark: the same node:http server on plain node:http (node:net) and
 * over every wsaloop backend given (through @wsaloop/net), natively and/or
 * under Wine's node.exe, driven by wrk (Debian's package) in a native
 * process, keep-alive throughout:
 *
 *   - 12-byte responses, 1 connection
 *   - 12-byte responses, 50 connections
 *   - 16 KiB responses, 50 connections
 *
 * Prints requests/s and p99 latency side by side, with each result's ratio
 * to plain node:http on the same platform (the same node.exe under Wine).
 * A second node:http row, "node:http, 'data' path", serves the same app on
 * node:net sockets whose bytes reach the parser as 'data' events, as on
 * any socket without a libuv handle (ours, or TLS): plain node:http's parser
 * reads its socket's handle in C++ instead. The row measures what that costs
 * node:http itself, the bound for a stream layer in JavaScript.
 *
 *   node bench/dist/http-bench.js [--platform native|wine|both] [--backends select,iocp]
 *                                 [--duration 3] [--warmup 1] [--scenarios 1,2,3] [--rounds 3]
 *
 * Every server starts once and stays up; each round runs a scenario on all
 * of them in turn, seconds apart (see `runRounds`), and the table shows
 * each cell's median round. Servers on CPU 0, wrk on CPU 1.
 */
import { spawnSync } from 'node:child_process';
import { fmt, flags as args, pinned, runRounds, usage } from './harness.js';

usage(
  `HTTP benchmark (wrk, keep-alive): node:http and wsaloop backends side by side.

  node bench/dist/http-bench.js [--platform native|wine|both] [--backends select,iocp]
                                [--duration 3] [--warmup 1] [--scenarios 1,2,3] [--rounds 3]

scenarios: 1 12 B x1, 2 12 B x50, 3 16 KiB x50`,
  ['platform', 'backends', 'duration', 'warmup', 'scenarios', 'rounds'],
);

const duration = Number(args.get('duration') ?? 3);
const warmup = Number(args.get('warmup') ?? 1);
const rounds = Number(args.get('rounds') ?? 3);

const allScenarios = [
  { name: 'keep-alive 12 B x1', connections: 1, path: '/' },
  { name: 'keep-alive 12 B x50', connections: 50, path: '/' },
  { name: 'keep-alive 16 KiB x50', connections: 50, path: '/16k' },
] as const;
const picked = args.get('scenarios')?.split(',').map((n) => Number(n) - 1);
const scenarios = picked ? allScenarios.filter((_, i) => picked.includes(i)) : allScenarios;

function ensureWrk(): void {
  if (spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0) return;
  const asRoot = process.getuid?.() === 0;
  const admin = asRoot ? [] : ['sudo'];
  console.error('wrk is not installed: installing it from Debian packages (apt-get install wrk)');
  const install = (cmd: string[]): number | null => spawnSync(admin[0] ?? cmd[0]!, admin.length ? cmd : cmd.slice(1), { stdio: 'inherit' }).status;
  if (install(['apt-get', 'install', '-y', '-qq', 'wrk']) !== 0) {
    install(['apt-get', 'update', '-qq']);
    if (install(['apt-get', 'install', '-y', '-qq', 'wrk']) !== 0) {
      console.error('cannot install wrk: run `apt-get install -y wrk` as root');
      process.exit(1);
    }
  }
}

interface Result {
  requestsPerSec: number;
  p99ms: number;
  errors: number;
}

/** wrk prints latencies as `1.23ms`, `456.00us` or `1.01s`. */
function millis(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === 'us' ? n / 1000 : match[2] === 'ms' ? n : match[2] === 's' ? n * 1000 : n * 60_000;
}

function wrk(port: number, scenario: (typeof allScenarios)[number], seconds: number): Result {
  const [cmd, ...rest] = pinned('1', [
    'wrk', '-t1', `-c${scenario.connections}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}${scenario.path}`,
  ]);
  const out = spawnSync(cmd!, rest, { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`wrk failed: ${out.stderr}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out.stdout);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out.stdout);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out.stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out.stdout);
  if (!rps || !p99) throw new Error(`cannot read wrk's output:\n${out.stdout}`);
  const errorCount = (errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return { requestsPerSec: Number(rps[1]), p99ms: millis(p99[1]!), errors: errorCount };
}

ensureWrk();

const rows = await runRounds({
  rounds,
  script: 'http-server.js',
  nodeLabel: 'node:http',
  references: [{ impl: 'node-data', label: "node:http, 'data' path" }],
  scenarios,
  measure: (port, scenario) => {
    if (warmup > 0) wrk(port, scenario, warmup);
    return wrk(port, scenario, duration);
  },
  figure: (r) => r.requestsPerSec,
});

console.log(`\nHTTP benchmark (wrk, keep-alive): median of ${rounds} rounds, ${duration} s per scenario after ${warmup} s warm-up; server on CPU 0, wrk on CPU 1\n`);
console.log('| platform | server | scenario | requests/s | p99 ms | errors | vs node:http |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  const base = rows.find((r) => r.platform === row.platform && r.impl === 'node:http' && r.scenario === row.scenario)!.result;
  console.log(
    `| ${row.platform} | ${row.impl} | ${row.scenario} | ${fmt(row.result.requestsPerSec)} | ${fmt(row.result.p99ms, 2)} | ${row.result.errors} | ${fmt(row.result.requestsPerSec / base.requestsPerSec, 2)} |`,
  );
}
