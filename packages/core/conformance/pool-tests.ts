/**
 * A server spread over loops on Worker threads: connections spread, a loop
 * whose app throws loses only its own connections and is replaced, and a
 * close with every loop busy leaks nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processResources, ServerPool } from '@wsaloop/core';
import { describe, expect, it } from 'vitest';
import { type Conformance, pattern, SLOW, SOAK_SCALE, soak } from './context.js';
import { nodePipeEcho, pipeNameGone } from './pipe-peers.js';

const WINDOWS = process.platform === 'win32';

const module = new URL('./pool-echo-module.mjs', import.meta.url);

/** One node:net client that sends `payload` to a port and resolves with the echo, once the server closes. */
function echoOnce(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.end(payload));
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

/** A client that stays connected; `echo` sends and waits for the same bytes back. */
async function openClient(port: number): Promise<{ socket: Socket; echo(text: string): Promise<string>; ended: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise((r) => socket.once('connect', r));
  const ended = new Promise<void>((r) => socket.once('close', () => r()));
  return {
    socket,
    ended,
    echo: (text) =>
      new Promise((resolve, reject) => {
        let got = '';
        const onData = (d: Buffer): void => {
          got += d.toString();
          if (got.length >= text.length) {
            socket.off('data', onData);
            resolve(got);
          }
        };
        socket.on('data', onData);
        socket.once('close', () => reject(new Error('closed before the echo')));
        socket.write(text);
      }),
  };
}

