/**
 * Pipes through node:net's API: `listen(path)`, `listen({ path })`,
 * `connect(path)`, `createConnection({ path })`, `server.address()` as the
 * path, node:http served on a pipe and requested with `socketPath`, and
 * node:net's own pipe servers and clients as the peers. Unix domain sockets
 * on Linux, named pipes on Windows.
 */
import http from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Agent, connect, createConnection, createServer, serve, Socket } from '../src/index.js';
import { echoThenEnd, pipeNameGone } from '@wsaloop/core/conformance';
import { collect, type NetConformance, sha256, withNetLoop } from './context.js';

const WINDOWS = process.platform === 'win32';

export function pipeTests(ctx: NetConformance): void {
  let dir: string | null = null;
  let n = 0;
  const nextPath = (): string =>
    WINDOWS ? `\\\\.\\pipe\\wsaloop-net-${process.pid}-${Date.now()}-${n++}` : join((dir ??= mkdtempSync(join(tmpdir(), 'wsaloop-net-pipes-'))), `p${n++}.sock`);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('pipes', () => {
    it('listen(path): node:net clients echo byte-exact; address() is the path; close removes it', async () => {
      await withNetLoop(ctx, async (loop) => {
        const path = nextPath();
        const server = createServer({ loop }, (socket) => socket.pipe(socket));
        server.listen(path);
        expect(server.address()).toBe(path);
        await once(server, 'listening');
        const payloads = Array.from({ length: 20 }, (_, i) => Buffer.alloc(64 * 1024 + i, i));
        const echoed = await Promise.all(
          payloads.map((payload) => echoThenEnd(net.connect(path), payload)),
        );
        echoed.forEach((e, i) => expect(e.equals(payloads[i]!)).toBe(true));
        server.close();
        await once(server, 'close');
        expect(await pipeNameGone(path)).toBe(true);
      });
    });

    it('connect({ path }), createConnection({ path }) and socket.connect(path) reach a node:net pipe server; TCP-only fields stay empty', async () => {
      const path = nextPath();
      const nodeServer = net.createServer((socket) => socket.pipe(socket));
      await new Promise<void>((resolve) => nodeServer.listen(path, resolve));
      try {
        await withNetLoop(ctx, async (loop) => {
          const clients = [() => connect({ path, loop }), () => createConnection({ path, loop }), () => new Socket({ loop }).connect(path)];
          for (const open of clients) {
            const client = open();
            await once(client, 'connect');
            expect(client.remoteAddress).toBeUndefined();
            expect(client.remotePort).toBeUndefined();
            expect(client.address()).toEqual({});
            client.setNoDelay(true).setKeepAlive(true, 1000); // no-ops on a pipe, as node:net
            const payload = Buffer.alloc(1024 * 1024, 7);
            expect(sha256(await echoThenEnd(client, payload))).toBe(sha256(payload));
          }
        });
      } finally {
        await new Promise((resolve) => nodeServer.close(resolve));
      }
    });

    it('node:http over a pipe: serve({ path }) answers http.request({ socketPath }), and our Agent reaches node:http on a pipe', async () => {
      await withNetLoop(ctx, async (loop) => {
        const path = nextPath();
        const server = serve(http.createServer((req, res) => res.end(`hello ${req.url}`)), { loop, path });
        await once(server, 'listening');
        expect(server.address()).toBe(path);
        const body = await new Promise<string>((resolve, reject) => {
          http.get({ socketPath: path, path: '/over-a-pipe' }, (res) => collect(res).then((b) => resolve(b.toString()), reject)).on('error', reject);
        });
        expect(body).toBe('hello /over-a-pipe');
        await new Promise((resolve) => server.close(resolve));
      });
      const nodePath = nextPath();
      const nodeHttp = http.createServer((req, res) => res.end(`node ${req.url}`));
      await new Promise<void>((resolve) => nodeHttp.listen(nodePath, resolve));
      try {
        await withNetLoop(ctx, async (loop) => {
          const agent = new Agent({ loop });
          const body = await new Promise<string>((resolve, reject) => {
            http.get({ socketPath: nodePath, path: '/from-wsaloop', agent }, (res) => collect(res).then((b) => resolve(b.toString()), reject)).on('error', reject);
          });
          expect(body).toBe('node /from-wsaloop');
          agent.destroy();
        });
      } finally {
        await new Promise((resolve) => nodeHttp.close(resolve));
      }
    });

    it('errors as node:net: a name in use is EADDRINUSE, a missing server ENOENT; writableAll opens the pipe to all', async () => {
      await withNetLoop(ctx, async (loop) => {
        const path = nextPath();
        const first = createServer({ loop }).listen({ path, writableAll: true, readableAll: true });
        await once(first, 'listening');
        // (On Windows the pipe's DACL changes: core's pipe tests read it back.)
        if (!WINDOWS) expect(statSync(path).mode & 0o666).toBe(0o666);
        const second = createServer({ loop }).listen(path);
        const [inUse] = (await once(second, 'error')) as [NodeJS.ErrnoException];
        expect(inUse).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen', address: path });
        expect(inUse.message).toBe(`listen EADDRINUSE: address already in use ${path}`);
        first.close();
        await once(first, 'close');
        const client = connect({ path, loop });
        const [missing] = (await once(client, 'error')) as [NodeJS.ErrnoException];
        expect(missing).toMatchObject({ code: 'ENOENT', syscall: 'connect', address: path });
        expect(missing.message).toBe(`connect ENOENT ${path}`);
      });
    });
  });
}
