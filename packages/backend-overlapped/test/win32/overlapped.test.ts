/**
 * What only the overlapped backend promises: two notification styles behind
 * one option, event groups past the 64-handle limit, pooled events, and
 * completion routines that run on the thread that started the operations.
 */
import { createLoop, type Loop, type Tcp } from '@wsaloop/core';
import { soak } from '@wsaloop/core/conformance';
import { describe, expect, it } from 'vitest';

const SLOW = process.platform === 'win32' ? 4 : 1;

/** The routine-notified backend's diagnostics (see RoutineProactor.diagnostics). */
interface RoutineBackend {
  diagnostics(): { loopThreadId: number; routineThreadId: number; routinesRun: number; routinesElsewhere: number; alertedWaits: number; batches: number };
}

async function drain(loop: Loop): Promise<void> {
  await loop.run();
  loop.close();
}

/**
 * Opens `pairs` connections, each end reading; once all reads are posted,
 * records the stats, then has every client send one byte that the server
 * echoes. Resolves when every echo came back and everything is closed.
 */
async function fanOut(loop: Loop, pairs: number): Promise<{ whileReading: Record<string, number>; echoed: number }> {
  let whileReading: Record<string, number> = {};
  let echoed = 0;
  const server = loop.tcp().bind('127.0.0.1', 0);
  const port = server.address().port;
  const conns: Tcp[] = [];
  const clients: Tcp[] = [];
  let connected = 0;
  const maybeGo = (): void => {
    if (conns.length < pairs || connected < pairs) return;
    // Every connection has a receive in flight on both ends.
    whileReading = loop.stats();
    for (const c of clients) c.write('x', () => {});
  };
  server.listen(pairs, (err, c) => {
    if (!c) throw err;
    conns.push(c);
    c.readStart((e, data) => {
      if (data && data.length > 0) c.write(data, () => {});
    });
    maybeGo();
  });
  for (let i = 0; i < pairs; i++) {
    const c = loop.tcp();
    clients.push(c);
    c.connect('127.0.0.1', port, (err) => {
      if (err) throw err;
      c.readStart((e, data) => {
        if (!data || data.length === 0) return;
        echoed += data.length;
        if (echoed === pairs) {
          for (const x of [...clients, ...conns]) x.close();
          server.close();
        }
      });
      connected++;
      maybeGo();
    });
  }
  await loop.run();
  return { whileReading, echoed };
}

describe('overlapped backend: options', () => {
  it('defaults to event notification, takes notify: routine, and rejects any other mode or bad option', () => {
    const byDefault = createLoop({ backend: 'overlapped' });
    expect(byDefault.backend.kind).toBe('proactor');
    expect(byDefault.backend.name).toBe('overlapped');
    expect(byDefault.stats()).toHaveProperty('liveEvents', 0);
    expect('diagnostics' in byDefault.backend).toBe(false);
    byDefault.close();
    const routine = createLoop({ backend: 'overlapped', notify: 'routine' });
    expect(routine.backend.kind).toBe('proactor');
    expect(routine.stats()).toHaveProperty('requestsInFlight', 0);
    expect(typeof (routine.backend as unknown as RoutineBackend).diagnostics).toBe('function');
    expect(routine.backend.wakeToken.kind).toBe('event');
    routine.close();
    expect(() => createLoop({ backend: 'overlapped', notify: 'completion' })).toThrow(RangeError);
    expect(() => createLoop({ backend: 'overlapped', notify: 'completion' })).toThrow(/"notify" option must be 'event' or 'routine', received 'completion'/);
    expect(() => createLoop({ backend: 'overlapped', notify: 1 })).toThrow(TypeError);
    for (const notify of ['event', 'routine']) {
      expect(() => createLoop({ backend: 'overlapped', notify, recvBufferSize: 10 })).toThrow(RangeError);
      expect(() => createLoop({ backend: 'overlapped', notify, acceptsAhead: 0 })).toThrow(RangeError);
    }
  });
});

describe('overlapped backend: event notification', () => {
  it('shares an event among up to 64 operations, reports every one of them, and reuses the events', async () => {
    const pairs = 80;
    const loop = createLoop({ backend: 'overlapped', acceptsAhead: 4 });
    const first = await fanOut(loop, pairs);
    const afterFirst = loop.stats();
    const second = await fanOut(loop, pairs);
    const afterSecond = loop.stats();
    loop.close();
    for (const round of [first, second]) {
      expect(round.echoed).toBe(pairs);
      // A receive per connection end (and 4 accepts) on at most 63 events: one wait thread.
      expect(round.whileReading.watchedOperations).toBeGreaterThanOrEqual(2 * pairs);
      expect(round.whileReading.liveEvents).toBeLessThanOrEqual(63);
      expect(round.whileReading.waitGroupsAllocated).toBe(1);
    }
    expect(afterFirst).toMatchObject({ liveOperations: 0, liveEvents: 0, watchedOperations: 0, buffersInUse: 0, openSockets: 0 });
    expect(afterSecond).toMatchObject({ liveOperations: 0, liveEvents: 0, watchedOperations: 0, buffersInUse: 0, openSockets: 0 });
    // The second round ran on the first round's events.
    expect(afterSecond.eventsAllocated).toBe(afterFirst.eventsAllocated);
    // Past 63 events, operations share them (64 to an event) instead of adding wait groups.
    expect(afterFirst.eventsAllocated).toBeLessThanOrEqual(63);
  }, 120_000 * SLOW);
});

