/**
 * examples/http-server: every route over the platform's default backend, the
 * --tls mode with its start-up certificate, and service behaviour.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { built, exited, spawnServer, startServer } from './servers.js';

const script = built('http-server/dist/http-server.js');
const start = (args: string[]) => startServer([script, ...args]);

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function fetchOnce(url: string, init: { method?: string; body?: Buffer } = {}): Promise<Reply> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method: init.method ?? 'GET', rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.each([
  ['http', 'http', []],
  ['https', 'https', ['--tls']],
  ['http on 2 loops', 'http', ['--threads', '2']],
] as const)('http-server over %s', (_name, scheme, flags) => {
  const pooled = (flags as readonly string[]).includes('--threads');
  it('serves /, /json, a download, an upload hash and a WebSocket echo', async () => {
    const { port, output } = await start([...flags]);
    expect(output()).toMatch(pooled ? /listening on 127\.0\.0\.1:\d+ \(2 loops\)/ : /listening on 127\.0\.0\.1:\d+\n/);
    const base = `${scheme}://127.0.0.1:${port}`;
    const root = await fetchOnce(`${base}/`);
    expect(root.status).toBe(200);
    expect(root.body.toString()).toMatch(/^hello from wsaloop over \w+/);
    const json = JSON.parse((await fetchOnce(`${base}/json`)).body.toString());
    // Each loop of a pool counts its own requests.
    expect(json).toMatchObject({ tls: scheme === 'https', requests: pooled ? expect.any(Number) : 2 });
    const download = await fetchOnce(`${base}/download?size=3000000`);
    expect(download.body.length).toBe(3_000_000);
    expect(sha256(download.body)).toBe(download.headers['x-content-sha256']);
    const payload = randomBytes(2_000_000);
    const upload = await fetchOnce(`${base}/upload`, { method: 'POST', body: payload });
    expect(JSON.parse(upload.body.toString())).toEqual({ bytes: payload.length, sha256: sha256(payload) });
    expect((await fetchOnce(`${base}/nothing-here`)).status).toBe(404);
    const ws = new WebSocket(`${scheme === 'https' ? 'wss' : 'ws'}://127.0.0.1:${port}/ws`, { rejectUnauthorized: false });
    const echoed = await new Promise<string[]>((resolve, reject) => {
      const got: string[] = [];
      ws.on('open', () => ['one', 'two', 'three'].forEach((m) => ws.send(m)));
      ws.on('message', (m) => {
        got.push(m.toString());
        if (got.length === 3) resolve(got);
      });
      ws.on('error', reject);
    });
    expect(echoed).toEqual(['one', 'two', 'three']);
    ws.close();
  });
});

it('http-server: a port in use is one line and status 1', async () => {
  const { port } = await start([]);
  const second = await spawnServer([script, '--host', '127.0.0.1', '--port', String(port)]);
  let stderr = '';
  second.stderr!.on('data', (chunk) => (stderr += chunk));
  const code = await exited(second);
  expect(code).toBe(1);
  expect(stderr.trim()).toBe(`cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)`);
});

// Windows has no signals to send: Node's kill() there ends the process outright.
it.runIf(process.platform !== 'win32')('http-server: stops cleanly on SIGTERM', async () => {
  const { child, output, port } = await start([]);
  await fetchOnce(`http://127.0.0.1:${port}/`);
  child.kill('SIGTERM');
  expect(await exited(child)).toBe(0);
  expect(output()).toMatch(/stopping \(SIGTERM\): 1 requests/);
});

/** Everything a server sends for `request`, up to its close: shows whether a HEAD reply carried a body. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

/** Headers that may differ between two replies for reasons other than the method. */
const varying = new Set(['date', 'connection', 'keep-alive']);
const stable = (headers: http.IncomingHttpHeaders) => Object.fromEntries(Object.entries(headers).filter(([k]) => !varying.has(k)));

it('http-server: HEAD answers wherever GET does, with the same headers and no body', async () => {
  const { port } = await start([]);
  const base = `http://127.0.0.1:${port}`;
  for (const path of ['/', '/download?size=3000000', '/download?size=-1', '/nothing-here']) {
    const get = await fetchOnce(`${base}${path}`);
    const head = await fetchOnce(`${base}${path}`, { method: 'HEAD' });
    expect(head.status, path).toBe(get.status);
    expect(stable(head.headers), path).toEqual(stable(get.headers));
    expect(Number(head.headers['content-length']), path).toBe(get.body.length);
    expect(head.body.length, path).toBe(0);
    // On the wire: the reply ends with its header block, not one byte after.
    const raw = await rawExchange(port, `HEAD ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(raw.endsWith('\r\n\r\n') && raw.indexOf('\r\n\r\n') === raw.length - 4, path).toBe(true);
  }
  // /json's body changes from one request to the next (a request count, an uptime).
  const json = await fetchOnce(`${base}/json`, { method: 'HEAD' });
  expect(json.status).toBe(200);
  expect(json.headers['content-type']).toBe('application/json');
  expect(Number(json.headers['content-length'])).toBeGreaterThan(0);
});

const curl = spawnSync('curl', ['--version']).status === 0;
it.runIf(curl)('http-server: curl -I gets the headers of GET', async () => {
  const { port } = await start([]);
  const head = spawnSync('curl', ['-sS', '-I', `http://127.0.0.1:${port}/download?size=12345`], { encoding: 'utf8', timeout: 10_000 });
  expect(head.status).toBe(0);
  expect(head.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  expect(head.stdout).toMatch(/\r\ncontent-length: 12345\r\n/i);
  expect(head.stdout).toMatch(/\r\nx-content-sha256: [0-9a-f]{64}\r\n/i);
});
