/**
 * What the conformance suite does not pin down about the epoll reactor: its
 * option, batches smaller than the ready set, and a hung-up socket with its
 * reads stopped (EPOLLHUP is reported whatever the interest, so such a
 * socket must leave the kernel's set or every wait returns at once).
 */
import { connect, type Socket } from 'node:net';
import { createLoop, nativeCallCounts, type Tcp } from '@wsaloop/core';
import { echoBesideNodeTimers } from '@wsaloop/core/conformance';
import { describe, expect, it } from 'vitest';

describe('epoll backend', () => {
  it('checks maxEvents and rejects unknown options', () => {
    expect(() => createLoop({ backend: 'epoll', maxEvents: 0 })).toThrow(RangeError);
    expect(() => createLoop({ backend: 'epoll', maxEvents: 1.5 })).toThrow(/maxEvents/);
    expect(() => createLoop({ backend: 'epoll', maxevents: 8 })).toThrow(expect.objectContaining({ code: 'ERR_WSALOOP_UNKNOWN_BACKEND_OPTION', message: expect.stringMatching(/did you mean "maxEvents"/) }));
    for (const spin of [-1, 10_001, 'x']) expect(() => createLoop({ backend: 'epoll', spinMicroseconds: spin })).toThrow(/spinMicroseconds/);
  });

  it('spinMicroseconds: serves round trips and lets Node run between spins (its timers keep firing)', async () => {
    const { roundTrips, nodeTicks } = await echoBesideNodeTimers(createLoop({ backend: 'epoll', spinMicroseconds: 2000 }));
    expect(roundTrips).toBe(300);
    // A spin ends after 2 ms at most: Node's own timers ran meanwhile.
    expect(nodeTicks).toBeGreaterThan(0);
  });

  it('serves 50 clients at once with one event per wait', async () => {
    const loop = createLoop({ backend: 'epoll', maxEvents: 1 });
    const server = loop.tcp().bind('127.0.0.1', 0);
    let served = 0;
    server.listen(64, (err, client) => {
      if (!client) throw err;
      client.readStart((e, data) => (data ? client.write(data) : client.close()));
    });
    const peers: Socket[] = [];
    for (let i = 0; i < 50; i++) {
      const peer = connect(server.address().port, '127.0.0.1', () => peer.write(`hello ${i}`));
      peer.on('data', (d) => {
        expect(d.toString()).toBe(`hello ${i}`);
        peer.end();
        if (++served === 50) server.close();
      });
      peers.push(peer);
    }
    await loop.run();
    loop.close();
    expect(served).toBe(50);
  });

  it('a hung-up socket with its reads stopped does not wake the loop', async () => {
    const loop = createLoop({ backend: 'epoll' });
    const server = loop.tcp().bind('127.0.0.1', 0);
    let accepted: Tcp | null = null;
    server.listen(8, (err, client) => {
      if (!client) throw err;
      accepted = client;
      server.close();
      // Reads stopped at once: the peer's reset below leaves the socket hung up, unread.
      client.readStart(() => {});
      client.readStop();
    });
    const peer = connect(server.address().port, '127.0.0.1');
    await new Promise((resolve) => peer.on('connect', resolve));
    const accepting = loop.timer().start(() => accepted && accepting.close(), 1, 1);
    await loop.run();
    peer.resetAndDestroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = nativeCallCounts().epoll_wait ?? 0;
    // 200 ms of a loop kept alive by the hung-up socket and one slow timer.
    const timer = loop.timer().start(() => {
      timer.close();
      accepted!.close();
    }, 200);
    await loop.run();
    loop.close();
    const waits = (nativeCallCounts().epoll_wait ?? 0) - before;
    expect(waits).toBeLessThan(10);
  });
});
