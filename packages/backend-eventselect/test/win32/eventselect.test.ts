/**
 * What only the WSAEventSelect backend promises: one event object per
 * socket, closed again; any number of sockets, waited on in groups of 63;
 * every signalled socket of a group served (no starvation); iErrorCode
 * surfaced; accepted sockets, which inherit the listener's event, handled.
 */
import { createLoop, type Loop, processResources, type Tcp } from '@wsaloop/core';
import { encodeSockaddr, Readiness, type Reactor, SOCKADDR_MAX, socketApi } from '@wsaloop/core/backend';
import { soak } from '@wsaloop/core/conformance';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/index.js';

const SLOW = 4;

async function drain(loop: Loop): Promise<void> {
  await loop.run();
  loop.close();
}

describe('eventselect backend', () => {
  it('is a reactor woken through an event object; an event object of its own for each of the first 63 sockets, given back on unregister', async () => {
    const loop = createLoop({ backend: 'eventselect' });
    expect(loop.backend.kind).toBe('reactor');
    expect(loop.backend.name).toBe('eventselect');
    expect(loop.backend.wakeToken.kind).toBe('event');
    expect(loop.stats()).toMatchObject({ registeredSockets: 0, eventObjects: 0 });
    const server = loop.tcp().bind('127.0.0.1', 0);
    const port = server.address().port;
    const peers: Tcp[] = [];
    const clients: Tcp[] = [];
    let during: Record<string, number> = {};
    server.listen(16, (err, peer) => {
      peers.push(peer!);
      peer!.readStart(() => {});
      if (peers.length < 5) return;
      loop.timer().start((t) => {
        t.close();
        during = loop.stats();
        for (const h of [...peers, ...clients, server]) h.close();
      }, 50);
    });
    for (let i = 0; i < 5; i++) {
      const c = loop.tcp();
      clients.push(c);
      c.connect('127.0.0.1', port, () => {});
    }
    await loop.run();
    // The listener, 5 accepted sockets (reading) and 5 clients (they registered to connect).
    expect(during).toMatchObject({ registeredSockets: 11, eventObjects: 11 });
    expect(loop.stats()).toMatchObject({ registeredSockets: 0, eventObjects: 0 });
    loop.close();
  });

  const cycles = soak(1000);
  it(`${cycles} connect / echo / close cycles leave the process handle count where it was`, async () => {
    const loop = createLoop({ backend: 'eventselect' });
    const server = loop.tcp().bind('127.0.0.1', 0);
    const port = server.address().port;
    server.listen(64, (err, peer) => {
      peer!.readStart((e, data) => {
        if (data) peer!.write(data, () => {});
        else peer!.close();
      });
    });
    const counts: number[] = [];
    const cycle = (i: number, last: number, done: () => void): void => {
      if (i === last) return done();
      const c = loop.tcp();
      c.connect('127.0.0.1', port, (err) => {
        expect(err).toBeNull();
        c.readStart((e, data) => {
          if (data) c.close(() => cycle(i + 1, last, done));
        });
        c.write('ping');
      });
    };
    // A warm-up creates what is created once (wait groups and their threads).
    cycle(0, 50, () => {
      loop.timer().start((t) => {
        t.close();
        counts.push(processResources().handles);
        cycle(0, cycles, () => {
          loop.timer().start((t2) => {
            t2.close();
            counts.push(processResources().handles);
            server.close();
          }, 200);
        });
      }, 200);
    });
    await loop.run();
    expect(loop.stats()).toMatchObject({ registeredSockets: 0, eventObjects: 0 });
    loop.close();
    const [before, after] = counts as [number, number];
    // Two sockets and two event objects per cycle: a leak of either shows as +cycles.
    expect(after - before).toBeLessThan(20);
    // The loop's own handles are all gone once it is closed (its wait threads'
    // handles go when the threads end, asynchronously: not counted here).
    expect(processResources().handles).toBeLessThan(before);
  }, 300_000);

  it('waits on far more than 63 sockets, sharing 63 events on one wait thread, and serves all of them', async () => {
    const n = 150;
    const loop = createLoop({ backend: 'eventselect' });
    let peak: Record<string, number> = {};
    let echoed = 0;
    const server = loop.tcp().bind('127.0.0.1', 0);
    const port = server.address().port;
    let accepted = 0;
    server.listen(n, (err, peer) => {
      expect(err).toBeNull();
      if (++accepted === n) server.close();
      peer!.readStart((e, data) => {
        if (data) peer!.write(data, () => {});
        else peer!.close();
      });
    });
    const clients: Tcp[] = [];
    let connected = 0;
    for (let i = 0; i < n; i++) {
      const c = loop.tcp();
      clients.push(c);
      c.connect('127.0.0.1', port, (err) => {
        expect(err).toBeNull();
        if (++connected < n) return;
        // Every socket is registered now; only then does anyone write.
        peak = loop.stats();
        for (const [j, cl] of clients.entries()) {
          let got = '';
          cl.readStart((e, data) => {
            got += data?.toString() ?? '';
            if (got === `hello ${j}`) {
              echoed++;
              cl.close();
            }
          });
          cl.write(`hello ${j}`);
        }
      });
    }
    await drain(loop);
    expect(echoed).toBe(n);
    // 150 clients and the listener at least, 64 to an event past the first 63 events: one group, one thread.
    expect(peak.registeredSockets).toBeGreaterThanOrEqual(n + 1);
    expect(peak.eventObjects).toBe(63);
    expect(peak.waitGroupsAllocated).toBe(1);
  }, 120_000 * SLOW);

  it('no socket starves: every one of 126 busy connections is read from while all stay busy', async () => {
    const n = 126;
    const busyMs = 3000;
    const chunk = Buffer.alloc(8 * 1024, 7);
    const loop = createLoop({ backend: 'eventselect' });
    const received = new Map<Tcp, number>();
    const server = loop.tcp().bind('127.0.0.1', 0);
    const port = server.address().port;
    const clients: Tcp[] = [];
    let started = 0;
    let stopping = false;
    server.listen(n, (err, peer) => {
      received.set(peer!, 0);
      // Counted only while every client is writing.
      peer!.readStart((e, data) => {
        if (data && started && !stopping) received.set(peer!, received.get(peer!)! + data.byteLength);
        if (!data) peer!.close();
      });
      if (received.size === n) server.close();
    });
    // Each client keeps two writes in flight for as long as the test runs.
    const pump = (c: Tcp): void => {
      if (stopping) return;
      c.write(chunk, (e) => {
        if (!e) pump(c);
      });
    };
    let connected = 0;
    for (let i = 0; i < n; i++) {
      const c = loop.tcp();
      clients.push(c);
      c.connect('127.0.0.1', port, () => {
        if (++connected < n) return;
        for (const cl of clients) {
          pump(cl);
          pump(cl);
        }
        // Let the writers fill the pipes, then measure.
        loop.timer().start((t) => {
          t.close();
          started = Date.now();
          loop.timer().start((t2) => {
            t2.close();
            stopping = true;
            for (const cl of clients) cl.close();
          }, busyMs);
        }, 300);
      });
    }
    await drain(loop);
    const counts = [...received.values()];
    expect(counts).toHaveLength(n);
    const total = counts.reduce((a, b) => a + b, 0);
    const mean = total / n;
    const min = Math.min(...counts);
    // Every connection got a fair share, not only the lowest indexes of each
    // group, even though the loop never blocks (it always has writes to finish).
    expect(min).toBeGreaterThan(0);
    expect(min).toBeGreaterThan(mean / 5);
  }, 120_000 * SLOW);

  it('surfaces WSAEnumNetworkEvents error codes: a refused connect reports FD_CONNECT with WSAECONNREFUSED', async () => {
    const reactor = createBackend() as Reactor;
    const api = socketApi();
    const addr = Buffer.alloc(SOCKADDR_MAX);
    // A port nobody listens on: bound but not listening, and kept bound (a
    // port merely closed could come back as our own ephemeral port, and the
    // connect would reach itself).
    const probe = api.open('ipv4', 'stream');
    let len = encodeSockaddr(api, 'ipv4', '127.0.0.1', 0, addr);
    expect(api.bind(probe, addr, len)).toBe(0);
    len = api.localAddress(probe, addr);
    const s = api.open('ipv4', 'stream');
    const rc = api.connect(s, addr, len);
    expect(api.isConnectInProgress(-rc)).toBe(true);
    const reports: [number, number][] = [];
    reactor.register(s, Readiness.WRITABLE, { onReadiness: (events, errorCode) => reports.push([events, errorCode]) });
    const deadline = Date.now() + 10_000;
    while (reports.length === 0 && Date.now() < deadline) await reactor.poll(100);
    reactor.unregister(s);
    api.close(s);
    api.close(probe);
    reactor.close();
    expect(reports[0]).toEqual([Readiness.WRITABLE | Readiness.ERROR, 10061]);
  });

  it('an accepted socket, which inherits the listener\'s event, loses nothing before it is registered and does not disturb the listener', async () => {
    const loop = createLoop({ backend: 'eventselect' });
    const server = loop.tcp().bind('127.0.0.1', 0);
    const port = server.address().port;
    const got: string[] = [];
    let accepted = 0;
    server.listen(8, (err, peer) => {
      accepted++;
      // Data and the peer's end of stream arrive before this socket is
      // registered: until then they signal the listener's event.
      loop.timer().start((t) => {
        t.close();
        let text = '';
        peer!.readStart((e, data) => {
          if (data) return void (text += data.toString());
          got.push(text);
          peer!.close();
          if (got.length === 3) server.close();
        });
      }, 300);
    });
    for (let i = 0; i < 3; i++) {
      const c = loop.tcp();
      c.connect('127.0.0.1', port, () => {
        c.write(`early ${i}`);
        c.shutdown(() => c.close());
      });
    }
    await drain(loop);
    expect(accepted).toBe(3);
    expect(got.sort()).toEqual(['early 0', 'early 1', 'early 2']);
  });
});
