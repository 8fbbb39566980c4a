/**
 * Hostile clients (node:net, their own process) for `reliability --mode
 * hostile`: what a careless or malicious peer does to a server, bounded in
 * time (--duration ms) and count (--count connections), on loopback only.
 *
 *   --kind reset-data   connect, send 5 KB, reset (SO_LINGER 0, then close)
 *   --kind reset-empty  connect and reset at once, nothing sent
 *   --kind vanish       connect and close at once, nothing sent
 *   --kind no-read      --clients connections that send and never read, up
 *                       to --cap bytes each, held for the whole duration
 *
 * The connect-and-close kinds run --concurrency clients at a time, one after
 * another, until --count or --duration. One JSON line on stdout: attempts,
 * connections made, bytes sent and errors by code.
 */
import { connect, type Socket } from 'node:net';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const port = Number(args.get('port'));
const host = args.get('host') ?? '127.0.0.1';
const kind = args.get('kind') ?? 'reset-data';
const durationMs = Number(args.get('duration') ?? 3000);
const count = Number(args.get('count') ?? 1000);
const concurrency = Number(args.get('concurrency') ?? 16);
const clients = Number(args.get('clients') ?? 4);
const cap = Number(args.get('cap') ?? 16 * 1024 * 1024);

// A hostile client pointed at someone else's machine would be an attack, not a bench.
if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host)) throw new Error(`hostile-load: loopback only, not ${host}`);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const payload = Buffer.alloc(5000, 0x68);
const errors = new Map<string, number>();
let attempts = 0;
let connected = 0;
let bytesSent = 0;
const deadline = Date.now() + durationMs;

/** One connect-and-leave client; resolves once its socket is gone. */
function hitAndRun(): Promise<void> {
  attempts++;
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.on('error', (e: NodeJS.ErrnoException) => errors.set(e.code ?? 'error', (errors.get(e.code ?? 'error') ?? 0) + 1));
    s.on('close', () => resolve());
    s.on('connect', () => {
      connected++;
      if (kind === 'reset-data') {
        // Reset once the bytes are in the kernel, so they reach the server first.
        s.write(payload, () => {
          bytesSent += payload.length;
          s.resetAndDestroy();
        });
      } else if (kind === 'reset-empty') {
        s.resetAndDestroy();
      } else {
        s.destroy();
      }
    });
  });
}

async function hitAndRunLoop(): Promise<void> {
  while (attempts < count && Date.now() < deadline) await hitAndRun();
}

/** A client that sends until `cap` and never reads: the server's echoes pile up. */
function flooder(): Socket {
  const s = connect(port, host);
  attempts++;
  s.on('error', (e: NodeJS.ErrnoException) => errors.set(e.code ?? 'error', (errors.get(e.code ?? 'error') ?? 0) + 1));
  const chunk = Buffer.alloc(64 * 1024, 0x6e);
  let sent = 0;
  const pump = (): void => {
    while (sent < cap && s.writable) {
      sent += chunk.length;
      bytesSent += chunk.length;
      if (!s.write(chunk)) return;
    }
  };
  s.on('connect', () => {
    connected++;
    s.pause();
    pump();
  });
  s.on('drain', pump);
  return s;
}

if (kind === 'no-read') {
  const sockets = Array.from({ length: clients }, flooder);
  await sleep(durationMs);
  for (const s of sockets) s.destroy();
} else if (['reset-data', 'reset-empty', 'vanish'].includes(kind)) {
  await Promise.all(Array.from({ length: concurrency }, hitAndRunLoop));
} else {
  throw new Error(`unknown --kind ${kind}`);
}
console.log(JSON.stringify({ kind, attempts, connected, bytesSent, errors: Object.fromEntries(errors) }));
process.exit(0);
