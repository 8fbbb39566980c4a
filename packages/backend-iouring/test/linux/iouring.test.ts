/**
 * What the conformance suite does not pin down about the io_uring proactor:
 * its options (the spin among them), a refusal that names its cause (a
 * seccomp filter, as container runtimes install), queues far smaller than
 * the work (the submission queue fills, completions overflow into the
 * kernel's list), and the receive policy that leaves idle connections
 * without a buffer and reads after a poll request through the ring.
 */
import { execFileSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createLoop, type Loop, nativeCallCounts, type Tcp } from '@wsaloop/core';
import { echoBesideNodeTimers } from '@wsaloop/core/conformance';
import { describe, expect, it } from 'vitest';

const refuser = fileURLToPath(new URL('./refuse-io-uring.mjs', import.meta.url));

/** Runs `createLoop` under a seccomp filter that fails io_uring_setup with `errno`. */
function underSeccomp(errno: number): { defaultBackend?: string; code?: string; message?: string; setup?: string } {
  return JSON.parse(execFileSync(process.execPath, [refuser, String(errno)], { encoding: 'utf8' }));
}

/** An echo server on `loop`; resolves with its port. */
function echoServer(loop: Loop, accepted: Tcp[] = []): { server: Tcp; port: number } {
  const server = loop.tcp().bind('127.0.0.1', 0);
  server.listen(511, (err, client) => {
    if (!client) throw err;
    accepted.push(client);
    client.readStart((e, data) => (data ? client.write(data) : client.close()));
  });
  return { server, port: server.address().port };
}

