/**
 * The benchmarked HTTP server: `--impl node` is plain node:http on node:net
 * (libuv); `--impl node-data` is the same with the parser fed by the
 * sockets' 'data' events rather than reading their libuv handles (what
 * node:http does on any other stream); any other `--impl` is the name of a
 * wsaloop backend serving the very same node:http app through
 * @wsaloop/net, on one loop or, with `--threads N`, on N loops on Worker
 * threads. Prints
 * `listening on <host>:<port>`; the harness kills it when done.
 */
import net from 'node:net';
import { createLoop } from '@wsaloop/core';
import { serve, servePool } from '@wsaloop/net';
import { createHttpApp } from './http-app.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const impl = args.get('impl') ?? 'node';
const host = args.get('host') ?? '127.0.0.1';
const threads = Number(args.get('threads') ?? 1);
const options: Record<string, unknown> = {};
const parse = (v: string): unknown => (/^\d+$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v);
for (const [k, v] of args) if (!['impl', 'host', 'threads', 'exit-after'].includes(k)) options[k] = parse(v);
// For profiling (e.g. --cpu-prof): leave on our own after this many ms.
const exitAfter = Number(args.get('exit-after') ?? 0);
if (exitAfter > 0) setTimeout(() => process.exit(0), exitAfter).unref();

if (impl !== 'node' && impl !== 'node-data' && threads > 1) {
  const pool = await servePool({ module: new URL('./http-app.js', import.meta.url), threads, host, port: 0, loop: { backend: impl, ...options } });
  console.log(`listening on ${host}:${pool.address.port}`);
} else {
  const server = createHttpApp();
  server.on('listening', () => console.log(`listening on ${host}:${(server.address() as { port: number }).port}`));
  if (impl === 'node') {
    server.listen(0, host);
  } else if (impl === 'node-data') {
    const listener = feedThroughData(server);
    listener.listen(0, host, () => console.log(`listening on ${host}:${(listener.address() as { port: number }).port}`));
  } else {
    serve(server, { loop: createLoop({ backend: impl, ...options }), host, port: 0 });
  }
}

/**
 * A node:net server handing its sockets to `app` with their libuv handles
 * marked consumed, so node:http's parser takes the socket's 'data' events
 * (its path for any stream without a libuv handle) instead of reading the
 * handle in C++. Same socket options as node:http's own server.
 */
function feedThroughData(app: ReturnType<typeof createHttpApp>): net.Server {
  return net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const handle = (socket as { _handle?: { _consumed?: boolean } })._handle;
    if (handle) handle._consumed = true;
    app.emit('connection', socket);
  });
}
