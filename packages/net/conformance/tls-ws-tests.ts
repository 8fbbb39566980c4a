/** TLS (https and raw tls) and WebSockets (the ws package) over the backend. */
import https from 'node:https';
import tls from 'node:tls';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import http from 'node:http';
import { connect, connector, HttpsAgent, selfSignedCertificate, serve } from '../src/index.js';
import { collect, type NetConformance, nextEvent, SLOW, sha256, withNetLoop } from './context.js';

const certificate = selfSignedCertificate();

export function tlsWsTests(ctx: NetConformance): void {
  describe('TLS and WebSockets', () => {
    it('TLS: handshake, then a big transfer each way byte-exact', async () => {
      const size = ctx.tlsTransfer;
      const payload = randomBytes(size);
      await withNetLoop(ctx, async (loop) => {
        const server = serve(
          tls.createServer(certificate, (secure) => secure.pipe(secure)),
          { loop, port: 0, host: '127.0.0.1' },
        );
        await once(server, 'listening');
        const port = (server.address() as { port: number }).port;
        const raw = connect({ loop, port, host: '127.0.0.1' });
        const client = tls.connect({ socket: raw, servername: 'localhost', ca: certificate.cert });
        await once(client, 'secureConnect');
        expect(client.authorized).toBe(true);
        expect(client.getProtocol()).toMatch(/^TLSv1\.[23]$/);
        const echoed = collect(client);
        let at = 0;
        while (at < payload.length) {
          const slice = payload.subarray(at, (at += 256 * 1024));
          if (!client.write(slice)) await once(client, 'drain');
        }
        client.end();
        const back = await echoed;
        expect(back.length).toBe(size);
        expect(sha256(back)).toBe(sha256(payload));
        await nextEvent(raw, 'close');
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });
    }, 120_000 * SLOW);

    it('HTTPS: an https.Server served, and requests through HttpsAgent', async () => {
      await withNetLoop(ctx, async (loop) => {
        const server = serve(https.createServer(certificate, (req, res) => res.end(`secure ${req.url}`)), {
          loop,
          port: 0,
          host: '127.0.0.1',
        });
        await once(server, 'listening');
        const port = (server.address() as { port: number }).port;
        const agent = new HttpsAgent({ loop, keepAlive: true, ca: certificate.cert });
        for (const path of ['/one', '/two']) {
          const body = await new Promise<string>((resolve, reject) => {
            https
              .get({ host: '127.0.0.1', servername: 'localhost', port, path, agent }, (res) => {
                collect(res).then((b) => resolve(b.toString()), reject);
              })
              .on('error', reject);
          });
          expect(body).toBe(`secure ${path}`);
        }
        agent.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });
    });

    it("WebSockets: 'upgrade' hands the socket to ws; 10,000 messages echoed, then a clean close", async () => {
      await withNetLoop(ctx, async (loop) => {
        const wss = new WebSocketServer({ noServer: true });
        wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
        const server = serve(
          http.createServer((_req, res) => res.end('use a WebSocket')),
          { loop, port: 0, host: '127.0.0.1' },
        );
        server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
        await once(server, 'listening');
        const port = (server.address() as { port: number }).port;
        const client = new WebSocket(`ws://127.0.0.1:${port}/echo`, { createConnection: connector(loop) } as never);
        await once(client, 'open');
        const count = 10_000;
        let received = 0;
        let inOrder = true;
        const done = new Promise<void>((resolve) => {
          client.on('message', (data) => {
            if (data.toString() !== `message ${received}`) inOrder = false;
            if (++received === count) resolve();
          });
        });
        for (let i = 0; i < count; i++) client.send(`message ${i}`);
        await done;
        expect(inOrder).toBe(true);
        const serverSide = [...wss.clients][0]!;
        const serverClosed = nextEvent<[number, Buffer]>(serverSide, 'close');
        const closed = nextEvent<[number, Buffer]>(client, 'close');
        client.close(1000, 'done');
        const [code, reason] = await closed;
        expect(code).toBe(1000);
        expect(reason.toString()).toBe('done');
        expect((await serverClosed)[0]).toBe(1000);
        wss.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });
    });
  });
}
