/**
 * node:http on any wsaloop backend: the same flags as echo-server.
 *
 *   node examples/http-server/dist/http-server.js --backend iocp --host 127.0.0.1 --port 8080 [--tls]
 *
 * Prints `listening on <host>:<port>` and serves:
 *   GET  /                 200 and a short text
 *   GET  /json             a JSON status document
 *   GET  /download?size=N  N bytes (default 10 MiB), their SHA-256 in `x-content-sha256`
 *   POST /upload           echoes the body's size and SHA-256 as JSON
 *   GET  /ws               a WebSocket echo (the ws package)
 * `--tls` serves HTTPS (and wss) with a self-signed certificate made at
 * start-up; no key is ever written to disk. Runs as a service: stops on
 * SIGINT, SIGTERM, SIGHUP or Ctrl+Break; a startup failure is one line.
 * Flags it does not know go to the backend (`--notify routine`).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { createLoop, defaultBackendName } from '@wsaloop/core';
import { selfSignedCertificate, serve } from '@wsaloop/net';
import { WebSocketServer } from 'ws';
import { backendOptions, intArg, parseArgs } from '../shared/cli.js';
import { failStartup, onStopSignal, startupStep } from '../shared/service.js';

const MiB = 1024 * 1024;
const { backend, host, port, tls, options } = startupStep('start', () => {
  const argv = process.argv.slice(2);
  const tlsFlag = argv.includes('--tls');
  const args = parseArgs(argv.filter((a) => a !== '--tls'));
  return {
    backend: args.values.get('backend') ?? defaultBackendName(),
    host: args.values.get('host') ?? '127.0.0.1',
    port: intArg(args, 'port', 8080),
    tls: tlsFlag,
    options: backendOptions(args, ['backend', 'host', 'port']),
  };
});

const loop = startupStep(`start the ${backend} backend`, () => createLoop({ backend, ...options }));
let requests = 0;
const started = Date.now();

/** A 64 KiB block repeated: cheap to send at any size, and its hash is known before sending. */
const block = Buffer.alloc(64 * 1024, 'wsaloop ');

function download(size: number, res: http.ServerResponse): void {
  const hash = createHash('sha256');
  for (let left = size; left > 0; left -= block.length) hash.update(block.subarray(0, Math.min(left, block.length)));
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size, 'x-content-sha256': hash.digest('hex') });
  let left = size;
  const pump = (): void => {
    while (left > 0) {
      const chunk = block.subarray(0, Math.min(left, block.length));
      left -= chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

const handler: http.RequestListener = (req, res) => {
  requests++;
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'GET' && url.pathname === '/') {
    res.end(`hello from wsaloop over ${backend}\n`);
  } else if (req.method === 'GET' && url.pathname === '/json') {
    res.setHeader('content-type', 'application/json');
    const uptimeSeconds = Math.round((Date.now() - started) / 1000);
    res.end(JSON.stringify({ backend, tls, requests, uptimeSeconds, platform: process.platform, stats: loop.stats() }));
  } else if (req.method === 'GET' && url.pathname === '/download') {
    const size = Number(url.searchParams.get('size') ?? 10 * MiB);
    if (!Number.isInteger(size) || size < 0 || size > 1024 * MiB) {
      res.writeHead(400).end('size must be an integer from 0 to 1 GiB\n');
      return;
    }
    download(size, res);
  } else if ((req.method === 'POST' || req.method === 'PUT') && url.pathname === '/upload') {
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') }));
    });
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
};

const server = tls ? https.createServer(selfSignedCertificate(), handler) : http.createServer(handler);
const wss = new WebSocketServer({ noServer: true });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
server.on('upgrade', (req, socket, head) => {
  if (req.url !== '/ws') return void socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});
server.on('error', (error) => failStartup(`listen on ${host}:${port}`, error));
server.on('listening', () => {
  const address = server.address() as { port: number };
  console.log(`listening on ${host}:${address.port}`);
  console.log(`backend: ${backend}${tls ? ' (https, self-signed certificate)' : ''}`);
});
serve(server, { loop, host, port });

onStopSignal((signal) => {
  console.log(`stopping (${signal}): ${requests} requests`);
  for (const ws of wss.clients) ws.terminate();
  // 'close' comes once every connection is closed: nothing is left to flush.
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
