/** What only the completion-port backend promises: accepts posted ahead, counted native memory, zero-byte reads. */
import { connect, type Socket } from 'node:net';
import { createLoop, type Loop, type Tcp } from '@wsaloop/core';
import { describe, expect, it } from 'vitest';

/** Blocks this thread for `ms` (lets the system queue completions before the next poll). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

async function drain(loop: Loop): Promise<void> {
  await loop.run();
  loop.close();
}

describe('iocp backend', () => {
  it('is a proactor woken through its completion port, and validates its options', () => {
    const loop = createLoop({ backend: 'iocp' });
    expect(loop.backend.kind).toBe('proactor');
    expect(loop.backend.wakeToken.kind).toBe('completion-port');
    loop.close();
    expect(() => createLoop({ backend: 'iocp', batchSize: 0 })).toThrow(RangeError);
    expect(() => createLoop({ backend: 'iocp', acceptsAhead: 5000 })).toThrow(RangeError);
    expect(() => createLoop({ backend: 'iocp', recvBufferSize: 10 })).toThrow(RangeError);
    expect(() => createLoop({ backend: 'iocp', zeroByteReads: -1 })).toThrow(RangeError);
    expect(() => createLoop({ backend: 'iocp', zeroByteReads: 'yes' })).toThrow(TypeError);
    expect(() => createLoop({ backend: 'iocp', recvBufferSize: 65536, maxRecvBufferSize: 4096 })).toThrow(/maxRecvBufferSize/);
    expect(() => createLoop({ backend: 'iocp', spinMicroseconds: -1 })).toThrow(RangeError);
    // A misspelt option fails loudly, with the right spelling.
    expect(() => createLoop({ backend: 'iocp', batchsize: 64 })).toThrow(/no "batchsize" option \(did you mean "batchSize"\?\)/);
  });

  it('keeps the configured number of AcceptEx posted, and releases them all on close', async () => {
    const loop = createLoop({ backend: 'iocp', acceptsAhead: 12 });
    const server = loop.tcp().bind('127.0.0.1', 0).listen(64);
    expect(loop.stats().liveOperations).toBe(12);
    let accepted = 0;
    let whileConnected = -1;
    let peer: Tcp | undefined;
    server.on('connection', (c: Tcp) => {
      accepted++;
      peer = c;
    });
    const client = loop.tcp();
    client.connect('127.0.0.1', server.address().port, () => {
      loop.timer().start((t) => {
        t.close();
        // The accept that completed was replaced: still 12 posted, nothing else live.
        whileConnected = loop.stats().liveOperations ?? -1;
        client.close();
        peer?.close();
        server.close();
      }, 50);
    });
    await loop.run();
    expect(accepted).toBe(1);
    expect(whileConnected).toBe(12);
    expect(loop.stats()).toMatchObject({ liveOperations: 0, buffersInUse: 0, openSockets: 0 });
    loop.close();
  });

  it('counts a large write in flight until its cancellation is reported', async () => {
    const loop = createLoop({ backend: 'iocp', acceptsAhead: 1 });
    let duringWrite = 0;
    let result = '';
    const server = loop.tcp().bind('127.0.0.1', 0);
    server.listen(8, (err, peer) => {
      const client = writer;
      loop.timer().start((t) => {
        t.close();
        duringWrite = loop.stats().liveOperations ?? -1;
        client.close();
        peer!.close();
        server.close();
      }, 100);
    });
    const writer = loop.tcp();
    writer.connect('127.0.0.1', server.address().port, () => {
      writer.write(Buffer.alloc(48 * 1024 * 1024), (e) => (result = e?.code ?? 'ok'));
    });
    await drain(loop);
    // The write and the re-posted accept at least.
    expect(duringWrite).toBeGreaterThanOrEqual(2);
    expect(result).toBe('ECANCELED');
    expect(loop.stats()).toMatchObject({ liveOperations: 0, buffersInUse: 0 });
  });

  it('reports every completion the port holds in one poll, not one batch of them per poll', async () => {
    // batchSize 2: the 12 receives below complete together, and all of them
    // must be reported in the same loop iteration (a port looked at once per
    // poll would report 2 per iteration and leave the rest queued).
    const pairs = 12;
    const loop = createLoop({ backend: 'iocp', batchSize: 2, zeroByteReads: false, acceptsAhead: 4 });
    let iteration = 0;
    const prepare = loop.prepare().start(() => iteration++);
    prepare.unref();
    const peers: Tcp[] = [];
    const clients: Tcp[] = [];
    const readAt: number[] = [];
    const server = loop.tcp().bind('127.0.0.1', 0);
    server.listen(pairs, (err, peer) => {
      peers.push(peer!);
      peer!.readStart((e, data) => {
        if (!data) return;
        readAt.push(iteration);
        if (readAt.length < pairs) return;
        prepare.close();
        for (const x of [...clients, ...peers]) x.close();
        server.close();
      });
      if (peers.length < pairs) return;
      // Every receive is posted (and pending) once this callback returns.
      loop.timer().start((t) => {
        t.close();
        for (const c of clients) c.write('x', () => {});
        // Let every receive complete into the port before the next poll.
        pause(200);
      }, 50);
    });
    for (let i = 0; i < pairs; i++) {
      const c = loop.tcp();
      clients.push(c);
      c.connect('127.0.0.1', server.address().port, () => {});
    }
    await drain(loop);
    expect(readAt).toHaveLength(pairs);
    expect(new Set(readAt).size).toBe(1);
    expect(loop.stats()).toMatchObject({ liveOperations: 0, buffersInUse: 0, openSockets: 0 });
  });

  it('still takes a burst queued in the backlog after steady connections taught it to stop looking there', async () => {
    // Steady connections each find an AcceptEx posted, so the listener's
    // accept() probes find its backlog empty and back off; a burst that then
    // overflows the AcceptEx into the backlog is still all taken and served.
    const loop = createLoop({ backend: 'iocp', acceptsAhead: 4 });
    const served: number[] = [];
    const server = loop.tcp().bind('127.0.0.1', 0);
    const port = server.address().port;
    server.listen(1024, (err, peer) => {
      peer!.readStart((e, data) => {
        if (data) return void peer!.write(data, () => {});
        peer!.close();
        served.push(1);
      });
    });
    /** A node:net client that sends `tag` once connected; `echoed` settles with its echo. */
    const client = (tag: number): { connected: Promise<void>; echoed: Promise<Socket> } => {
      const s = connect(port, '127.0.0.1', () => s.write(Buffer.from([tag])));
      const connected = new Promise<void>((resolve, reject) => {
        s.once('connect', resolve);
        s.once('error', reject);
      });
      const echoed = new Promise<Socket>((resolve, reject) => {
        s.once('error', reject);
        s.once('data', (d) => (d[0] === tag ? resolve(s) : reject(new Error(`echo ${d[0]} for ${tag}`))));
      });
      return { connected, echoed };
    };
    const running = loop.run();
    for (let i = 0; i < 40; i++) (await client(i).echoed).end();
    loop.stop();
    await running;
    // The loop is not running: 200 connections queue behind the 4 AcceptEx.
    const burst = Array.from({ length: 200 }, (_, i) => client(i % 256));
    await Promise.all(burst.map((c) => c.connected));
    const waiting = loop.run();
    for (const s of await Promise.all(burst.map((c) => c.echoed))) s.end();
    const deadline = Date.now() + 20_000;
    while (served.length < 240 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    server.close();
    await waiting;
    loop.close();
    expect(served).toHaveLength(240);
    expect(loop.stats()).toMatchObject({ liveOperations: 0, buffersInUse: 0, openSockets: 0 });
  });

  // 101 sockets are open (50 pairs and the listener) once the readers start.
  for (const zeroByteReads of [false, true, 20, 200]) {
    const what =
      zeroByteReads === true || zeroByteReads === 20
        ? `hold no buffer with zero-byte reads (zeroByteReads: ${zeroByteReads})`
        : `each hold a posted buffer (zeroByteReads: ${zeroByteReads})`;
    it(`idle readers ${what}`, async () => {
      const idle = 50;
      const loop = createLoop({ backend: 'iocp', zeroByteReads, acceptsAhead: 4 });
      const conns: Tcp[] = [];
      let held = -1;
      let echoed = 0;
      const server = loop.tcp().bind('127.0.0.1', 0);
      server.listen(idle, (err, c) => {
        conns.push(c!);
        c!.readStart((e, data) => {
          if (data) c!.write(data, () => {});
        });
        if (conns.length < idle) return;
        held = loop.stats().buffersInUse ?? -1;
        // Then show the mode still moves data.
        const clients = clientsOf;
        clients[0]!.write('ping', () => {});
      });
      const clientsOf: Tcp[] = [];
      for (let i = 0; i < idle; i++) {
        const c = loop.tcp();
        clientsOf.push(c);
        c.connect('127.0.0.1', server.address().port, () => {
          c.readStart((e, data) => {
            if (!data) return;
            echoed += data.length;
            for (const x of [...clientsOf, ...conns]) x.close();
            server.close();
          });
        });
      }
      await drain(loop);
      expect(echoed).toBe(4);
      if (zeroByteReads === true || zeroByteReads === 20) expect(held).toBe(0);
      else expect(held).toBeGreaterThanOrEqual(idle);
      expect(loop.stats()).toMatchObject({ liveOperations: 0, buffersInUse: 0 });
    });
  }
});
