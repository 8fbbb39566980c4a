/**
 * The benchmarked node:http app, once: `GET /16k` answers a 16 KiB body,
 * anything else a 12-byte one. http-server.ts serves it on one loop (or on
 * plain node:http); with `--threads N` every loop of the pool builds it.
 */
import http from 'node:http';

const small = Buffer.from('hello world\n');
const large = Buffer.alloc(16 * 1024, 'x');

export function createHttpApp(): http.Server {
  const server = http.createServer((req, res) => {
    const body = req.url === '/16k' ? large : small;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

/** Pool module: each loop serves its own instance. */
export default createHttpApp;
