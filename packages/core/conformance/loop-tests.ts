/** Loop semantics: phases, run modes, timers, ref/unref, close callbacks, async wake-ups. */
import { createServer, connect as netConnect } from 'node:net';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { type Conformance, diedOfNodeTeardownRace, SLOW, soak, withLoop } from './context.js';

export function loopTests(ctx: Conformance): void {
  describe('loop phases and run modes', () => {
    it('runs timers, idle, prepare, check and close callbacks in libuv order', async () => {
      const order: string[] = [];
      await withLoop(ctx, (loop) => {
        const timer = loop.timer().start(() => {
          order.push('timer');
          timer.close();
        }, 0);
        const idle = loop.idle().start(() => {
          order.push('idle');
          idle.close();
        });
        const prepare = loop.prepare().start(() => {
          order.push('prepare');
          prepare.close();
        });
        const check = loop.check().start(() => {
          order.push('check');
          check.close(() => order.push('close'));
        });
      });
      expect(order).toEqual(['timer', 'idle', 'prepare', 'check', 'close']);
    });

    it('runs I/O callbacks in the poll phase, between prepare and check', async () => {
      const marks: string[] = [];
      await withLoop(ctx, (loop) => {
        const prepare = loop.prepare().start(() => marks.push('prepare'));
        const check = loop.check().start(() => {
          marks.push('check');
          if (!marks.includes('io')) return;
          prepare.close();
          check.close();
        });
        const receiver = loop.udp().bind('127.0.0.1', 0);
        const sender = loop.udp();
        receiver.recvStart(() => {
          marks.push('io');
          receiver.close();
          sender.close();
        });
        sender.send('ping', '127.0.0.1', receiver.address().port, () => {});
      });
      const io = marks.indexOf('io');
      expect(io).toBeGreaterThan(0);
      expect(marks[io - 1]).toBe('prepare');
      expect(marks[io + 1]).toBe('check');
    });

    it('nowait runs one iteration without blocking and reports remaining work', async () => {
      const loop = ctx.makeLoop();
      let fired = false;
      const timer = loop.timer().start(() => (fired = true), 1000);
      const started = performance.now();
      expect(await loop.run('nowait')).toBe(true);
      expect(performance.now() - started).toBeLessThan(500 * SLOW);
      expect(fired).toBe(false);
      timer.close();
      expect(await loop.run()).toBe(false);
      loop.close();
    });

    it('once blocks for the next timer, runs it, and returns whether work remains', async () => {
      const loop = ctx.makeLoop();
      let fired = 0;
      loop.timer().start((t) => {
        fired++;
        t.close();
      }, 30);
      const alive = await loop.run('once');
      expect(fired).toBe(1);
      expect(typeof alive).toBe('boolean');
      await loop.run();
      expect(loop.alive).toBe(false);
      loop.close();
    });

    it('stop() ends run() after the current iteration; run() resumes later', async () => {
      const loop = ctx.makeLoop();
      let ticks = 0;
      const timer = loop.timer().start(() => {
        ticks++;
        if (ticks === 3) loop.stop();
        if (ticks === 5) timer.close();
      }, 1, 1);
      expect(await loop.run()).toBe(true);
      expect(ticks).toBe(3);
      expect(await loop.run()).toBe(false);
      expect(ticks).toBe(5);
      loop.close();
    });

    it('rejects a second concurrent run() with EBUSY', async () => {
      const loop = ctx.makeLoop();
      const timer = loop.timer().start(() => timer.close(), 20);
      const first = loop.run();
      await expect(loop.run()).rejects.toMatchObject({ code: 'EBUSY' });
      await first;
      loop.close();
    });

    it('a callback that throws before the poll fails run() at once, though the poll would block', async () => {
      const loop = ctx.makeLoop();
      // A listener keeps the loop alive with nothing to do: the poll would block for good.
      const server = loop.tcp().bind('127.0.0.1', 0).listen(8);
      const timer = loop.timer().start(() => {
        throw new Error('timer bug');
      }, 1);
      const started = performance.now();
      await expect(loop.run()).rejects.toThrow('timer bug');
      expect(performance.now() - started).toBeLessThan(5000 * SLOW);
      timer.close();
      server.close();
      await loop.run();
      loop.close();
    });

    it('work started from outside while run() yields to Node keeps run() going', async () => {
      const loop = ctx.makeLoop();
      let ran = false;
      loop.timer().start((first) => {
        // Runs in Node's macrotask the loop yields to after its last iteration.
        setImmediate(() => loop.timer().start((late) => ((ran = true), late.close()), 0));
        first.close();
      }, 0);
      // Make the first iteration due to yield a macrotask to Node.
      const spinUntil = performance.now() + 5;
      while (performance.now() < spinUntil) {
        // burn time
      }
      expect(await loop.run()).toBe(false);
      expect(ran).toBe(true);
      loop.close();
    });

    it('unref() from outside a blocked loop lets run() return', async () => {
      const loop = ctx.makeLoop();
      const server = loop.tcp().bind('127.0.0.1', 0).listen(16);
      const run = loop.run();
      // Let the loop block in poll with nothing but the listener to wait for.
      await new Promise((resolve) => setTimeout(resolve, 50 * SLOW));
      expect(loop.running).toBe(true);
      server.unref();
      const result = await Promise.race([run, new Promise((resolve) => setTimeout(() => resolve('still blocked'), 5000 * SLOW))]);
      expect(result).toBe(false);
      server.close();
      await loop.run();
      loop.close();
    });

    it('autoRun(): the loop runs itself while something holds it, and reports failures', async () => {
      const loop = ctx.makeLoop();
      const failures: unknown[] = [];
      loop.autoRun((error) => failures.push(error));
      expect(loop.autoRunning).toBe(true);
      // Alive with nobody calling run(): it starts by itself, and ends when nothing holds it.
      const fired = await new Promise<boolean>((resolve) => {
        const timer = loop.timer().start(() => (timer.close(), resolve(true)), 1);
        setTimeout(() => resolve(false), 5000 * SLOW);
      });
      expect(fired).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20 * SLOW));
      expect(loop.running).toBe(false);
      // A callback that throws ends that run; the loop runs again for the work left.
      const secondFired = new Promise<void>((resolve) => {
        loop.timer().start((t) => {
          t.close();
          throw new Error('app bug');
        }, 1);
        loop.timer().start((t) => (t.close(), resolve()), 30 * SLOW);
      });
      await secondFired;
      // On a busy machine both timers fall due in one iteration: the second
      // fires before the failed run is reported.
      for (let waited = 0; failures.length === 0 && waited < 5000 * SLOW; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(failures).toEqual([expect.objectContaining({ message: 'app bug' })]);
      for (let waited = 0; loop.running && waited < 5000 * SLOW; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(loop.running).toBe(false);
      // An app that runs the loop itself in the same turn keeps its own run.
      loop.timer().start((t) => t.close(), 1);
      expect(await loop.run()).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 20 * SLOW));
      loop.close();
      expect(() => loop.autoRun()).toThrow(expect.objectContaining({ code: 'EBADF' }));
    });

    it('keeps the cached time per iteration and updateTime() refreshes it', async () => {
      const loop = ctx.makeLoop();
      const t0 = loop.now();
      const spinUntil = performance.now() + 15;
      while (performance.now() < spinUntil) {
        // burn time without running the loop
      }
      expect(loop.now()).toBe(t0);
      loop.updateTime();
      expect(loop.now()).toBeGreaterThanOrEqual(t0 + 10);
      loop.close();
    });
    it('a timer or socket added from outside a blocked loop takes effect at once', async () => {
      const loop = ctx.makeLoop();
      // Nothing but a 10 s timer: the loop blocks in poll.
      const long = loop.timer().start((t) => t.close(), 10_000);
      const started = performance.now();
      let timerAt = 0;
      let messageAt = 0;
      setTimeout(() => {
        loop.timer().start((t) => {
          timerAt = performance.now();
          t.close();
        }, 5);
        const receiver = loop.udp().bind('127.0.0.1', 0);
        receiver.recvStart(() => {
          messageAt = performance.now();
          receiver.close();
          sender.close();
          long.close();
        });
        const sender = loop.udp();
        sender.send('wake', '127.0.0.1', receiver.address().port, () => {});
      }, 100);
      await loop.run();
      loop.close();
      expect(timerAt).toBeGreaterThan(0);
      expect(messageAt).toBeGreaterThan(0);
      expect(timerAt - started).toBeLessThan(3000);
      expect(messageAt - started).toBeLessThan(3000);
    });
  });

  describe('timers', () => {
    it('fire in due order, equal timeouts in start order, never early', async () => {
      const fired: string[] = [];
      const lateness: number[] = [];
      await withLoop(ctx, (loop) => {
        const start = loop.now();
        for (const [name, ms] of [['30', 30], ['10a', 10], ['20', 20], ['10b', 10]] as const) {
          loop.timer().start((t) => {
            fired.push(name);
            lateness.push(loop.now() - start - ms);
            t.close();
          }, ms);
        }
      });
      expect(fired).toEqual(['10a', '10b', '20', '30']);
      for (const l of lateness) expect(l).toBeGreaterThanOrEqual(0);
    });

    it('repeat, again() and stop() behave as in libuv', async () => {
      let repeats = 0;
      let againFired = 0;
      await withLoop(ctx, (loop) => {
        const repeating = loop.timer();
        repeating.start(() => {
          repeats++;
          if (repeats === 5) repeating.close();
        }, 1, 2);
        expect(repeating.repeat).toBe(2);
        const again = loop.timer();
        expect(() => again.again()).toThrow(expect.objectContaining({ code: 'EINVAL' }));
        again.start(() => {
          againFired++;
          again.close();
        }, 10_000, 5);
        again.again(); // restarts with the 5 ms repeat as timeout
        expect(again.dueIn).toBeLessThanOrEqual(5);
        const stopped = loop.timer().start(() => {
          throw new Error('a stopped timer fired');
        }, 5);
        stopped.stop();
        expect(stopped.isActive()).toBe(false);
        stopped.close();
      });
      expect(repeats).toBe(5);
      expect(againFired).toBe(1);
    });

    it('rejects bad delays with RangeError / TypeError', async () => {
      const loop = ctx.makeLoop();
      const t = loop.timer();
      expect(() => t.start(() => {}, -1)).toThrow(RangeError);
      expect(() => t.start(() => {}, Number.NaN)).toThrow(TypeError);
      expect(() => t.start(() => {}, 10, -5)).toThrow(RangeError);
      expect(() => t.start(() => {}, '10' as unknown as number)).toThrow(TypeError);
      expect(() => t.start('nope' as unknown as () => void, 10)).toThrow(TypeError);
      t.close();
      await loop.run();
      loop.close();
    });
  });

  describe('ref / unref and loop exit', () => {
    it('an unreferenced handle does not keep the loop alive; ref() restores it', async () => {
      const loop = ctx.makeLoop();
      let fired = false;
      const timer = loop.timer().start(() => (fired = true), 50).unref();
      expect(timer.hasRef()).toBe(false);
      const started = performance.now();
      expect(await loop.run()).toBe(false);
      expect(fired).toBe(false);
      expect(performance.now() - started).toBeLessThan(40 * SLOW + 200);
      timer.ref();
      expect(await loop.run()).toBe(false);
      expect(fired).toBe(true);
      timer.close();
      await loop.run();
      loop.close();
    });

    it('an unreferenced listening server lets run() finish', async () => {
      const loop = ctx.makeLoop();
      const server = loop.tcp().bind('127.0.0.1', 0).listen(16).unref();
      expect(server.isActive()).toBe(true);
      expect(await loop.run()).toBe(false);
      server.close();
      await loop.run();
      loop.close();
    });
  });

  describe('close callbacks', () => {
    it('run once in the close phase; closing twice throws; loop.close() waits for handles', async () => {
      const loop = ctx.makeLoop();
      const idle = loop.idle();
      let calls = 0;
      let events = 0;
      idle.on('close', () => events++);
      const seen: string[] = [];
      loop.walk((h) => seen.push(h.type));
      expect(seen).toContain('idle');
      expect(() => loop.close()).toThrow(expect.objectContaining({ code: 'EBUSY' }));
      idle.close(() => calls++);
      expect(idle.isClosing()).toBe(true);
      expect(calls).toBe(0);
      expect(() => idle.close()).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      await loop.run();
      expect(calls).toBe(1);
      expect(events).toBe(1);
      expect(idle.isClosed()).toBe(true);
      expect(() => idle.start(() => {})).toThrow(expect.objectContaining({ code: 'EBADF' }));
      loop.close();
      expect(() => loop.timer()).toThrow(expect.objectContaining({ code: 'EBADF' }));
    });
  });

  describe('async wake-ups', () => {
    it('coalesces sends made before the callback runs', async () => {
      let calls = 0;
      await withLoop(ctx, (loop) => {
        const a = loop.async(() => {
          calls++;
          a.close();
        });
        a.send();
        a.send();
        a.send();
      });
      expect(calls).toBe(1);
    });

    it(`wakes a blocked loop from a Worker thread, ${soak(200)} times in a row`, async () => {
      const times = soak(200);
      let woke = 0;
      let worker: Worker | undefined;
      // The worker sends again only after the previous wake-up was handled,
      // so every send must produce its own callback. Sending at once after
      // each answer often lands while the loop looks before it waits: a
      // wake-up that look consumes must end the poll (a lost one hangs here).
      const handled = new Int32Array(new SharedArrayBuffer(4));
      await withLoop(ctx, (loop) => {
        const a = loop.async(() => {
          woke++;
          Atomics.store(handled, 0, woke);
          Atomics.notify(handled, 0);
          if (woke === times) a.close();
        });
        worker = new Worker(new URL('./async-sender.mjs', import.meta.url), {
          workerData: { remote: a.remote(), times, handled: handled.buffer },
        });
        worker.on('error', (e) => {
          throw e;
        });
      });
      await worker!.terminate();
      expect(woke).toBe(times);
    });
  });

  describe('process exit', () => {
    it('process.exit() returns promptly while the loop is blocked off-thread', () => {
      const script = fileURLToPath(new URL('./exit-while-blocked.mjs', import.meta.url));
      const started = performance.now();
      const child = spawnSync(process.execPath, [script, ctx.backend, JSON.stringify(ctx.options)], { timeout: 20_000 * SLOW, encoding: 'utf8' });
      expect(child.error).toBeUndefined();
      // Prompt either way; Node's own teardown crash is not a hang of ours.
      if (!diedOfNodeTeardownRace(child.stderr)) expect(child.status, child.stderr).toBe(7);
      expect(performance.now() - started).toBeLessThan(15_000 * SLOW);
    });
  });

  describe('Node stays responsive', () => {
    it('Node timers and node:net keep working while the loop blocks', async () => {
      let nodeTicks = 0;
      const interval = setInterval(() => nodeTicks++, 10);
      const echo = createServer((s) => s.pipe(s));
      await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
      const port = (echo.address() as { port: number }).port;
      let netReply = '';
      let loopTicks = 0;
      await withLoop(ctx, (loop) => {
        // The loop has nothing but a slow timer, so it spends its time blocked in poll.
        loop.timer().start((t) => {
          loopTicks++;
          if ((netReply === 'through node:net' && nodeTicks >= 5) || loopTicks > 100) t.close();
        }, 100, 100);
        const c = netConnect(port, '127.0.0.1', () => c.end('through node:net'));
        c.on('data', (d) => (netReply += d.toString()));
      });
      clearInterval(interval);
      await new Promise<void>((r) => echo.close(() => r()));
      expect(netReply).toBe('through node:net');
      expect(nodeTicks).toBeGreaterThanOrEqual(5);
    });

    it("a backend that waits in Node's own loop holds no pool thread: fs works beside more waiting loops than the pool has", async (test) => {
      const probe = ctx.makeLoop();
      const inNodeLoop = probe.backend.waitsInNodeLoop === true;
      probe.close();
      // The others say so (waitsOnThreadPool) or wait on threads of their own.
      if (!inNodeLoop) return test.skip();
      const poolThreads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
      const loops = Array.from({ length: poolThreads + 1 }, () => ctx.makeLoop());
      const servers = loops.map((loop) => loop.tcp().bind('127.0.0.1', 0).listen(8));
      const runs = loops.map((loop) => loop.run());
      await new Promise((resolve) => setTimeout(resolve, 20));
      // A pool thread reads the file: with every thread held by a wait, it would never start.
      const read = await Promise.race([
        readFile(fileURLToPath(import.meta.url), 'utf8').then((text) => text.length > 0),
        new Promise<string>((resolve) => setTimeout(() => resolve('no pool thread left for fs'), 5_000 * SLOW)),
      ]);
      for (const server of servers) server.close();
      await Promise.all(runs);
      for (const loop of loops) loop.close();
      expect(read).toBe(true);
    });
  });
}
