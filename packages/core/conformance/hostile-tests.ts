/**
 * Hostile peers: no client can take a server down. A client that resets,
 * vanishes, floods or never reads costs its own connection only; errors of
 * one incoming connection never reach the listener's callback (libuv's
 * rule), nothing live in `loop.stats()` grows, the loop holds no handle the
 * attack left behind, and a well-behaved client is served normally
 * afterwards. The clients are node:net's, run beside the loop in the same
 * process.
 */
import { connect, type Socket } from 'node:net';
import type { Loop, Tcp, WsaloopError } from '@wsaloop/core';
import { describe, expect, it } from 'vitest';
import { type Conformance, pattern, SLOW, soak, withLoop } from './context.js';

/** Queued echo bytes past which the server stops reading a client (its backpressure). */
const HIGH_WATER = 1024 * 1024;

interface HostileServer {
  server: Tcp;
  port: number;
  /** Errors the listener's callback or its 'error' event saw: must stay empty. */
  listenerErrors: string[];
  /** Largest write queue any connection had. */
  peakQueued: number;
  /** Connections still open. */
  open: Set<Tcp>;
  /** Handles of the loop once the attack's connections were gone (the listener alone: 1). */
  handlesAfterAttack: number;
  /** Live stats with the listener alone, before and after the attack (a completion backend's posted accepts among them). */
  listening: Record<string, number>;
  afterAttack: Record<string, number>;
}

/**
 * An echo server written as an application should: it stops reading a
 * client whose echoes are not being taken (and resumes once they drain),
 * half-closes after the last echo at end of stream, and closes a connection
 * on its error.
 */
function hostileEchoServer(loop: Loop): HostileServer {
  const server = loop.tcp().bind('127.0.0.1', 0);
  const state: HostileServer = { server, port: server.address().port, listenerErrors: [], peakQueued: 0, open: new Set(), handlesAfterAttack: -1, listening: {}, afterAttack: {} };
  server.on('error', (e: WsaloopError) => state.listenerErrors.push(`event:${e.code}`));
  server.listen(1024, (err, client) => {
    if (err || !client) return void state.listenerErrors.push(`callback:${err?.code}`);
    state.open.add(client);
    let ended = false;
    const close = (): void => {
      if (!client.isClosing()) client.close(() => state.open.delete(client));
    };
    const onRead = (e: WsaloopError | null, data: Buffer | null): void => {
      if (data) {
        client.write(data, () => {
          if (client.writeQueueSize < HIGH_WATER / 2 && !client.reading && !ended && !client.isClosing()) client.readStart(onRead);
        });
        state.peakQueued = Math.max(state.peakQueued, client.writeQueueSize);
        if (client.writeQueueSize > HIGH_WATER) client.readStop();
        return;
      }
      ended = true;
      if (e) close();
      else client.shutdown(close);
    };
    client.readStart(onRead);
  });
  return state;
}

/** One polite round trip: resolves with what came back. */
function echoOnce(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.end(payload));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

type Hostility = 'reset at once' | 'send 5 KB, reset' | 'reset after the echo' | 'connect, vanish';

/** One hostile client; resolves once its socket is gone, whatever happened. */
function hostileClient(port: number, how: Hostility): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    socket.on('connect', () => {
      if (how === 'reset at once') socket.resetAndDestroy();
      else if (how === 'connect, vanish') socket.destroy();
      else if (how === 'send 5 KB, reset') {
        socket.write(pattern(5000, 3));
        socket.resetAndDestroy();
      } else {
        socket.write(pattern(5000, 4));
        socket.once('data', () => socket.resetAndDestroy());
      }
    });
  });
}

