/**
 * The benchmarked echo server: `--impl node` is node:net (libuv); any other
 * `--impl` is the name of a wsaloop backend running the same echo code.
 * Prints `listening on <host>:<port>`; the harness kills it when done.
 * With `--stats-every <ms>` it also prints a `stats {json}` line that often:
 * process memory and handles, open connections and (wsaloop) `loop.stats()`.
 */
import { createServer, type Socket } from 'node:net';
import { createLoop, type Tcp } from '@wsaloop/core';
import { processFigures } from './process-figures.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const impl = args.get('impl') ?? 'node';
const host = args.get('host') ?? '127.0.0.1';
const options: Record<string, unknown> = {};
const parse = (v: string): unknown => (/^\d+$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v);
for (const [k, v] of args) if (!['impl', 'host', 'exit-after', 'stats-every'].includes(k)) options[k] = parse(v);
// For profiling (e.g. --cpu-prof): leave on our own after this many ms.
const exitAfter = Number(args.get('exit-after') ?? 0);
if (exitAfter > 0) setTimeout(() => process.exit(0), exitAfter).unref();

const statsEvery = Number(args.get('stats-every') ?? 0);
/** Prints a `stats` line every `stats-every` ms (Node's timer: it runs beside either server). */
function reportStats(figures: () => Record<string, unknown>): void {
  if (statsEvery <= 0) return;
  const print = async (): Promise<void> => console.log(`stats ${JSON.stringify({ ...(await processFigures()), ...figures() })}`);
  setInterval(() => void print(), statsEvery).unref();
  void print();
}

function onStop(stop: () => void): void {
  process.on('SIGTERM', stop);
}

if (impl === 'node') {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end());
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, host, () => console.log(`listening on ${host}:${(server.address() as { port: number }).port}`));
  reportStats(() => ({ connections: sockets.size }));
  onStop(() => {
    server.close();
    for (const s of sockets) s.destroy();
  });
} else {
  const loop = createLoop({ backend: impl, ...options });
  const clients = new Set<Tcp>();
  const server = loop.tcp().bind(host, 0);
  server.listen(1024, (err, client) => {
    if (!client) return;
    clients.add(client);
    client.setNoDelay(true);
    client.readStart((e, data) => {
      if (data) return void client.write(data, () => {});
      clients.delete(client);
      client.shutdown(() => client.close());
    });
  });
  console.log(`listening on ${host}:${server.address().port}`);
  reportStats(() => ({ connections: clients.size, loop: loop.stats() }));
  onStop(() => {
    server.close();
    for (const c of clients) if (!c.isClosing()) c.close();
  });
  await loop.run();
  loop.close();
}
