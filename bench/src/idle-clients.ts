/**
 * Idle clients for the memory scenario (node:net, its own process): opens
 * `--clients` connections, a `--batch` at a time; each sends one 64-byte
 * message and waits for its echo. Then prints `ready <n> of <clients>` and
 * keeps every connection open, silent, until it is killed or its stdin ends
 * (with `--until-killed`, only until it is killed: a helper under Wine has
 * no stdin to watch).
 * With `--timeout <ms>`, a client whose echo has not come by then is not
 * waited for (a server serving one client at a time echoes one): `n` counts
 * the echoed ones.
 */
import { connect } from 'node:net';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const port = Number(args.get('port'));
const host = args.get('host') ?? '127.0.0.1';
/** A pipe to connect to instead of host:port. */
const path = args.get('path');
const clients = Number(args.get('clients') ?? 2000);
const batch = Number(args.get('batch') ?? 100);
const timeoutMs = Number(args.get('timeout') ?? 0);
const message = Buffer.alloc(64, 0x61);
const open = new Set<ReturnType<typeof connect>>();

/** One client: connect, send 64 bytes; true once they came back, false at --timeout. */
const oneClient = (): Promise<boolean> =>
  new Promise((resolve, reject) => {
    let echoed = 0;
    const s = connect(path ? { path } : { port, host }, () => s.write(message));
    s.setNoDelay(true);
    s.on('data', (d) => {
      echoed += d.length;
      if (echoed >= message.length) resolve(true);
    });
    s.once('error', reject);
    s.once('close', () => reject(new Error(`connection closed after ${echoed} bytes`)));
    if (timeoutMs > 0) setTimeout(() => resolve(false), timeoutMs).unref();
    open.add(s);
  });

let echoed = 0;
for (let done = 0; done < clients; ) {
  const n = Math.min(batch, clients - done);
  echoed += (await Promise.all(Array.from({ length: n }, oneClient))).filter(Boolean).length;
  done += n;
}
console.log(`ready ${echoed} of ${open.size}`);
if (!args.has('until-killed')) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
} else {
  setInterval(() => {}, 1 << 30);
}
