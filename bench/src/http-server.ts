/**
 * The benchmarked HTTP server: `--impl node` is plain node:http on node:net
 * (libuv); any other `--impl` is the name of a wsaloop backend serving the
 * very same node:http server through @wsaloop/net. `GET /16k` answers a
 * 16 KiB body, anything else a 12-byte one. Prints
 * `listening on <host>:<port>`; the harness kills it when done.
 */
import http from 'node:http';
import { createLoop } from '@wsaloop/core';
import { serve } from '@wsaloop/net';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const impl = args.get('impl') ?? 'node';
const host = args.get('host') ?? '127.0.0.1';
const options: Record<string, unknown> = {};
const parse = (v: string): unknown => (/^\d+$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v);
for (const [k, v] of args) if (!['impl', 'host'].includes(k)) options[k] = parse(v);

const small = Buffer.from('hello world\n');
const large = Buffer.alloc(16 * 1024, 'x');
const server = http.createServer((req, res) => {
  const body = req.url === '/16k' ? large : small;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.on('listening', () => console.log(`listening on ${host}:${(server.address() as { port: number }).port}`));

if (impl === 'node') server.listen(0, host);
else serve(server, { loop: createLoop({ backend: impl, ...options }), host, port: 0 });
