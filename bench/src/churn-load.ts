/**
 * Connection load generator (node:net, its own process), for what the echo
 * ping-pong does not exercise: accepting and closing.
 *
 *   --mode churn  N clients, each: connect, one `size`-byte round trip,
 *                 close, again. Prints cycles/s, failed cycles and cycle
 *                 latency (connect to echo) after the warm-up.
 *   --mode burst  opens N connections at once, ping-pongs `size` bytes on
 *                 each; after --warmup (to settle) counts each connection's
 *                 round trips for --duration. Prints how many connections
 *                 made none (starved), the fewest and the median made, and
 *                 how long the connects took.
 *   --mode idle   opens N connections that send nothing, holds them for
 *                 --duration, then vanishes: half are reset, half closed
 *                 by the process's exit.
 *
 * One JSON line on stdout. A failed cycle (error, or no echo within
 * --timeout ms) is counted and the client goes on.
 */
import { connect, type Socket } from 'node:net';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const port = Number(args.get('port'));
const host = args.get('host') ?? '127.0.0.1';
const mode = args.get('mode') ?? 'churn';
const clients = Number(args.get('connections') ?? 20);
const size = Number(args.get('size') ?? 64);
const warmupMs = Number(args.get('warmup') ?? 1000);
const durationMs = Number(args.get('duration') ?? 3000);
const timeoutMs = Number(args.get('timeout') ?? 5000);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const message = Buffer.alloc(size, 0x61);

async function churn(): Promise<void> {
  let measuring = false;
  let stopping = false;
  let cycles = 0;
  let failed = 0;
  const errors = new Map<string, number>();
  const latencies: number[] = [];

  const cycle = (): Promise<void> =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const s = connect(port, host);
      s.setNoDelay(true);
      let have = 0;
      let done = false;
      const finish = (error: string | null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        s.destroy();
        if (measuring) {
          if (error) {
            failed++;
            errors.set(error, (errors.get(error) ?? 0) + 1);
          } else {
            cycles++;
            latencies.push(Number(process.hrtime.bigint() - started) / 1000);
          }
        }
        resolve();
      };
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      s.on('connect', () => s.write(message));
      s.on('data', (d) => {
        have += d.length;
        if (have >= size) finish(null);
      });
      s.on('error', (e: NodeJS.ErrnoException) => finish(e.code ?? 'error'));
      s.on('close', () => finish(have >= size ? null : 'closed early'));
    });

  const client = async (): Promise<void> => {
    while (!stopping) await cycle();
  };
  const running = Array.from({ length: clients }, client);
  await sleep(warmupMs);
  measuring = true;
  const t0 = process.hrtime.bigint();
  await sleep(durationMs);
  measuring = false;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  stopping = true;
  await Promise.all(running);
  latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      cyclesPerSec: cycles / seconds,
      cycles,
      failed,
      errors: Object.fromEntries(errors),
      p50us: percentile(latencies, 0.5),
      p99us: percentile(latencies, 0.99),
    }),
  );
}

async function burst(): Promise<void> {
  const t0 = performance.now();
  let connectFailures = 0;
  let lastConnected = 0;
  let measuring = false;
  const counts: number[] = new Array(clients).fill(0);
  const firstEcho: number[] = new Array(clients).fill(0);
  const latencies: number[] = [];
  const sockets: Socket[] = [];
  for (let i = 0; i < clients; i++) {
    const s = connect(port, host);
    sockets.push(s);
    s.setNoDelay(true);
    let have = 0;
    let sentAt = 0n;
    const send = (): void => {
      sentAt = process.hrtime.bigint();
      s.write(message);
    };
    s.on('connect', () => {
      lastConnected = performance.now() - t0;
      send();
    });
    s.on('data', (d) => {
      have += d.length;
      while (have >= size) {
        have -= size;
        if (firstEcho[i] === 0) firstEcho[i] = performance.now() - t0;
        if (measuring) {
          counts[i]!++;
          latencies.push(Number(process.hrtime.bigint() - sentAt) / 1000);
        }
        send();
      }
    });
    s.on('error', () => connectFailures++);
  }
  await sleep(warmupMs);
  measuring = true;
  await sleep(durationMs);
  measuring = false;
  const connected = sockets.filter((s) => !s.connecting && !s.destroyed).length;
  for (const s of sockets) s.destroy();
  const sorted = [...counts].sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      connections: clients,
      connected,
      failed: connectFailures,
      starved: counts.filter((c) => c === 0).length,
      starvedByTenth: Array.from({ length: 10 }, (_, k) => counts.slice((k * clients) / 10, ((k + 1) * clients) / 10).filter((c) => c === 0).length).join(' '),
      firstEchoMsByTenth: Array.from({ length: 10 }, (_, k) => { const f = firstEcho.slice((k * clients) / 10, ((k + 1) * clients) / 10).filter((x) => x > 0).sort((a, b) => a - b); return Math.round(f[Math.floor(f.length / 2)] ?? -1); }).join(' '),
      fewest: sorted[0] ?? 0,
      median: percentile(sorted, 0.5),
      roundTripsPerSec: counts.reduce((a, b) => a + b, 0) / (durationMs / 1000),
      p99us: percentile(latencies, 0.99),
      lastConnectMs: Math.round(lastConnected),
    }),
  );
}

async function idle(): Promise<void> {
  const sockets: Socket[] = [];
  let connected = 0;
  let failed = 0;
  for (let i = 0; i < clients; i++) {
    const s = connect(port, host, () => connected++);
    s.on('error', () => failed++);
    sockets.push(s);
  }
  await sleep(durationMs);
  console.log(JSON.stringify({ connections: clients, connected, failed }));
  // Vanish: half with a reset, the rest closed by the process's exit.
  sockets.forEach((s, i) => {
    if (i % 2 === 0) s.resetAndDestroy();
  });
  process.exit(0);
}

if (mode === 'churn') await churn();
else if (mode === 'burst') await burst();
else if (mode === 'idle') await idle();
else throw new Error(`unknown --mode ${mode}`);
