/** TCP: echo integrity, scale, half-close, resets, refusals, use after close, backpressure, IPv6. */
import { createHash } from 'node:crypto';
import type { Loop, Tcp, WsaloopError } from '@wsaloop/core';
import { describe, expect, it } from 'vitest';
import { type Conformance, pattern, SLOW, withLoop } from './context.js';

const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * An echo server: at end of stream it half-closes after its echoes are sent,
 * then closes; it stops listening after `connections` connections.
 */
function echoServer(loop: Loop, host: string, connections: number): Tcp {
  const server = loop.tcp().bind(host, 0);
  let accepted = 0;
  server.listen(1024, (err, client) => {
    if (err || !client) throw err;
    if (++accepted === connections) server.close();
    client.readStart((e, data) => {
      if (data) {
        client.write(data, () => {});
        return;
      }
      client.shutdown(() => client.close());
    });
  });
  return server;
}

/** The code of the error `fn` throws, if any. */
function codeOf(fn: () => unknown): string[] {
  try {
    fn();
    return [];
  } catch (error) {
    return [(error as WsaloopError).code];
  }
}

export function tcpTests(ctx: Conformance): void {
  describe('tcp', () => {
    it('echoes 10 MiB byte-exact, in order, with gather writes', async () => {
      const payload = pattern(10 * 1024 * 1024, 7);
      const received: Buffer[] = [];
      let connected = false;
      await withLoop(ctx, (loop) => {
        const server = echoServer(loop, '127.0.0.1', 1);
        const client = loop.tcp();
        client.connect('127.0.0.1', server.address().port, (err) => {
          expect(err).toBeNull();
          connected = true;
          // Mix single writes with gather writes of several slices.
          const chunk = 256 * 1024;
          for (let at = 0, n = 0; at < payload.length; at += chunk, n++) {
            const slice = payload.subarray(at, at + chunk);
            if (n % 2 === 0) client.write(slice, (e) => expect(e).toBeNull());
            else client.write([slice.subarray(0, 1000), slice.subarray(1000, 5000), slice.subarray(5000)], (e) => expect(e).toBeNull());
          }
          client.shutdown((e) => expect(e).toBeNull());
        });
        client.on('connect', () => {
          client.readStart((e, data) => {
            expect(e).toBeNull();
            if (data) received.push(Buffer.from(data));
            else client.close();
          });
        });
      });
      expect(connected).toBe(true);
      const echoed = Buffer.concat(received);
      expect(echoed.length).toBe(payload.length);
      expect(digest(echoed)).toBe(digest(payload));
    }, 120_000 * SLOW);

    it(`serves ${ctx.connections} concurrent connections`, async () => {
      const n = ctx.connections;
      let ok = 0;
      let accepted = 0;
      let maxOpen = 0;
      let open = 0;
      await withLoop(ctx, (loop) => {
        const server = loop.tcp().bind('127.0.0.1', 0);
        const clients: Tcp[] = [];
        let done = 0;
        let connected = 0;
        // Nobody writes until every connection is up on both ends: truly concurrent.
        const maybeStart = (): void => {
          if (connected === n && accepted === n) {
            for (const [j, cl] of clients.entries()) cl.write(`client-${j};`, () => {});
          }
        };
        server.listen(n, (err, client) => {
          expect(err).toBeNull();
          accepted++;
          open++;
          maxOpen = Math.max(maxOpen, open);
          client!.readStart((e, data) => {
            if (data) return void client!.write(data, () => {});
            open--;
            client!.close();
            if (++done === n) server.close();
          });
          maybeStart();
        });
        const port = server.address().port;
        for (let i = 0; i < n; i++) {
          const c = loop.tcp();
          clients.push(c);
          let reply = '';
          c.connect('127.0.0.1', port, (err) => {
            expect(err).toBeNull();
            connected++;
            c.readStart((e, data) => {
              expect(e).toBeNull();
              if (!data) return;
              reply += data.toString();
              if (reply === `client-${i};`) {
                ok++;
                c.close();
              }
            });
            maybeStart();
          });
        }
      });
      expect(accepted).toBe(n);
      expect(ok).toBe(n);
      expect(maxOpen).toBe(n);
    }, 300_000 * SLOW);

    it('half-close: the peer sees end of stream, then still sends its answer', async () => {
      let answer = '';
      let serverSawEnd = false;
      let clientSawEnd = false;
      await withLoop(ctx, (loop) => {
        const server = loop.tcp().bind('127.0.0.1', 0);
        server.listen(8, (err, conn) => {
          let request = '';
          conn!.readStart((e, data) => {
            if (data) return void (request += data.toString());
            serverSawEnd = true;
            conn!.write(`got ${request}`, () => conn!.close());
            server.close();
          });
        });
        const client = loop.tcp();
        client.connect('127.0.0.1', server.address().port).then(async () => {
          client.readStart((e, data) => {
            if (data) return void (answer += data.toString());
            clientSawEnd = true;
            client.close();
          });
          await client.write('question');
          await client.shutdown();
          await expect(client.write('late')).rejects.toMatchObject({ code: 'EPIPE' });
        });
      });
      expect(serverSawEnd).toBe(true);
      expect(clientSawEnd).toBe(true);
      expect(answer).toBe('got question');
    });

    it('a read callback that throws fails run(), and reading goes on when run() is called again', async () => {
      const loop = ctx.makeLoop();
      const got: string[] = [];
      const server = loop.tcp().bind('127.0.0.1', 0);
      let peer: Tcp | undefined;
      server.listen(8, (err, conn) => {
        peer = conn!;
        conn!.readStart((e, data) => {
          if (!data) return void conn!.close();
          got.push(data.toString());
          if (got.length === 1) throw new Error('reader bug');
        });
      });
      const client = loop.tcp();
      client.connect('127.0.0.1', server.address().port, () => client.write('first', () => {}));
      await expect(loop.run()).rejects.toThrow('reader bug');
      client.write('second', () => client.shutdown(() => client.close()));
      server.close();
      await loop.run();
      expect(got.join('')).toBe('firstsecond');
      expect(peer?.isClosed()).toBe(true);
      loop.close();
    });

    it('a peer reset surfaces as ECONNRESET', async () => {
      let readError = null as WsaloopError | null;
      let writeError = null as WsaloopError | null;
      await withLoop(ctx, (loop) => {
        const server = loop.tcp().bind('127.0.0.1', 0);
        server.listen(8, (err, conn) => {
          // Wait for the client's first bytes so the reset hits an open, reading peer.
          conn!.readStart(() => {
            conn!.reset();
            server.close();
          });
        });
        const client = loop.tcp();
        client.connect('127.0.0.1', server.address().port, () => {
          client.readStart((e, data) => {
            if (e) readError = e;
            if (data) return;
            // Windows and Linux fail the read itself. Wine's non-overlapped
            // recv reports a reset peer as end of stream (its server consumes
            // the error), and only the next send fails: accept either, never
            // a reset that goes unreported.
            client.write('after reset', (we) => {
              writeError = we;
              client.close();
            });
          });
          client.write('hello', () => {});
        });
      });
      const reported = readError ?? writeError;
      expect(reported).not.toBeNull();
      expect(reported!.code).toBe('ECONNRESET');
      expect(typeof reported!.errno).toBe('number');
      if (process.platform === 'linux') expect(readError).not.toBeNull();
    });

    it('a refused connect fails with ECONNREFUSED and the native code', async () => {
      let error: WsaloopError | null = null;
      let port = 0;
      await withLoop(ctx, (loop) => {
        // A port bound but not listening refuses connections, and stays
        // reserved: a port merely closed could be handed to the client
        // itself as its ephemeral port, and it would connect to itself.
        const probe = loop.tcp().bind('127.0.0.1', 0);
        port = probe.address().port;
        const client = loop.tcp();
        client.connect('127.0.0.1', port, (err) => {
          error = err;
          client.close();
          probe.close();
        });
      });
      expect(error).not.toBeNull();
      expect(error!.code).toBe('ECONNREFUSED');
      expect(error!.syscall).toBe('connect');
      expect(error!.port).toBe(port);
      expect(error!.errno).toBeGreaterThan(0);
      if (process.platform === 'win32') expect(error!.wsaError).toBe(error!.errno);
    });

    it('use after close: writes fail with EBADF, queued writes with ECANCELED before the close callback', async () => {
      const events: string[] = [];
      await withLoop(ctx, (loop) => {
        const server = loop.tcp().bind('127.0.0.1', 0);
        let peer: Tcp | undefined;
        server.listen(8, (err, conn) => {
          peer = conn; // never reads: the client's big write cannot finish
        });
        const client = loop.tcp();
        client.connect('127.0.0.1', server.address().port, () => {
          client.write(Buffer.alloc(64 * 1024 * 1024), (e) => events.push(`big:${e?.code ?? 'ok'}`));
          loop.timer().start((t) => {
            t.close();
            client.close(() => {
              events.push('close');
              peer?.close();
              server.close();
            });
            client.write('after', (e) => events.push(`after:${e?.code}`));
            expect(() => client.readStart()).toThrow(expect.objectContaining({ code: 'EBADF' }));
            expect(() => client.setNoDelay(true)).toThrow(expect.objectContaining({ code: 'EBADF' }));
          }, 50);
        });
      });
      expect(events).toContain('after:EBADF');
      expect(events).toContain('big:ECANCELED');
      expect(events.indexOf('big:ECANCELED')).toBeLessThan(events.indexOf('close'));
    }, 60_000 * SLOW);

    it('tryWrite sends at once on a reactor (never on a proactor), takes nothing while writes are queued, and the rest follows in order', async () => {
      const payload = pattern(16 * 1024 * 1024, 11);
      const received: Buffer[] = [];
      const errors: string[] = [];
      let triedBytes = -1;
      let immediate = false;
      await withLoop(ctx, (loop) => {
        immediate = loop.backend.kind === 'reactor';
        const server = loop.tcp().bind('127.0.0.1', 0);
        server.listen(8, (err, conn) => {
          server.close();
          conn!.readStart((e, data) => {
            expect(e).toBeNull();
            if (data) received.push(Buffer.from(data));
            else conn!.close();
          });
        });
        const client = loop.tcp();
        errors.push(...codeOf(() => client.tryWrite('early')));
        client.connect('127.0.0.1', server.address().port, (err) => {
          expect(err).toBeNull();
          const hello = client.tryWrite(['he', 'llo']);
          expect(hello).toBe(immediate ? 5 : 0);
          if (hello === 0) client.write('hello', (e) => expect(e).toBeNull());
          // Try until the socket is full, or the backend takes nothing at once.
          let at = 0;
          for (let sent = 1; sent > 0 && at < payload.length && hello > 0; at += sent) sent = client.tryWrite(payload.subarray(at));
          triedBytes = at;
          client.write([payload.subarray(at), Buffer.from('!')], (e) => expect(e).toBeNull());
          // A write is queued: a try may not overtake it.
          expect(client.tryWrite('overtaker')).toBe(0);
          client.shutdown(() => {
            errors.push(...codeOf(() => client.tryWrite('late')));
            client.close(() => errors.push(...codeOf(() => client.tryWrite('closed'))));
          });
        });
      });
      expect(errors).toEqual(['ENOTCONN', 'EPIPE', 'EBADF']);
      expect(triedBytes > 0).toBe(immediate);
      const all = Buffer.concat(received);
      expect(all.length).toBe(5 + payload.length + 1);
      expect(all.subarray(0, 5).toString()).toBe('hello');
      expect(digest(all.subarray(5, 5 + payload.length))).toBe(digest(payload));
      expect(all.subarray(-1).toString()).toBe('!');
    }, 60_000 * SLOW);

    it('readStart() without a callback resumes into the callback given before', async () => {
      const seen: string[] = [];
      await withLoop(ctx, (loop) => {
        const server = loop.tcp().bind('127.0.0.1', 0);
        server.listen(8, (err, conn) => {
          server.close();
          const onRead = (e: WsaloopError | null, data: Buffer | null): void => {
            expect(e).toBeNull();
            if (!data) return void conn!.close();
            seen.push(data.toString());
            if (seen.length === 1) {
              conn!.readStop();
              // Resume later, the way a paused Node stream is resumed: no argument.
              loop.timer().start((t) => {
                t.close();
                conn!.readStart();
              }, 50);
            }
          };
          conn!.readStart(onRead);
        });
        const client = loop.tcp();
        client.connect('127.0.0.1', server.address().port, () => {
          client.write('first', () => {
            loop.timer().start((t) => {
              t.close();
              client.write('second', () => client.shutdown(() => client.close()));
            }, 20);
          });
        });
      });
      expect(seen.join('')).toBe('firstsecond');
      expect(seen[0]).toBe('first');
    });

    it('backpressure: a slow reader bounds the writer and loses nothing', async () => {
      const total = 16 * 1024 * 1024;
      const chunk = 64 * 1024;
      const highWater = 512 * 1024;
      const payload = pattern(total, 3);
      const received: Buffer[] = [];
      let maxQueued = 0;
      let writerBlocked = false;
      let dataWhileStopped = 0;
      await withLoop(ctx, (loop) => {
        const server = loop.tcp().bind('127.0.0.1', 0);
        server.listen(8, (err, conn) => {
          let got = 0;
          let paused = false;
          const onData = (e: WsaloopError | null, data: Buffer | null): void => {
            if (paused && data) dataWhileStopped++;
            if (!data) {
              conn!.close();
              server.close();
              return;
            }
            received.push(Buffer.from(data));
            got += data.length;
          };
          // Read for 20 ms, pause for 60 ms, repeatedly.
          const cycle = loop.timer();
          let reading = false;
          cycle.start(() => {
            if (got >= total) return void cycle.close();
            reading = !reading;
            paused = !reading;
            if (reading) conn!.readStart(onData);
            else conn!.readStop();
            cycle.repeat = reading ? 20 : 60;
          }, 60, 60);
        });
        const client = loop.tcp();
        client.connect('127.0.0.1', server.address().port, () => {
          let sent = 0;
          let finished = false;
          const pump = (): void => {
            if (finished) return;
            while (sent < total && client.writeQueueSize < highWater) {
              client.write(payload.subarray(sent, sent + chunk), (e) => expect(e).toBeNull());
              sent += chunk;
              maxQueued = Math.max(maxQueued, client.writeQueueSize);
            }
            if (client.writeQueueSize >= highWater) writerBlocked = true;
            if (sent >= total) {
              finished = true;
              client.shutdown(() => client.close());
            }
          };
          client.on('drain', pump);
          pump();
        });
      });
      const all = Buffer.concat(received);
      expect(all.length).toBe(total);
      expect(digest(all)).toBe(digest(payload));
      expect(maxQueued).toBeLessThanOrEqual(highWater + chunk);
      expect(writerBlocked).toBe(true);
      expect(dataWhileStopped).toBe(0);
    }, 180_000 * SLOW);

    it('IPv6: echo over ::1, with addresses reported as IPv6', async () => {
      let reply = '';
      let remote: { address: string; family: string } | undefined;
      await withLoop(ctx, (loop) => {
        const server = echoServer(loop, '::1', 1);
        expect(server.address()).toMatchObject({ address: '::1', family: 'IPv6' });
        const client = loop.tcp();
        client.connect('::1', server.address().port, (err) => {
          expect(err).toBeNull();
          remote = client.remoteAddress();
          client.readStart((e, data) => {
            if (data) reply += data.toString();
            else client.close();
          });
          client.write('over v6', () => client.shutdown(() => {}));
        });
      });
      expect(remote).toMatchObject({ address: '::1', family: 'IPv6' });
      expect(reply).toBe('over v6');
    });

    it('reports local and remote addresses and applies socket options', async () => {
      await withLoop(ctx, (loop) => {
        const server = loop.tcp().bind('127.0.0.1', 0);
        server.listen(8, (err, conn) => {
          expect(conn!.remoteAddress().address).toBe('127.0.0.1');
          conn!.close();
          server.close();
        });
        const port = server.address().port;
        const client = loop.tcp();
        client.connect('127.0.0.1', port, () => {
          expect(client.remoteAddress()).toEqual({ address: '127.0.0.1', family: 'IPv4', port });
          expect(client.address().port).toBeGreaterThan(0);
          client.setNoDelay(true).setKeepAlive(true, 1000);
          client.close();
        });
      });
    });
  });
}
