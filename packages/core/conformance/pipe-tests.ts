/**
 * Pipes: a local stream named by a path, with node:net's own pipe clients
 * and servers as the peers both ways. On Linux a pipe is a Unix domain
 * socket, which every backend drives as it drives TCP. Windows' named pipes
 * are not built yet: there a pipe must refuse at once, with `ENOTSUP`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Loop, Pipe, WsaloopError } from '@wsaloop/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type Conformance, pattern, SLOW, soak, withLoop } from './context.js';

const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A fresh pipe path in a directory of this test file's own. */
function pipePaths(): { next(): string; cleanup(): void } {
  let dir: string | null = null;
  let n = 0;
  return {
    next() {
      dir ??= mkdtempSync(join(tmpdir(), 'wsaloop-pipes-'));
      return join(dir, `p${n++}.sock`);
    },
    cleanup() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An echo server on `path` that half-closes after its echoes at end of stream, and stops listening after `connections`. */
function echoServer(loop: Loop, path: string, connections: number): Pipe {
  const server = loop.pipe().bind(path);
  let accepted = 0;
  server.listen(1024, (err, client) => {
    if (err || !client) throw err;
    if (++accepted === connections) server.close();
    client.readStart((e, data) => {
      if (data) return void client.write(data, () => {});
      if (e) client.close();
      else client.shutdown(() => client.close());
    });
  });
  return server;
}

/** A node:net client that sends `payload`, half-closes, and resolves with everything it got back. */
function nodeEcho(path: string, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(path, () => socket.end(payload));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

function closeNodeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export function pipeTests(ctx: Conformance): void {
  const paths = pipePaths();
  afterAll(() => paths.cleanup());

  describe.skipIf(process.platform === 'win32')('pipes', () => {
    it(`echoes for ${soak(1000)} node:net clients at once, each byte-exact; the name is removed at close`, async () => {
      const clients = soak(1000);
      const path = paths.next();
      let echoes: Promise<Buffer[]> | null = null;
      let baseline: Record<string, number> = {};
      const loop = await withLoop(ctx, async (loop) => {
        baseline = loop.liveStats();
        const server = echoServer(loop, path, clients);
        expect(server.address()).toBe(path);
        echoes = Promise.all(Array.from({ length: clients }, (_, i) => nodeEcho(path, pattern(4096, i + 1))));
      });
      // The loop ends with its last close; the clients see their end just after.
      const echoed = await echoes!;
      expect(echoed).toHaveLength(clients);
      echoed.forEach((e, i) => expect(e.equals(pattern(4096, i + 1))).toBe(true));
      expect(existsSync(path)).toBe(false);
      expect(loop.liveStats()).toEqual(baseline);
    }, 60_000 * SLOW);

    it('streams 64 MiB each way byte-exact to a node:net pipe server, with half-close', async () => {
      const size = 64 * 1024 * 1024;
      const path = paths.next();
      const toServer = pattern(size, 3);
      const toClient = pattern(size, 4);
      let serverGot = '';
      const nodeServer = createServer((socket: Socket) => {
        const hash = createHash('sha256');
        socket.on('data', (d: Buffer) => hash.update(d));
        // The client half-closed: everything arrived; answer, then end.
        socket.on('end', () => {
          serverGot = hash.digest('hex');
          socket.end(toClient);
        });
      });
      await new Promise<void>((resolve) => nodeServer.listen(path, resolve));
      const received: Buffer[] = [];
      let remote = '';
      try {
        await withLoop(ctx, (loop) => {
          const client = loop.pipe();
          client.connect(path, (err) => {
            expect(err).toBeNull();
            remote = client.remoteAddress();
            for (let at = 0; at < size; at += 1024 * 1024) client.write(toServer.subarray(at, at + 1024 * 1024), (e) => expect(e).toBeNull());
            client.shutdown((e) => expect(e).toBeNull());
            client.readStart((e, data) => {
              expect(e).toBeNull();
              if (data) received.push(Buffer.from(data));
              else client.close();
            });
          });
        });
      } finally {
        await closeNodeServer(nodeServer);
      }
      expect(remote).toBe(path);
      expect(serverGot).toBe(digest(toServer));
      const all = Buffer.concat(received);
      expect(all.length).toBe(size);
      expect(digest(all)).toBe(digest(toClient));
    }, 60_000 * SLOW);

    it('a client that dies mid-transfer costs its own connection; the next is served; nothing leaks', async () => {
      const path = paths.next();
      const outcomes: string[] = [];
      let baseline: Record<string, number> = {};
      let polite: Promise<Buffer> | null = null;
      const loop = await withLoop(ctx, (loop) => {
        baseline = loop.liveStats();
        const server = loop.pipe().bind(path);
        server.on('error', (e: WsaloopError) => outcomes.push(`listener:${e.code}`));
        let n = 0;
        server.listen(64, (err, client) => {
          if (err || !client) return void outcomes.push(`listener:${err?.code}`);
          if (n++ === 0) {
            // Streams to a client that goes away: the write or the read fails, this connection only.
            const pump = (): void => {
              if (client.isClosing()) return;
              client.write(Buffer.alloc(1024 * 1024), (e) => {
                if (e) {
                  outcomes.push(`write:${e.code}`);
                  if (!client.isClosing()) client.close();
                } else pump();
              });
            };
            pump();
            client.readStart((e, data) => {
              if (data) return;
              outcomes.push(`read:${e?.code ?? 'eof'}`);
              if (!client.isClosing()) client.close();
            });
            return;
          }
          server.close();
          client.readStart((e, data) => (data ? client.write(data, () => {}) : client.shutdown(() => client.close())));
        });
        polite = (async () => {
          const victim = connect(path);
          victim.on('error', () => {});
          await new Promise<void>((r) => victim.once('data', () => r()));
          victim.destroy();
          return nodeEcho(path, pattern(10_000, 5));
        })();
      });
      expect(outcomes.filter((o) => o.startsWith('listener'))).toEqual([]);
      // The stream learned of the death (a failed write, or a read's reset or end; a write then cut short by the close).
      const connection = outcomes.filter((o) => !o.startsWith('listener'));
      expect(connection.length).toBeGreaterThan(0);
      for (const o of connection) expect(['write:EPIPE', 'write:ECONNRESET', 'write:ECANCELED', 'read:ECONNRESET', 'read:eof']).toContain(o);
      expect((await polite!).equals(pattern(10_000, 5))).toBe(true);
      expect(loop.liveStats()).toEqual(baseline);
    }, 30_000 * SLOW);

    it('closing with a connect, a write and accepts in flight cancels them and leaks nothing', async () => {
      const path = paths.next();
      const events: string[] = [];
      let baseline: Record<string, number> = {};
      const loop = await withLoop(ctx, (loop) => {
        baseline = loop.liveStats();
        const server = loop.pipe().bind(path);
        const peers: Pipe[] = [];
        server.listen(64, (err, conn) => conn && peers.push(conn)); // never read
        const writer = loop.pipe();
        writer.connect(path, () => {
          writer.write(Buffer.alloc(16 * 1024 * 1024, 1), (e) => events.push(`write:${e?.code ?? 'ok'}`));
          loop.timer().start((t) => {
            t.close();
            writer.close(() => events.push('writer-closed'));
            server.close(() => events.push('server-closed'));
            for (const p of peers) p.close();
          }, 100);
        });
      });
      expect(events).toContain('write:ECANCELED');
      expect(events.indexOf('write:ECANCELED')).toBeLessThan(events.indexOf('writer-closed'));
      expect(loop.liveStats()).toEqual(baseline);
    }, 30_000 * SLOW);

    it('a name in use is EADDRINUSE (node:net holds it); once that server closes, the name binds, and chmod opens it to all', async () => {
      const path = paths.next();
      const nodeServer = createServer();
      await new Promise<void>((resolve) => nodeServer.listen(path, resolve));
      const codes: string[] = [];
      await withLoop(ctx, (loop) => {
        const pipe = loop.pipe();
        try {
          pipe.bind(path);
        } catch (e) {
          codes.push((e as WsaloopError).code);
        }
        pipe.close();
      });
      await closeNodeServer(nodeServer);
      let mode = 0;
      await withLoop(ctx, (loop) => {
        const pipe = loop.pipe().bind(path);
        // Everyone may connect: write permission for all (uv_pipe_chmod).
        pipe.chmod({ writable: true });
        mode = statSync(path).mode & 0o222;
        pipe.listen(8, () => {});
        pipe.close();
      });
      expect(codes).toEqual(['EADDRINUSE']);
      expect(mode).toBe(0o222);
    });

    it('an abstract name (Linux): no file, a client reaches it, both ends report it', async () => {
      // Our own client: Node 20's node:net pads abstract names to all 108 bytes, a different name (see Pipe).
      const name = `\0wsaloop-${process.pid}-${Date.now()}`;
      const seen: string[] = [];
      await withLoop(ctx, (loop) => {
        const server = echoServer(loop, name, 1);
        seen.push(server.address());
        const client = loop.pipe();
        client.connect(name, (err) => {
          expect(err).toBeNull();
          seen.push(client.remoteAddress());
          client.write('abstract', () => client.shutdown(() => {}));
          let got = '';
          client.readStart((e, data) => {
            if (data) got += data.toString();
            else {
              seen.push(got);
              client.close();
            }
          });
        });
      });
      expect(seen).toEqual([name, name, 'abstract']);
    });

    it('bad names and missing servers fail clearly: TypeError, ENAMETOOLONG, ENOENT, EINVAL', async () => {
      const errors: string[] = [];
      await withLoop(ctx, (loop) => {
        const pipe = loop.pipe();
        for (const bad of ['', 'a\0b', 42 as unknown as string]) {
          expect(() => pipe.bind(bad)).toThrow(TypeError);
          expect(() => pipe.connect(bad, () => {})).toThrow(TypeError);
        }
        expect(() => pipe.bind(`/tmp/${'x'.repeat(200)}`)).toThrow(expect.objectContaining({ code: 'ENAMETOOLONG' }));
        expect(() => pipe.listen(8)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
        pipe.connect(join(tmpdir(), 'wsaloop-no-such-pipe.sock'), (e) => {
          errors.push(`${e?.syscall} ${e?.code}`);
          pipe.close();
        });
      });
      expect(errors).toEqual(['connect ENOENT']);
    });
  });

  describe.runIf(process.platform === 'win32')('pipes on Windows', () => {
    it('refuse at once with ENOTSUP: named pipes are not built yet', async () => {
      await withLoop(ctx, (loop) => {
        const pipe = loop.pipe();
        expect(() => pipe.bind('\\\\.\\pipe\\wsaloop-test')).toThrow(expect.objectContaining({ code: 'ENOTSUP' }));
        expect(() => pipe.connect('\\\\.\\pipe\\wsaloop-test', () => {})).toThrow(expect.objectContaining({ code: 'ENOTSUP' }));
        pipe.close();
      });
    });
  });
}