/** Runs `count` clients made by `client`, `concurrency` at a time. */
async function storm(count: number, concurrency: number, client: () => Promise<void>): Promise<void> {
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started < count) {
      started++;
      await client();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/** Waits until `done()` holds (the loop runs beside), or `ms` pass. */
async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/**
 * Runs a hostile scenario against a fresh server: `attack` gets the port;
 * afterwards a polite client must be echoed, the listener must have seen no
 * error, and once everything is closed the live stats are back at baseline.
 */
async function survives(ctx: Conformance, attack: (port: number, state: HostileServer) => Promise<void>): Promise<HostileServer> {
  let state!: HostileServer;
  let baseline: Record<string, number> = {};
  let polite: Buffer | null = null;
  const payload = pattern(64 * 1024, 9);
  const loop = await withLoop(ctx, (loop) => {
    baseline = loop.liveStats();
    state = hostileEchoServer(loop);
    void (async () => {
      try {
        // A polite client first, so a backend that posts its accepts from a
        // thread of its own (routine mode) has them all posted.
        await echoOnce(state.port, payload);
        await until(() => state.open.size === 0, 10_000 * SLOW);
        state.listening = loop.liveStats();
        await attack(state.port, state);
        // Connections the attack left behind end on their own (resets, EOF).
        await until(() => state.open.size === 0, 10_000 * SLOW);
        state.handlesAfterAttack = 0;
        loop.walk(() => state.handlesAfterAttack++);
        state.afterAttack = loop.liveStats();
        polite = await echoOnce(state.port, payload);
      } finally {
        for (const c of state.open) if (!c.isClosing()) c.close();
        if (!state.server.isClosing()) state.server.close();
      }
    })();
  });
  expect(state.listenerErrors).toEqual([]);
  expect(state.handlesAfterAttack).toBe(1);
  // Every accept the listener kept posted is still posted.
  expect(state.afterAttack).toEqual(state.listening);
  expect(polite).not.toBeNull();
  expect(Buffer.compare(polite!, payload)).toBe(0);
  expect(loop.liveStats()).toEqual(baseline);
  return state;
}

export function hostileTests(ctx: Conformance): void {
  const storms = process.platform === 'win32' ? 150 : 400;
  describe('hostile clients', () => {
    for (const how of ['reset at once', 'send 5 KB, reset', 'reset after the echo', 'connect, vanish'] as const) {
      it(`a storm of ${storms} clients that ${how} costs only their connections`, async () => {
        await survives(ctx, (port) => storm(storms, 25, () => hostileClient(port, how)));
      }, 60_000 * SLOW);
    }

    it('a client that sends and never reads is held back by the server, not buffered without bound', async () => {
      let sent = 0;
      const state = await survives(ctx, async (port, state) => {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => {});
        socket.pause(); // never reads the echoes
        await new Promise<void>((resolve) => socket.on('connect', resolve));
        // Write while the kernel takes it: TCP flow control must stop us well before 64 MiB.
        const chunk = Buffer.alloc(64 * 1024, 5);
        const stop = Date.now() + 3000 * SLOW;
        while (Date.now() < stop && sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (socket.write(chunk)) continue;
          const drained = await Promise.race([
            new Promise<boolean>((r) => socket.once('drain', () => r(true))),
            new Promise<boolean>((r) => setTimeout(() => r(false), 500 * SLOW)),
          ]);
          if (!drained) break;
        }
        expect(state.open.size).toBe(1);
        socket.resetAndDestroy();
      });
      expect(sent).toBeLessThan(64 * 1024 * 1024);
      // The server's queue stayed near its high-water mark: it stopped reading, the kernel held the rest.
      expect(state.peakQueued).toBeGreaterThan(0);
      expect(state.peakQueued).toBeLessThan(HIGH_WATER + 2 * 1024 * 1024);
    }, 60_000 * SLOW);

    const cycles = soak(process.platform === 'win32' ? 2000 : 10_000);
    it(`${cycles} connect/reset cycles leave the handle count and live stats at baseline`, async () => {
      await survives(ctx, (port) => storm(cycles, 50, () => hostileClient(port, 'reset at once')));
    }, 120_000 * SLOW);
  });
}
