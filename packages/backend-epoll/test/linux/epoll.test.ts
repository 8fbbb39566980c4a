/**
 * What the conformance suite does not pin down about the epoll reactor: its
 * option, batches smaller than the ready set, a hung-up socket with its
 * reads stopped (EPOLLHUP is reported whatever the interest, so such a
 * socket must leave the kernel's set or every wait returns at once), and the
 * one busy socket that Node's loop watches alone.
 */
import { connect, type Socket } from 'node:net';
import { PROMOTE_AFTER_WAKES } from '@wsaloop/backend-epoll';
import { createLoop, nativeCallCounts, type Loop, type Tcp } from '@wsaloop/core';
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

/** An echo server on `loop`; resolves its port. */
function echoServer(loop: Loop): { server: Tcp; port: number } {
  const server = loop.tcp().bind('127.0.0.1', 0);
  server.listen(8, (err, client) => {
    if (!client) throw err;
    client.readStart((e, data) => (data ? client.write(data) : client.close()));
  });
  return { server, port: server.address().port };
}

/** A node:net client of `port`, once connected. */
async function client(port: number): Promise<Socket> {
  const peer = connect(port, '127.0.0.1');
  await new Promise((resolve) => peer.once('connect', resolve));
  return peer;
}

/** `count` one-byte round trips on `peer`, one at a time; resolves the bytes echoed. */
async function pingPong(peer: Socket, count: number): Promise<number> {
  let echoed = 0;
  for (let i = 0; i < count; i++) {
    const reply = new Promise<Buffer>((resolve) => peer.once('data', resolve));
    peer.write('x');
    echoed += (await reply).length;
  }
  return echoed;
}

async function until(condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** An echo loop and one node:net client, whose round trips have had its socket watched alone. */
async function promotedEcho(): Promise<{ loop: Loop; server: Tcp; port: number; peer: Socket; running: Promise<boolean> }> {
  const loop = createLoop({ backend: 'epoll' });
  const { server, port } = echoServer(loop);
  const running = loop.run();
  const peer = await client(port);
  expect(await pingPong(peer, PROMOTE_AFTER_WAKES + 8)).toBe(PROMOTE_AFTER_WAKES + 8);
  expect(loop.stats()).toMatchObject({ socketsWatchedAlone: 1, socketsInKernelSet: 1 }); // the listener
  return { loop, server, port, peer, running };
}

describe('epoll backend: the one busy socket watched alone', () => {
  it('is watched alone after a run of wakes, spares the look, and rejoins the set when another socket is reported', async () => {
    const { loop, server, port, peer: first, running } = await promotedEcho();
    const looksBefore = nativeCallCounts().epoll_wait ?? 0;
    expect(await pingPong(first, 100)).toBe(100);
    // Each of the 100 wakes came straight from Node's loop: no look into the epoll descriptor.
    expect((nativeCallCounts().epoll_wait ?? 0) - looksBefore).toBeLessThan(5);
    // The listener's report of a new connection sends the first socket back.
    const second = await client(port);
    expect(await pingPong(second, 1)).toBe(1);
    expect(loop.stats()).toMatchObject({ socketsWatchedAlone: 0, socketsInKernelSet: 3 });
    const [a, b] = await Promise.all([pingPong(first, 50), pingPong(second, 50)]);
    expect(a + b).toBe(100);
    first.end();
    second.end();
    server.close();
    await running;
    expect(loop.liveStats()).toMatchObject({ registeredSockets: 0, socketsWatchedAlone: 0 });
    loop.close();
  });

  it('rejoins the set when the loop looks without waiting (an idle handle), and is served all along', async () => {
    const { loop, server, peer, running } = await promotedEcho();
    let idles = 0;
    const idle = loop.idle().start(() => idles++);
    // Every poll now looks with no timeout, and a look sees only the kernel's set.
    expect(await pingPong(peer, 50)).toBe(50);
    expect(idles).toBeGreaterThan(0);
    expect(loop.stats().socketsWatchedAlone).toBe(0);
    idle.close();
    await pingPong(peer, PROMOTE_AFTER_WAKES + 8);
    expect(loop.stats().socketsWatchedAlone).toBe(1);
    peer.end();
    server.close();
    await running;
    loop.close();
  });

  it('rejoins the set when reported while its loop is stopped, and no data is lost', async () => {
    const promoted = await promotedEcho();
    const { loop, server, peer } = promoted;
    let { running } = promoted;
    loop.stop();
    expect(await running).toBe(true);
    // Node's loop reports the socket with nobody waiting: the watch must go, or
    // it would be reported on every turn of Node's loop.
    const reply = new Promise<Buffer>((resolve) => peer.once('data', resolve));
    peer.write('late');
    await until(() => loop.stats().socketsWatchedAlone === 0);
    running = loop.run();
    expect((await reply).toString()).toBe('late');
    peer.end();
    server.close();
    await running;
    loop.close();
  });

  it('is never promoted with spinMicroseconds (the spin looks into the kernel set)', async () => {
    const loop = createLoop({ backend: 'epoll', spinMicroseconds: 50 });
    const { server, port } = echoServer(loop);
    const running = loop.run();
    const peer = await client(port);
    expect(await pingPong(peer, PROMOTE_AFTER_WAKES * 2)).toBe(PROMOTE_AFTER_WAKES * 2);
    expect(loop.stats().socketsWatchedAlone).toBe(0);
    peer.end();
    server.close();
    await running;
    loop.close();
  });
});
