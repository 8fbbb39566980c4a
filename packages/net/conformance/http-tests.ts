/** node:http over the backend: keep-alive, concurrency, pipelining, chunked bodies, big bodies, aborts, timeouts, bad input. */
import http from 'node:http';
import { once } from 'node:events';
import { randomBytes, createHash } from 'node:crypto';
import type { Loop } from '@wsaloop/core';
import { describe, expect, it } from 'vitest';
import { Agent, connect, listenerOf, serve } from '../src/index.js';
import { collect, eventWithin, type NetConformance, nextEvent, SLOW, sha256, soak, withNetLoop } from './context.js';

/** Serves `handler` on 127.0.0.1 over `loop`; resolves with the server and its port. */
async function serveOn(loop: Loop, handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = serve(http.createServer(handler), { loop, port: 0, host: '127.0.0.1' });
  if (!server.listening) await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

async function closeServer(server: http.Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** One request through `agent`; resolves with the status and the whole body. */
function request(
  options: http.RequestOptions,
  body?: Buffer | string | ((req: http.ClientRequest) => void),
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', ...options }, (res) => {
      collect(res).then((data) => resolve({ status: res.statusCode!, headers: res.headers, body: data }), reject);
    });
    req.on('error', reject);
    if (typeof body === 'function') body(req);
    else req.end(body);
  });
}

