/**
 * The http-server example's app: its routes, HTTPS with a certificate made
 * at start-up, and a WebSocket echo. Built once per loop: by http-server.ts
 * for a single loop, and by every loop of a pool (`--threads N`), which
 * loads this module by URL.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Loop } from '@wsaloop/core';
import { selfSignedCertificate } from '@wsaloop/net';
import { WebSocketServer } from 'ws';

const MiB = 1024 * 1024;

/** What the app needs to know. */
export interface AppOptions {
  /** Backend name, shown by `/` and `/json`. */
  backend: string;
  /** Serve HTTPS (and wss). */
  tls: boolean;
}

/** One instance of the app. */
export interface App {
  server: http.Server | https.Server;
  /** WebSocket connections, closed by a stop. */
  webSockets: WebSocketServer;
  /** Requests served so far. */
  requests(): number;
}

/** A 64 KiB block repeated: cheap to send at any size, and its hash is known before sending. */
const block = Buffer.alloc(64 * 1024, 'wsaloop ');

/**
 * Ends `res` with `body` and its Content-Length. node:http adds that header
 * by itself for GET but not for HEAD, whose reply must carry the same
 * headers as GET's (RFC 9110 §9.3.2); it drops the body of a HEAD reply.
 */
function reply(res: http.ServerResponse, status: number, body: string, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) }).end(body);
}

function download(size: number, req: http.IncomingMessage, res: http.ServerResponse): void {
  const hash = createHash('sha256');
  for (let left = size; left > 0; left -= block.length) hash.update(block.subarray(0, Math.min(left, block.length)));
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size, 'x-content-sha256': hash.digest('hex') });
  if (req.method === 'HEAD') return void res.end();
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

/** Builds the app over `loop` (its stats are part of `/json`). */
export function createApp(loop: Loop, { backend, tls }: AppOptions): App {
  let requests = 0;
  const started = Date.now();
  const handler: http.RequestListener = (req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    // Every GET route answers HEAD too (RFC 9110 §9.1): same headers, no body.
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (get && url.pathname === '/') {
      reply(res, 200, `hello from wsaloop over ${backend}\n`);
    } else if (get && url.pathname === '/json') {
      const uptimeSeconds = Math.round((Date.now() - started) / 1000);
      const status = { backend, tls, requests, uptimeSeconds, platform: process.platform, stats: loop.stats() };
      reply(res, 200, JSON.stringify(status), { 'content-type': 'application/json' });
    } else if (get && url.pathname === '/download') {
      const size = Number(url.searchParams.get('size') ?? 10 * MiB);
      if (!Number.isInteger(size) || size < 0 || size > 1024 * MiB) {
        reply(res, 400, 'size must be an integer from 0 to 1 GiB\n');
        return;
      }
      download(size, req, res);
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
      reply(res, 404, 'not found\n', { 'content-type': 'text/plain' });
    }
  };

  const server = tls ? https.createServer(selfSignedCertificate(), handler) : http.createServer(handler);
  const webSockets = new WebSocketServer({ noServer: true });
  webSockets.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/ws') return void socket.destroy();
    webSockets.handleUpgrade(req, socket, head, (ws) => webSockets.emit('connection', ws, req));
  });
  return { server, webSockets, requests: () => requests };
}

/** Pool module (`--threads N`): each loop serves its own instance of the app. */
export default function poolApp(loop: Loop, options: AppOptions): http.Server | https.Server {
  return createApp(loop, options).server;
}
