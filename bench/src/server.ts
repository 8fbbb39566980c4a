/**
 * The benchmarked echo server: `--impl node` is node:net (libuv); any other
 * `--impl` is the name of a wsaloop backend running the same echo code,
 * on one loop or, with `--threads N`, on N loops on Worker threads.
 * Prints `listening on <host>:<port>`; the harness kills it when done. With
 * `--path P` (one loop), it also serves the same echo on the pipe P and
 * prints `pipe on P`.
 * With `--stats-every <ms>` it also prints a `stats {json}` line that often:
 * process memory and handles, open connections and (wsaloop) `loop.stats()`.
 */
import { rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { createLoop, type Pipe, processResources, ServerPool, type Tcp } from '@wsaloop/core';
import { openControlPort } from './control-port.js';
import { ECHO_QUEUE_LIMIT, echo } from './echo-loop.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const impl = args.get('impl') ?? 'node';
const host = args.get('host') ?? '127.0.0.1';
const options: Record<string, unknown> = {};
const parse = (v: string): unknown => (/^\d+$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v);
for (const [k, v] of args) if (!['impl', 'host', 'path', 'exit-after', 'threads', 'control', 'snapshots', 'stats-every'].includes(k)) options[k] = parse(v);
const path = args.get('path');
// A server killed by the harness leaves its pipe's file behind (a named pipe goes with its process).
if (path && !path.startsWith('\\\\')) rmSync(path, { force: true });
const threads = Number(args.get('threads') ?? 1);
// For profiling (e.g. --cpu-prof): leave on our own after this many ms.
const exitAfter = Number(args.get('exit-after') ?? 0);
if (exitAfter > 0) setTimeout(() => process.exit(0), exitAfter).unref();

const statsEvery = Number(args.get('stats-every') ?? 0);
/** Prints a `stats` line every `stats-every` ms (Node's timer: it runs beside either server). */
function reportStats(figures: () => Record<string, unknown>): void {
  if (statsEvery <= 0) return;
  const mib = (n: number): number => Math.round((n / 1048576) * 10) / 10;
  const print = (): void => {
    const { rss, heapUsed, handles, threads } = processResources();
    console.log(`stats ${JSON.stringify({ rssMiB: mib(rss), heapUsedMiB: mib(heapUsed), handles, threads, ...figures() })}`);
  };
  setInterval(print, statsEvery).unref();
  print();
}

function onStop(stop: () => void): void {
  process.on('SIGTERM', stop);
}

// For the memory scenario (--control 1): a node:net port that answers each
// connection with one JSON line of this process's figures (processResources).
// With --snapshots <dir>, each answer also writes a V8 heap snapshot there.
if (args.get('control')) {
  const snapshots = args.get('snapshots');
  let taken = 0;
  openControlPort(host, () => (snapshots ? { snapshot: writeHeapSnapshot(join(snapshots, `${impl.replace(/[^a-z0-9]+/gi, '_')}-${++taken}.heapsnapshot`)) } : {}));
}

if (impl === 'node') {
  const sockets = new Set<Socket>();
  const onConnection = (s: Socket): void => {
    s.setNoDelay(true);
    sockets.add(s);
    s.on('data', (d) => {
      s.write(d);
      if (s.writableLength > ECHO_QUEUE_LIMIT) s.pause();
    });
    s.on('drain', () => s.resume());
    s.on('end', () => s.end());
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  };
  const server = createServer(onConnection);
  const pipeServer = path ? createServer(onConnection) : null;
  if (pipeServer) await new Promise<void>((resolve) => pipeServer.listen(path, resolve));
  server.listen(0, host, () => {
    if (path) console.log(`pipe on ${path}`);
    console.log(`listening on ${host}:${(server.address() as { port: number }).port}`);
  });
  reportStats(() => ({ connections: sockets.size }));
  onStop(() => {
    server.close();
    pipeServer?.close();
    for (const s of sockets) s.destroy();
  });
} else if (threads > 1) {
  const pool = await ServerPool.start({ host, port: 0, threads, module: new URL('./echo-loop.js', import.meta.url), loop: { backend: impl, ...options } });
  console.log(`listening on ${host}:${pool.address.port}`);
  onStop(() => void pool.close().then(() => process.exit(0)));
} else {
  const loop = createLoop({ backend: impl, ...options });
  const clients = new Set<Tcp | Pipe>();
  const onConnection = (err: Error | null, client?: Tcp | Pipe): void => {
    if (!client) return;
    clients.add(client);
    client.once('close', () => clients.delete(client));
    echo(client);
  };
  const server = loop.tcp().bind(host, 0);
  server.listen(1024, onConnection);
  const pipeServer = path ? loop.pipe().bind(path).listen(1024, onConnection) : null;
  if (path) console.log(`pipe on ${path}`);
  console.log(`listening on ${host}:${server.address().port}`);
  reportStats(() => ({ connections: clients.size, loop: loop.stats() }));
  onStop(() => {
    server.close();
    pipeServer?.close();
    for (const c of clients) if (!c.isClosing()) c.close();
  });
  await loop.run();
  loop.close();
}