/** Resolves once `done()` holds, or after `ms` (the caller then checks what it waited for). */
async function until(done: () => boolean, ms: number): Promise<void> {
  for (const deadline = Date.now() + ms; !done() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
}

/** Loops per pool: each is a Worker, which takes a second or more to start under Wine. */
const THREADS = SOAK_SCALE < 1 ? 2 : 4;
/** Connections served by the pool, in waves of 250. */
const SERVED = soak(2000, 250);
/** What each client of the busy-close test streams at most. */
const FLOOD_BYTES = 1024 * 1024;
/** Clients that stay connected in the crash test: 10 per loop. */
const KEPT = 10 * THREADS;

export function poolTests(ctx: Conformance): void {
  const loop = { backend: ctx.backend, ...ctx.options };

  describe('server pool', () => {
    it(`serves ${SERVED} connections over ${THREADS} loops, spread across them; closes back to baseline`, async () => {
      const pool = await ServerPool.start({ host: '127.0.0.1', port: 0, threads: THREADS, module, loop });
      try {
        for (let wave = 0; wave < SERVED; wave += 250) {
          const payloads = Array.from({ length: 250 }, (_, i) => pattern(64, wave + i + 1));
          const echoed = await Promise.all(payloads.map((p) => echoOnce(pool.address.port, p)));
          echoed.forEach((e, i) => expect(e.equals(payloads[i]!)).toBe(true));
        }
        const { served } = pool.stats();
        console.log(`[${ctx.label}] ${SERVED} connections over ${THREADS} loops: ${served.join(' / ')}`);
        expect(served.reduce((a, b) => a + b, 0)).toBe(SERVED);
        // Spread: every loop takes at least half its fair share.
        for (const n of served) expect(n).toBeGreaterThanOrEqual(SERVED / THREADS / 2);
      } finally {
        const reports = await pool.close();
        for (const r of reports) {
          expect(r?.type).toBe('closed');
          if (r?.type === 'closed') expect(r.live).toEqual(r.baseline);
        }
      }
    }, 120_000 * SLOW);

    it('a loop whose app throws loses only its own connections, and is replaced', async () => {
      const pool = await ServerPool.start({ host: '127.0.0.1', port: 0, threads: THREADS, module, loop, data: { crashable: true } });
      const failures: number[] = [];
      pool.on('loopFailed', (index) => failures.push(index));
      try {
        const clients = [];
        for (let i = 0; i < KEPT; i++) clients.push(await openClient(pool.address.port));
        for (const c of clients) expect(await c.echo('hello')).toBe('hello');
        const before = pool.stats().live;
        expect(before).toEqual(new Array(THREADS).fill(10));
        // The first client's loop crashes: it had 10 connections.
        clients[0]!.socket.write('crash');
        await clients[0]!.ended;
        const crashed = clients.map(() => false);
        clients.forEach((c, i) => c.ended.then(() => (crashed[i] = true)));
        const count = (): number => crashed.filter(Boolean).length;
        await until(() => count() >= 10, 4000 * SLOW);
        expect(count()).toBe(10);
        // The others are alive: each still echoes (an end meanwhile rejects).
        for (const [i, c] of clients.entries()) if (!crashed[i]) expect(await c.echo('still here')).toBe('still here');
        expect(count()).toBe(10);
        // The pool hears of the failure from the Worker, which may come after its connections ended.
        await until(() => failures.length > 0, 2000 * SLOW);
        expect(failures).toHaveLength(1);
        // The replacement takes new connections, and every client is served.
        await until(() => pool.stats().restarts > 0, 2000 * SLOW);
        expect(pool.stats().restarts).toBe(1);
        const fresh = await Promise.all(Array.from({ length: 20 }, (_, i) => echoOnce(pool.address.port, pattern(32, 900 + i))));
        fresh.forEach((e, i) => expect(e.equals(pattern(32, 900 + i))).toBe(true));
        for (const c of clients) c.socket.destroy();
      } finally {
        await pool.close();
      }
    }, 60_000 * SLOW);

    it(`serves a pipe over ${THREADS} loops: node:net clients echoed, each loop busy, the name removed at close`, async () => {
      const dir = WINDOWS ? null : mkdtempSync(join(tmpdir(), 'wsaloop-pool-'));
      const path = dir ? join(dir, 'pool.sock') : `\\\\.\\pipe\\wsaloop-pool-${process.pid}-${Date.now()}`;
      const pool = await ServerPool.start({ path, threads: THREADS, module, loop });
      try {
        expect(pool.address).toBe(path);
        const payloads = Array.from({ length: 100 }, (_, i) => pattern(64, i + 1));
        // Once its echo is back, each client ends (a named pipe has no half-close to end with first).
        const echoed = await Promise.all(payloads.map((p) => nodePipeEcho(path, p)));
        echoed.forEach((e, i) => expect(e.equals(payloads[i]!)).toBe(true));
        const { served } = pool.stats();
        expect(served.reduce((a, b) => a + b, 0)).toBe(100);
        for (const n of served) expect(n).toBeGreaterThan(0);
      } finally {
        const reports = await pool.close();
        for (const r of reports) if (r?.type === 'closed') expect(r.live).toEqual(r.baseline);
      }
      expect(await pipeNameGone(path)).toBe(true);
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 60_000 * SLOW);

    it.runIf(WINDOWS)('a pipe name in use is EADDRINUSE, and a name that is not a pipe is EACCES, before any loop starts', async () => {
      const path = `\\\\.\\pipe\\wsaloop-pool-taken-${process.pid}`;
      const holder = createServer();
      await new Promise<void>((resolve) => holder.listen(path, resolve));
      try {
        // One loop: the name is refused by the accept thread, whatever the loops.
        await expect(ServerPool.start({ path, threads: 1, module, loop })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
      await expect(ServerPool.start({ path: 'C:\\pool.sock', threads: 1, module, loop })).rejects.toMatchObject({ code: 'EACCES' });
    });

    it('closes with every loop busy and leaks nothing', async () => {
      const handlesBefore = processResources().handles;
      const pool = await ServerPool.start({ host: '127.0.0.1', port: 0, threads: THREADS, module, loop });
      const chunk = pattern(16 * 1024, 5);
      const clients: Socket[] = [];
      const closed: Promise<void>[] = [];
      for (let i = 0; i < 100; i++) {
        const socket = connect(pool.address.port, '127.0.0.1');
        socket.on('error', () => {});
        // Streams (reading nothing back, so the loops' writes pile up) up to a
        // bound: unbounded, 100 clients filled every socket buffer on the way,
        // gigabytes, and took 10 s under Wine.
        let sent = 0;
        const pump = (): void => {
          while (socket.writable && sent < FLOOD_BYTES) {
            sent += chunk.length;
            if (!socket.write(chunk)) return;
          }
        };
        socket.on('connect', pump);
        socket.on('drain', pump);
        closed.push(new Promise((r) => socket.once('close', () => r())));
        clients.push(socket);
      }
      // Closes as soon as every connection is live, while they stream.
      const liveNow = (): number => pool.stats().live.reduce((a, b) => a + b, 0);
      await until(() => liveNow() === 100, 10_000 * SLOW);
      expect(liveNow()).toBe(100);
      const reports = await pool.close();
      for (const r of reports) {
        expect(r?.type).toBe('closed');
        if (r?.type === 'closed') expect(r.live).toEqual(r.baseline);
      }
      // A client done streaming is paused with a full buffer: it sees the end once it reads.
      for (const socket of clients) socket.resume();
      await Promise.all(closed);
      expect(pool.stats().live).toEqual(new Array(THREADS).fill(0));
      // 100 server sockets, the loops' backends and their threads are gone again
      // (a few handles of Node's own may come and go).
      const handlesAfter = processResources().handles;
      console.log(`[${ctx.label}] process handles before the pool ${handlesBefore}, after closing it ${handlesAfter}`);
      expect(handlesAfter - handlesBefore).toBeLessThan(20);
    }, 60_000 * SLOW);
  });
}