export function httpTests(ctx: NetConformance): void {
  describe('node:http', () => {
    const keptAlive = soak(1000);
    it(`serves ${keptAlive} keep-alive requests on one connection`, async () => {
      await withNetLoop(ctx, async (loop) => {
        let connections = 0;
        const { server, port } = await serveOn(loop, (req, res) => res.end(`hello ${req.url}`));
        listenerOf(server)!.on('connection', () => connections++);
        const agent = new Agent({ loop, keepAlive: true, maxSockets: 1 });
        for (let i = 0; i < keptAlive; i++) {
          const { status, body } = await request({ port, path: `/${i}`, agent });
          expect(status).toBe(200);
          if (body.toString() !== `hello /${i}`) expect(body.toString()).toBe(`hello /${i}`);
        }
        expect(connections).toBe(1);
        agent.destroy();
        await closeServer(server);
      });
    });

    it('serves 200 concurrent clients', async () => {
      await withNetLoop(ctx, async (loop) => {
        const { server, port } = await serveOn(loop, (req, res) => {
          // Answer only once every client is in: all 200 are open at once.
          setTimeout(() => res.end(`ok ${req.url}`), 20);
        });
        let peak = 0;
        let open = 0;
        listenerOf(server)!.on('connection', (socket) => {
          peak = Math.max(peak, ++open);
          socket.on('close', () => open--);
        });
        const agent = new Agent({ loop, maxSockets: Infinity });
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) => request({ port, path: `/${i}`, agent, headers: { connection: 'close' } })),
        );
        results.forEach((r, i) => expect(r.body.toString()).toBe(`ok /${i}`));
        expect(peak).toBeGreaterThan(100);
        await closeServer(server);
      });
    });

    it('answers pipelined requests in order', async () => {
      await withNetLoop(ctx, async (loop) => {
        const { server, port } = await serveOn(loop, (req, res) => res.end(`<${req.url}>`));
        const socket = connect({ loop, port, host: '127.0.0.1' });
        const reply = collect(socket);
        socket.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        const text = (await reply).toString();
        const bodies = [...text.matchAll(/<\/[abc]>/g)].map((m) => m[0]);
        expect(bodies).toEqual(['</a>', '</b>', '</c>']);
        expect(text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(3);
        await closeServer(server);
      });
    });

    it('streams chunked request and response bodies', async () => {
      await withNetLoop(ctx, async (loop) => {
        const { server, port } = await serveOn(loop, (req, res) => {
          expect(req.headers['transfer-encoding']).toBe('chunked');
          const hash = createHash('sha256');
          let parts = 0;
          req.on('data', (chunk: Buffer) => {
            hash.update(chunk);
            res.write(`part ${parts++}:${chunk.length}\n`); // a chunk per chunk received
          });
          req.on('end', () => res.end(`sha256 ${hash.digest('hex')}\n`));
        });
        const agent = new Agent({ loop });
        const pieces = Array.from({ length: 20 }, (_, i) => randomBytes(1000 + i * 100));
        const { status, headers, body } = await request({ port, method: 'POST', path: '/chunks', agent }, (req) => {
          const send = (i: number): void => {
            if (i === pieces.length) return void req.end();
            req.write(pieces[i], () => setImmediate(send, i + 1));
          };
          send(0);
        });
        expect(status).toBe(200);
        expect(headers['transfer-encoding']).toBe('chunked');
        const lines = body.toString().trim().split('\n');
        expect(lines.at(-1)).toBe(`sha256 ${sha256(Buffer.concat(pieces))}`);
        expect(lines.length).toBeGreaterThan(2);
        agent.destroy();
        await closeServer(server);
      });
    });

    it('uploads and downloads a big body, hash-checked', async () => {
      const size = ctx.bigTransfer;
      const payload = randomBytes(size);
      await withNetLoop(ctx, async (loop) => {
        const { server, port } = await serveOn(loop, (req, res) => {
          if (req.method === 'GET') {
            res.setHeader('content-length', payload.length);
            // Write in slices, honouring backpressure, as a file stream would.
            let at = 0;
            const pump = (): void => {
              while (at < payload.length) {
                const slice = payload.subarray(at, (at += 256 * 1024));
                if (!res.write(slice)) return void res.once('drain', pump);
              }
              res.end();
            };
            pump();
            return;
          }
          const hash = createHash('sha256');
          let bytes = 0;
          req.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            hash.update(chunk);
          });
          req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
        });
        const agent = new Agent({ loop, keepAlive: true });
        const upload = await request({ port, method: 'PUT', path: '/upload', agent }, (req) => {
          let at = 0;
          const pump = (): void => {
            while (at < payload.length) {
              const slice = payload.subarray(at, (at += 256 * 1024));
              if (!req.write(slice)) return void req.once('drain', pump);
            }
            req.end();
          };
          pump();
        });
        expect(JSON.parse(upload.body.toString())).toEqual({ bytes: size, sha256: sha256(payload) });
        const download = await request({ port, path: '/download', agent });
        expect(download.body.length).toBe(size);
        expect(sha256(download.body)).toBe(sha256(payload));
        agent.destroy();
        await closeServer(server);
      });
    }, 120_000 * SLOW);

    it('sees a client that aborts mid-body, and leaks nothing', async () => {
      await withNetLoop(ctx, async (loop) => {
        let resolveSeen: (how: string) => void;
        const seen = new Promise<string>((resolve) => (resolveSeen = resolve));
        let received = 0;
        const { server, port } = await serveOn(loop, (req, res) => {
          req.on('data', (chunk: Buffer) => (received += chunk.length));
          req.on('error', (error: NodeJS.ErrnoException) => resolveSeen(`error ${error.code}`));
          req.on('close', () => resolveSeen(req.complete ? 'complete' : 'aborted'));
          res.on('close', () => resolveSeen(res.writableFinished ? 'finished' : 'response closed'));
        });
        const socket = connect({ loop, port, host: '127.0.0.1' });
        socket.on('error', () => {});
        socket.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${1024 * 1024}\r\n\r\n`);
        socket.write(randomBytes(64 * 1024), () => {
          setTimeout(() => socket.destroy(), 20 * SLOW);
        });
        const how = await seen;
        expect(how).not.toBe('complete');
        expect(how).not.toBe('finished');
        expect(received).toBeGreaterThan(0);
        expect(received).toBeLessThan(1024 * 1024);
        await closeServer(server); // withNetLoop then checks loop.stats() is back to its baseline
      });
    });

    it('drops an idle client with setTimeout', async () => {
      await withNetLoop(ctx, async (loop) => {
        const { server, port } = await serveOn(loop, (_req, res) => res.end('never'));
        server.setTimeout(300);
        const socket = connect({ loop, port, host: '127.0.0.1' });
        const closed = nextEvent(socket, 'close');
        socket.on('error', () => {});
        socket.resume();
        await once(socket, 'connect');
        const started = Date.now();
        await closed;
        const idle = Date.now() - started;
        expect(idle).toBeGreaterThanOrEqual(250);
        expect(idle).toBeLessThan(10_000 * SLOW);
        await closeServer(server);
      });
    });

    it("answers garbage with node:http's 400 and closes", async () => {
      await withNetLoop(ctx, async (loop) => {
        const { server, port } = await serveOn(loop, (_req, res) => res.end('not for garbage'));
        const socket = connect({ loop, port, host: '127.0.0.1' });
        const reply = collect(socket);
        socket.write('this is not http\r\n\u0000\u0001\r\n\r\n');
        const text = (await reply).toString();
        expect(text.startsWith('HTTP/1.1 400 Bad Request')).toBe(true);
        expect(text).toMatch(/connection: close/i);
        await closeServer(server);
      });
    });

    it('serves a plain node:http client (node:net) too', async () => {
      await withNetLoop(ctx, async (loop) => {
        const { server, port } = await serveOn(loop, (req, res) => res.end(`plain ${req.method}`));
        const { body } = await request({ port, method: 'DELETE', agent: false });
        expect(body.toString()).toBe('plain DELETE');
        await closeServer(server);
      });
    });
  });

  void eventWithin;
}
