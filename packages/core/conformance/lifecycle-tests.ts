/**
 * Closing with I/O in flight, and leaks: every operation a close cuts short
 * reports ECANCELED before the close callback, and every native resource the
 * backend counts in `loop.stats()` returns to its baseline (pool capacities,
 * keys ending in `Allocated`, may stay grown).
 */
import { connect, type Socket } from 'node:net';
import type { Loop, Tcp, WsaloopError } from '@wsaloop/core';
import { describe, expect, it } from 'vitest';
import { type Conformance, SLOW, soak, withLoop } from './context.js';

export function lifecycleTests(ctx: Conformance): void {
  describe('closing with I/O in flight', () => {
    it('cancels a large write, a pending connect, pending accepts and a pending read; leaks nothing', async () => {
      const events: string[] = [];
      let baseline: Record<string, number> = {};
      let after: Record<string, number> = {};
      const loop = await withLoop(ctx, (loop) => {
        baseline = loop.liveStats();
        const server = loop.tcp().bind('127.0.0.1', 0);
        const port = server.address().port;
        const peers: Tcp[] = [];
        server.listen(64, (err, conn) => {
          if (conn) peers.push(conn); // never read: the big write cannot finish
        });
        const writer = loop.tcp();
        writer.connect('127.0.0.1', port, () => {
          writer.write(Buffer.alloc(32 * 1024 * 1024, 1), (e) => events.push(`write:${e?.code ?? 'ok'}`));
          writer.readStart((e, data) => events.push(`read:${e?.code ?? (data ? 'data' : 'eof')}`));
          loop.timer().start((t) => {
            t.close();
            // A connect closed before it can complete.
            const connecting = loop.tcp();
            connecting.connect('127.0.0.1', port, (e) => events.push(`connect:${e?.code ?? 'ok'}`));
            connecting.close(() => events.push('connecting-closed'));
            writer.close(() => events.push('writer-closed'));
            server.close(() => events.push('server-closed'));
            for (const p of peers) p.close();
          }, 100);
        });
      });
      after = loop.liveStats();
      expect(events).toContain('write:ECANCELED');
      expect(events).toContain('connect:ECANCELED');
      expect(events.indexOf('write:ECANCELED')).toBeLessThan(events.indexOf('writer-closed'));
      expect(events.indexOf('connect:ECANCELED')).toBeLessThan(events.indexOf('connecting-closed'));
      expect(events).toContain('server-closed');
      // A read cut short by the reader's own close is not reported.
      expect(events.filter((e) => e.startsWith('read:'))).toEqual([]);
      expect(after).toEqual(baseline);
    }, 60_000 * SLOW);

    it('a socket that was only bound, or failed to bind, leaks nothing once closed', async () => {
      let baseline: Record<string, number> = {};
      const loop = await withLoop(ctx, (loop) => {
        baseline = loop.liveStats();
        const first = loop.tcp().bind('127.0.0.1', 0).listen(8);
        const taken = loop.tcp();
        expect(() => taken.bind('127.0.0.1', first.address().port)).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
        taken.close();
        first.close();
      });
      expect(loop.liveStats()).toEqual(baseline);
    });

    it('takes a burst of connections queued in the backlog, serves each, and leaks nothing', async () => {
      // Clients of Node's own loop connect while this loop is not running
      // yet: the connections wait in the listener's backlog, which the loop
      // then takes in one go (a proactor with accept() and extra accepts).
      const burst = 300;
      let baseline: Record<string, number> = {};
      let served = 0;
      const errors: string[] = [];
      const echoed: number[] = [];
      const loop = await withLoop(ctx, async (loop) => {
        baseline = loop.liveStats();
        const server = loop.tcp().bind('127.0.0.1', 0);
        server.on('error', (e: WsaloopError) => errors.push(e.code ?? String(e)));
        server.listen(1024, (err, conn) => {
          if (err || !conn) return void errors.push(err?.code ?? 'no connection');
          conn.readStart((e, data) => {
            if (data && data.length > 0) return void conn.write(data, () => {});
            conn.close();
            if (++served === burst) server.close();
          });
        });
        const port = server.address().port;
        const clients = await Promise.all(
          Array.from(
            { length: burst },
            (_, i) =>
              new Promise<Socket>((resolve, reject) => {
                const s = connect(port, '127.0.0.1', () => resolve(s));
                s.once('error', reject);
                s.once('data', (d) => {
                  echoed.push(d[0]! === i % 256 ? 1 : 0);
                  s.end();
                });
              }),
          ),
        );
        clients.forEach((s, i) => s.write(Buffer.from([i % 256])));
      });
      expect(errors).toEqual([]);
      expect(served).toBe(burst);
      expect(echoed).toEqual(new Array(burst).fill(1));
      expect(loop.liveStats()).toEqual(baseline);
    }, 60_000 * SLOW);

    // Four stages per round: the count stays a multiple of 4.
    const cycles = soak(1000, 4);
    it(`${cycles} connect / write / close cycles, closing at every stage, leak nothing`, async () => {
      const outcomes = new Map<string, number>();
      const count = (key: string): void => void outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      let baseline: Record<string, number> = {};
      let closed = 0;
      const loop = await withLoop(ctx, (loop) => {
        baseline = loop.liveStats();
        const server = loop.tcp().bind('127.0.0.1', 0);
        const port = server.address().port;
        server.listen(1024, (err, conn) => {
          if (!conn) return;
          conn.readStart((e, data) => {
            if (!data) conn.close();
          });
        });
        const next = (i: number): void => {
          if (i === cycles) {
            server.close();
            return;
          }
          const c = loop.tcp();
          const stage = i % 4;
          const onClosed = (): void => {
            closed++;
            next(i + 1);
          };
          c.connect('127.0.0.1', port, (err: WsaloopError | null) => {
            count(`connect:${err?.code ?? 'ok'}`);
            if (err || c.isClosing()) return;
            if (stage === 1) {
              c.write('x'.repeat(100), (e) => count(`write:${e?.code ?? 'ok'}`));
              c.close(onClosed); // close with a small write just issued
            } else if (stage === 2) {
              c.write(Buffer.alloc(4 * 1024 * 1024), (e) => count(`big:${e?.code ?? 'ok'}`));
              c.readStart(() => {});
              c.close(onClosed); // close during a large write and a pending read
            } else {
              c.write('bye', () => c.close(onClosed)); // orderly
            }
          });
          if (stage === 0) c.close(onClosed); // close during connect
        };
        next(0);
      });
      expect(closed).toBe(cycles);
      expect(outcomes.get('connect:ECANCELED')).toBe(cycles / 4);
      expect((outcomes.get('connect:ok') ?? 0) + (outcomes.get('connect:ECANCELED') ?? 0)).toBe(cycles);
      expect(loop.liveStats()).toEqual(baseline);
    }, 300_000 * SLOW);
  });
}
