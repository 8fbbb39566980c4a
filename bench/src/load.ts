/**
 * Load generator (node:net, its own process): ping-pong over N connections
 * or a one-way bulk stream echoed back, for a fixed time after a warm-up.
 * Prints one JSON line: round trips/s, MB/s, latency percentiles, and how
 * many connections connected and were served at all (`served`: a server
 * that takes one client at a time serves one), every round trip made
 * (`roundTripsTotal`, the warm-up's included), and ping-pong round trips
 * that failed (`failedRoundTrips`: lost with their connection, or still
 * unanswered after a second at the end).
 */
import { connect, type Socket } from 'node:net';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const port = Number(args.get('port'));
const host = args.get('host') ?? '127.0.0.1';
/** A pipe to load instead of host:port. */
const path = args.get('path');
const mode = args.get('mode') ?? 'pingpong';
const connections = Number(args.get('connections') ?? 1);
const size = Number(args.get('size') ?? 64);
const warmupMs = Number(args.get('warmup') ?? 1000);
const durationMs = Number(args.get('duration') ?? 3000);

let measuring = false;
let roundTrips = 0;
/** Round trips including the warm-up's: what a server's counters saw. */
let roundTripsTotal = 0;
let bytes = 0;
const latencies: number[] = [];
const sockets: Socket[] = [];
/** Connections that got at least one answer: a server serving one client at a time answers one. */
const served = new Set<Socket>();
/** Connections that failed or were closed before the end: each took its round trip in flight with it. */
const lost = new Set<Socket>();
/** When each ping-pong connection's round trip in flight was sent. */
const outstanding = new Map<Socket, bigint>();
let finished = false;

// Each connection starts as soon as it is connected, without waiting for the
// others: a server that takes one client at a time leaves the rest queued.
function startPingPong(s: Socket): void {
  const message = Buffer.alloc(size, 0x61);
  let have = 0;
  let sentAt = 0n;
  const send = (): void => {
    sentAt = process.hrtime.bigint();
    outstanding.set(s, sentAt);
    s.write(message);
  };
  s.on('data', (d) => {
    have += d.length;
    while (have >= size) {
      have -= size;
      served.add(s);
      roundTripsTotal++;
      if (measuring) {
        roundTrips++;
        latencies.push(Number(process.hrtime.bigint() - sentAt) / 1000);
      }
      send();
    }
  });
  send();
}

// Bulk: keep the pipe full with `size`-byte writes, count echoed bytes.
function startBulk(s: Socket): void {
  const chunk = Buffer.alloc(size, 0x62);
  const pump = (): void => {
    while (s.write(chunk)) {
      // until the socket's buffer is full
    }
  };
  s.on('drain', pump);
  s.on('data', (d) => {
    served.add(s);
    if (measuring) bytes += d.length;
  });
  pump();
}

for (let i = 0; i < connections; i++) {
  const s = connect(path ? { path } : { port, host }, () => (mode === 'pingpong' ? startPingPong(s) : startBulk(s)));
  s.setNoDelay(true);
  s.on('error', () => lost.add(s));
  s.on('close', () => finished || lost.add(s));
  sockets.push(s);
}

// The warm-up also lets every connection connect.
await new Promise((r) => setTimeout(r, warmupMs));
measuring = true;
const started = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, durationMs));
measuring = false;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
finished = true;
const now = process.hrtime.bigint();
let stalled = 0;
for (const [s, at] of outstanding) if (!lost.has(s) && now - at > 1_000_000_000n) stalled++;
for (const s of sockets) s.destroy();
latencies.sort((a, b) => a - b);
const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
console.log(
  JSON.stringify({
    roundTripsPerSec: roundTrips / seconds,
    mbPerSec: bytes / seconds / 1e6,
    p50us: pct(0.5),
    p99us: pct(0.99),
    connections,
    connected: sockets.filter((s) => !s.connecting).length,
    served: served.size,
    roundTripsTotal,
    failedRoundTrips: mode === 'pingpong' ? lost.size + stalled : 0,
  }),
);
