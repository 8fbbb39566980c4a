/**
 * Load generator (node:net, its own process): ping-pong over N connections
 * or a one-way bulk stream echoed back, for a fixed time after a warm-up.
 * Prints one JSON line: round trips/s, MB/s, latency percentiles.
 */
import { connect, type Socket } from 'node:net';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const port = Number(args.get('port'));
const host = args.get('host') ?? '127.0.0.1';
const mode = args.get('mode') ?? 'pingpong';
const connections = Number(args.get('connections') ?? 1);
const size = Number(args.get('size') ?? 64);
const warmupMs = Number(args.get('warmup') ?? 1000);
const durationMs = Number(args.get('duration') ?? 3000);

const open = (): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const s = connect(port, host, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });

const sockets = await Promise.all(Array.from({ length: connections }, open));
let measuring = false;
let roundTrips = 0;
let bytes = 0;
const latencies: number[] = [];

if (mode === 'pingpong') {
  const message = Buffer.alloc(size, 0x61);
  for (const s of sockets) {
    let have = 0;
    let sentAt = 0n;
    const send = (): void => {
      sentAt = process.hrtime.bigint();
      s.write(message);
    };
    s.on('data', (d) => {
      have += d.length;
      if (have < size) return;
      have -= size;
      if (measuring) {
        roundTrips++;
        latencies.push(Number(process.hrtime.bigint() - sentAt) / 1000);
      }
      send();
    });
    send();
  }
} else {
  // Bulk: keep the pipe full with `size`-byte writes, count echoed bytes.
  const chunk = Buffer.alloc(size, 0x62);
  for (const s of sockets) {
    const pump = (): void => {
      while (s.write(chunk)) {
        // until the socket's buffer is full
      }
    };
    s.on('drain', pump);
    s.on('data', (d) => {
      if (measuring) bytes += d.length;
    });
    pump();
  }
}

await new Promise((r) => setTimeout(r, warmupMs));
measuring = true;
const started = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, durationMs));
measuring = false;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
for (const s of sockets) s.destroy();
latencies.sort((a, b) => a - b);
const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
console.log(
  JSON.stringify({
    roundTripsPerSec: roundTrips / seconds,
    mbPerSec: bytes / seconds / 1e6,
    p50us: pct(0.5),
    p99us: pct(0.99),
  }),
);
