/**
 * examples/http-server: every route over the platform's default backend, the
 * --tls mode with its start-up certificate, and service behaviour.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
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
  const second = spawnServer([script, '--host', '127.0.0.1', '--port', String(port)]);
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