describe('iouring backend', () => {
  it('checks its options and rejects unknown ones', () => {
    expect(() => createLoop({ backend: 'iouring', ringEntries: 8 })).toThrow(RangeError);
    expect(() => createLoop({ backend: 'iouring', ringEntries: 100.5 })).toThrow(/ringEntries/);
    expect(() => createLoop({ backend: 'iouring', recvBufferSize: 100 })).toThrow(/recvBufferSize/);
    expect(() => createLoop({ backend: 'iouring', ringentries: 64 })).toThrow(
      expect.objectContaining({ code: 'ERR_WSALOOP_UNKNOWN_BACKEND_OPTION', message: expect.stringMatching(/did you mean "ringEntries"/) }),
    );
    for (const spin of [-1, 10_001, 'x']) expect(() => createLoop({ backend: 'iouring', spinMicroseconds: spin })).toThrow(/spinMicroseconds/);
  });

  it('spinMicroseconds: serves round trips and lets Node run between spins (its timers keep firing)', async () => {
    const { roundTrips, nodeTicks } = await echoBesideNodeTimers(createLoop({ backend: 'iouring', spinMicroseconds: 2000 }));
    expect(roundTrips).toBe(300);
    // A spin ends after 2 ms at most: Node's own timers ran meanwhile.
    expect(nodeTicks).toBeGreaterThan(0);
  });

  it('refused by a seccomp filter, fails at once naming the cause; the default stays epoll', () => {
    const refused = underSeccomp(1 /* EPERM */);
    expect(refused.setup).toBeUndefined();
    expect(refused.defaultBackend).toBe('epoll');
    expect(refused.code).toBe('ERR_WSALOOP_BACKEND_UNSUPPORTED');
    expect(refused.message).toMatch(/io_uring_setup failed with EPERM: a seccomp filter refuses it/);
    const hidden = underSeccomp(38 /* ENOSYS */);
    expect(hidden.code).toBe('ERR_WSALOOP_BACKEND_UNSUPPORTED');
    expect(hidden.message).toMatch(/ENOSYS: this kernel has no io_uring/);
  });

  it('serves 300 clients through a 16-entry ring: a full submission queue and overflowing completions lose nothing', async () => {
    const loop = createLoop({ backend: 'iouring', ringEntries: 16 });
    const { server, port } = echoServer(loop);
    const clients = 300;
    let done = 0;
    const peers: Socket[] = [];
    for (let i = 0; i < clients; i++) {
      const message = `client ${i} `.repeat(50);
      const peer = connect(port, '127.0.0.1', () => peer.write(message));
      let echoed = '';
      peer.on('data', (d) => {
        echoed += d.toString();
        if (echoed.length < message.length) return;
        expect(echoed).toBe(message);
        peer.end();
        if (++done === clients) server.close();
      });
      peers.push(peer);
    }
    await loop.run();
    expect(done).toBe(clients);
    expect(loop.liveStats()).toMatchObject({ liveOperations: 0, buffersInUse: 0, openSockets: 0 });
    loop.close();
  });

  it('after a poll request, receives go through the ring, at most 64 in flight; past that, a recv() each', async () => {
    for (const clients of [20, 400]) {
      const loop = createLoop({ backend: 'iouring', zeroByteReads: true });
      const accepted: Tcp[] = [];
      const { server, port } = echoServer(loop, accepted);
      const peers = Array.from({ length: clients }, () => connect(port, '127.0.0.1'));
      let recvCalls = -1;
      let echoed = 0;
      const start = loop.timer().start(() => {
        if (accepted.length < clients) return;
        start.close();
        // Every client writes at once: all their poll requests complete together.
        recvCalls = nativeCallCounts().recv ?? 0;
        for (const peer of peers) peer.write(`ping from ${peer.localPort}`);
      }, 5, 5);
      for (const peer of peers) {
        peer.once('data', (d) => {
          expect(d.toString()).toBe(`ping from ${peer.localPort}`);
          peer.end();
          if (++echoed === clients) server.close();
        });
      }
      await loop.run();
      recvCalls = (nativeCallCounts().recv ?? 0) - recvCalls;
      expect(echoed).toBe(clients);
      expect(loop.liveStats()).toMatchObject({ liveOperations: 0, buffersInUse: 0, openSockets: 0 });
      loop.close();
      if (clients === 20) expect(recvCalls).toBe(0);
      else expect(recvCalls).toBeGreaterThan(0);
    }
  });

  it('reports an echo\'s send in the poll that received: one turn of the loop per round trip, not two', async () => {
    const ROUND_TRIPS = 200;
    const loop = createLoop({ backend: 'iouring' });
    const { server, port } = echoServer(loop);
    // A prepare handle runs once per turn of the loop.
    let turns = 0;
    const counter = loop.prepare().start(() => turns++);
    counter.unref();
    const peer = connect(port, '127.0.0.1');
    let echoed = 0;
    let turnsBefore = 0;
    peer.on('connect', () => {
      turnsBefore = turns;
      peer.write('x');
    });
    peer.on('data', (d) => {
      echoed += d.length;
      if (echoed < ROUND_TRIPS) return void peer.write('x');
      peer.end();
      server.close();
    });
    await loop.run();
    counter.close();
    await loop.run();
    loop.close();
    expect(echoed).toBe(ROUND_TRIPS);
    // Two per round trip when the send's completion waited for the next poll.
    expect((turns - turnsBefore) / ROUND_TRIPS).toBeLessThan(1.5);
  });

  it('with zeroByteReads, an idle connection holds no receive buffer; without, one of recvBufferSize', async () => {
    for (const zeroByteReads of [true, false]) {
      const loop = createLoop({ backend: 'iouring', zeroByteReads });
      const accepted: Tcp[] = [];
      const { server, port } = echoServer(loop, accepted);
      const peers = Array.from({ length: 20 }, () => connect(port, '127.0.0.1'));
      const idle: Record<string, number>[] = [];
      const check = loop.timer().start(() => {
        if (accepted.length < peers.length) return;
        check.close();
        idle.push(loop.liveStats());
        // Still served: one echo through every connection.
        let echoed = 0;
        for (const peer of peers) {
          peer.once('data', () => {
            peer.end();
            if (++echoed === peers.length) server.close();
          });
          peer.write('ping');
        }
      }, 5, 5);
      await loop.run();
      loop.close();
      expect(idle[0]!.buffersInUse).toBe(zeroByteReads ? 0 : 20);
      // The accepts kept posted are operations too.
      expect(idle[0]!.liveOperations).toBeGreaterThanOrEqual(20);
    }
  });
});
