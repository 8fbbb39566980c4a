/**
 * Pipes: a local stream named by a path, with node:net's own pipe clients
 * and servers as the peers both ways. On Linux a pipe is a Unix domain
 * socket, which every backend drives as it drives TCP. On Windows it is a
 * named pipe, which every backend serves through overlapped I/O (the
 * readiness ones beside their wait).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Loop, Pipe, WsaloopError } from '@wsaloop/core';
import { everyoneAccess } from '@wsaloop/core/winsock';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type Conformance, pattern, SLOW, soak, withLoop } from './context.js';
import { nodePipeEcho, pipeNameGone } from './pipe-peers.js';

const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const WINDOWS = process.platform === 'win32';
const GENERIC_WRITE = 0x40000000;
const FILE_WRITE_DATA = 0x2;

/** A fresh pipe name: a path in a directory of this test file's own, or on Windows a name of this process's own. */
function pipePaths(): { next(): string; cleanup(): void } {
  let dir: string | null = null;
  let n = 0;
  return {
    next() {
      if (WINDOWS) return `\\\\.\\pipe\\wsaloop-${process.pid}-${Date.now()}-${n++}`;
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

function closeNodeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export function pipeTests(ctx: Conformance): void {
  const paths = pipePaths();
  afterAll(() => paths.cleanup());

  describe('pipes', () => {
    it(`echoes for ${soak(1000)} node:net clients at once, each byte-exact; the name is removed at close`, async () => {
      const clients = soak(1000);
      const path = paths.next();
      let echoes: Promise<Buffer[]> | null = null;
      let baseline: Record<string, number> = {};
      const loop = await withLoop(ctx, async (loop) => {
        baseline = loop.liveStats();
        const server = echoServer(loop, path, clients);
        expect(server.address()).toBe(path);
        echoes = Promise.all(Array.from({ length: clients }, (_, i) => nodePipeEcho(path, pattern(4096, i + 1))));
      });
      // The loop ends with its last close; the clients see their end just after.
      const echoed = await echoes!;
      expect(echoed).toHaveLength(clients);
      echoed.forEach((e, i) => expect(e.equals(pattern(4096, i + 1))).toBe(true));
      expect(await pipeNameGone(path)).toBe(true);
      expect(loop.liveStats()).toEqual(baseline);
    }, 60_000 * SLOW);

    it(`streams ${soak(64)} MiB each way byte-exact with a node:net pipe server, and ends with a half-close`, async () => {
      // The server echoes as it reads, and ends once the client has ended:
      // a real half-close on Linux. On Windows, whose named pipes have none,
      // the client's close is the server's end (the emulated half-close has
      // a test of its own below).
      const size = soak(64) * 1024 * 1024;
      const path = paths.next();
      const toServer = pattern(size, 3);
      let serverGot = '';
      const nodeServer = createServer((socket: Socket) => {
        const hash = createHash('sha256');
        socket.on('data', (d: Buffer) => {
          hash.update(d);
          if (!socket.write(d)) socket.pause();
        });
        socket.on('drain', () => socket.resume());
        socket.on('end', () => {
          serverGot = hash.digest('hex');
          socket.end();
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
            let got = 0;
            client.readStart((e, data) => {
              expect(e).toBeNull();
              if (!data) return void client.close();
              received.push(Buffer.from(data));
              got += data.length;
              // On Windows the end would be 50 ms of silence (see Pipe), which
              // a busy peer can outlast mid-stream: close once all is back.
              if (WINDOWS && got === size) client.close();
            });
          });
        });
      } finally {
        await closeNodeServer(nodeServer);
      }
      expect(remote).toBe(path);
      const all = Buffer.concat(received);
      expect(all.length).toBe(size);
      expect(digest(all)).toBe(digest(toServer));
      await vi.waitFor(() => expect(serverGot).toBe(digest(toServer)));
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
          return nodePipeEcho(path, pattern(10_000, 5));
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

    it('a pipe server started from a Node timer, while the loop waits on a socket alone, is served at once', async () => {
      const path = paths.next();
      let echoed: Promise<Buffer> | null = null;
      await withLoop(ctx, (loop) => {
        // The loop waits with one socket and no pipe: a readiness backend's wait on sockets alone.
        const keeper = loop.tcp().bind('127.0.0.1', 0).listen(1, () => {});
        setTimeout(() => {
          const server = echoServer(loop, path, 1);
          echoed = nodePipeEcho(path, pattern(1000, 7)).finally(() => {
            if (!server.isClosing()) server.close();
            keeper.close();
          });
        }, 50);
      });
      expect((await echoed!).equals(pattern(1000, 7))).toBe(true);
    }, 15_000 * SLOW);

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
        if (WINDOWS) {
          // A named pipe's access is its DACL: Everyone gets write access
          // (generic, or mapped to the file rights: FILE_WRITE_DATA is 0x2).
          // (What it had before differs: Windows lets Everyone read a new
          // pipe, Wine gives it no DACL, which lets everyone do anything.)
          pipe.chmod({ writable: true });
          const after = everyoneAccess(pipe.fd);
          expect(after).toBeGreaterThan(0);
          expect(after & (GENERIC_WRITE | FILE_WRITE_DATA)).not.toBe(0);
          mode = 0o222;
        } else {
          // Everyone may connect: write permission for all (uv_pipe_chmod).
          pipe.chmod({ writable: true });
          mode = statSync(path).mode & 0o222;
        }
        pipe.listen(8, () => {});
        pipe.close();
      });
      expect(codes).toEqual(['EADDRINUSE']);
      expect(mode).toBe(0o222);
    });

    it.skipIf(WINDOWS)('an abstract name (Linux): no file, a client reaches it, both ends report it', async () => {
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
        const tooLong = WINDOWS ? `\\\\.\\pipe\\${'x'.repeat(300)}` : `/tmp/${'x'.repeat(200)}`;
        expect(() => pipe.bind(tooLong)).toThrow(expect.objectContaining({ code: 'ENAMETOOLONG' }));
        if (WINDOWS) {
          // A path is not a pipe's name there: refused as node:net's pipes refuse it.
          expect(() => pipe.bind('C:\\wsaloop.sock')).toThrow(expect.objectContaining({ code: 'EACCES', message: expect.stringContaining('are named \\\\.\\pipe\\NAME') }));
          expect(() => pipe.connect('C:\\wsaloop.sock', () => {})).toThrow(expect.objectContaining({ code: 'ENOENT' }));
        }
        expect(() => pipe.listen(8)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
        pipe.connect(WINDOWS ? `\\\\.\\pipe\\wsaloop-no-such-pipe-${process.pid}` : join(tmpdir(), 'wsaloop-no-such-pipe.sock'), (e) => {
          errors.push(`${e?.syscall} ${e?.code}`);
          pipe.close();
        });
      });
      expect(errors).toEqual(['connect ENOENT']);
    });
  });

  describe.runIf(WINDOWS)('named pipes (Windows)', () => {
    it('a client that finds every instance busy waits, and connects once one is free', async () => {
      const path = paths.next();
      const events: string[] = [];
      let waitedMs = 0;
      await withLoop(ctx, (loop) => {
        // Bound, not listening: one instance, which the first client takes.
        const server = loop.pipe().bind(path);
        const first = loop.pipe();
        const second = loop.pipe();
        first.connect(path, (e) => {
          events.push(`first:${e?.code ?? 'ok'}`);
          const started = performance.now();
          second.connect(path, (e2) => {
            waitedMs = performance.now() - started;
            events.push(`second:${e2?.code ?? 'ok'}`);
            first.close();
            second.close();
            server.close();
          });
          // Every instance is busy until the server listens and makes more.
          loop.timer().start((t) => {
            t.close();
            events.push('listen');
            server.listen(8, (err, client) => client?.close());
          }, 300);
        });
      });
      expect(events).toEqual(['first:ok', 'listen', 'second:ok']);
      expect(waitedMs).toBeGreaterThanOrEqual(250);
    });

    it('node:net clients that end are seen to end; our shutdown is seen by node:net as its end', async () => {
      const path = paths.next();
      const seen: string[] = [];
      const nodeServer = createServer((socket: Socket) => {
        socket.on('data', () => {});
        socket.on('end', () => {
          seen.push('node-server-end');
          socket.end();
        });
      });
      await new Promise<void>((resolve) => nodeServer.listen(path, resolve));
      try {
        await withLoop(ctx, (loop) => {
          const client = loop.pipe();
          client.connect(path, () => {
            client.write('bye', () => client.shutdown(() => seen.push('shut-down')));
            client.readStart((e, data) => {
              if (data) return;
              seen.push(`our-end:${e?.code ?? 'eof'}`);
              client.close();
            });
          });
        });
      } finally {
        await closeNodeServer(nodeServer);
      }
      expect(seen).toEqual(['shut-down', 'our-end:eof', 'node-server-end']);
    });
  });
}