describe('overlapped backend: completion routines', () => {
  it('runs every routine on the thread that started the operations, not the loop thread, and reports completions in order', async () => {
    const messages = 300;
    const loop = createLoop({ backend: 'overlapped', notify: 'routine', acceptsAhead: 3 });
    const backend = loop.backend as unknown as RoutineBackend;
    const order: number[] = [];
    const chunks: Buffer[] = [];
    let listening: Record<string, number> = {};
    const server = loop.tcp().bind('127.0.0.1', 0);
    server.listen(8, (err, peer) => {
      if (!peer) throw err;
      peer.readStart((e, data) => {
        if (data && data.length > 0) chunks.push(Buffer.from(data));
        else {
          peer.close();
          server.close();
        }
      });
    });
    const client = loop.tcp();
    // Once the routine thread has started the posted accepts (it publishes its counts as it goes).
    const started = performance.now();
    loop.timer().start((t) => {
      listening = loop.stats();
      if (listening.eventOperations !== 3 && performance.now() - started < 10_000) return;
      t.close();
      client.connect('127.0.0.1', server.address().port, (err) => {
        if (err) throw err;
        for (let i = 0; i < messages; i++) client.write(`message ${i};`, () => order.push(i));
        client.shutdown(() => client.close());
      });
    }, 20, 20);
    await drain(loop);
    const diagnostics = backend.diagnostics();
    // AcceptEx takes no routine: the posted accepts wait on the shared event.
    expect(listening.eventOperations).toBe(3);
    expect(order).toEqual(Array.from({ length: messages }, (_, i) => i));
    expect(Buffer.concat(chunks).toString()).toBe(Array.from({ length: messages }, (_, i) => `message ${i};`).join(''));
    expect(diagnostics.routinesRun).toBeGreaterThanOrEqual(messages);
    expect(diagnostics.routinesElsewhere).toBe(0);
    expect(diagnostics.alertedWaits).toBeGreaterThan(0);
    expect(diagnostics.routineThreadId).toBeGreaterThan(0);
    expect(diagnostics.routineThreadId).not.toBe(diagnostics.loopThreadId);
  }, 60_000 * SLOW);
});

describe('overlapped backend: nothing leaks', () => {
  for (const notify of ['event', 'routine'] as const) {
    // Half echo and half abort: the count stays even.
    const cycles = soak(1000, 2);
    it(`${notify}: ${cycles} connect / echo-or-abort / close cycles leave no operation, event or request behind`, async () => {
      const loop = createLoop({ backend: 'overlapped', notify, acceptsAhead: 2 });
      const baseline = loop.stats();
      let peakLive = 0;
      let peakEvents = 0;
      let cancelled = 0;
      let completed = 0;
      const server = loop.tcp().bind('127.0.0.1', 0);
      const port = server.address().port;
      server.listen(64, (err, conn) => {
        if (!conn) return;
        conn.readStart((e, data) => {
          if (data && data.length > 0) conn.write(data, () => {});
          else conn.close();
        });
      });
      const sample = (): void => {
        const s = loop.stats();
        peakLive = Math.max(peakLive, s.liveOperations ?? 0);
        peakEvents = Math.max(peakEvents, s.liveEvents ?? s.eventOperations ?? 0);
      };
      const next = (i: number): void => {
        if (i === cycles) {
          server.close();
          return;
        }
        if (i % 50 === 0) sample();
        const c = loop.tcp();
        c.connect('127.0.0.1', port, (err) => {
          if (err) throw err;
          if (i % 2 === 0) {
            // Orderly: one echo, then close.
            c.readStart((e, data) => {
              if (!data || data.length === 0) return;
              completed++;
              c.close(() => next(i + 1));
            });
            c.write('ping', () => {});
          } else {
            // Abortive: close with a read pending and a large write in flight.
            c.readStart(() => {});
            c.write(Buffer.alloc(8 * 1024 * 1024), (e) => {
              if (e?.code === 'ECANCELED') cancelled++;
            });
            c.close(() => next(i + 1));
          }
        });
      };
      next(0);
      await loop.run();
      const after = loop.stats();
      loop.close();
      expect(completed).toBe(cycles / 2);
      expect(cancelled).toBeGreaterThan(0);
      // One connection at a time: in flight stays small, and all of it comes back.
      expect(peakLive).toBeLessThanOrEqual(16);
      expect(peakEvents).toBeLessThanOrEqual(16);
      for (const key of ['liveOperations', 'buffersInUse', 'openSockets', 'liveEvents', 'watchedOperations', 'eventOperations', 'requestsInFlight']) {
        expect({ key, value: after[key] }).toEqual({ key, value: baseline[key] });
      }
      if (notify === 'event') expect(after.eventsAllocated).toBeLessThanOrEqual(32);
    }, 300_000 * SLOW);
  }
});
