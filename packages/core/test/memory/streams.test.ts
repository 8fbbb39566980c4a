/**
 * TCP and UDP handles over the in-memory network, on both memory backends:
 * the handle state machine, errors with their codes, backpressure, and
 * hostile peers with faults injected where real sockets cannot be made to
 * fail on cue (an accept that fails, a process out of descriptors).
 */
import { describe, expect, it } from 'vitest';
import type { Loop, Tcp } from '@wsaloop/core';
import { createMemoryLoop, type MemoryBackendKind, type MemoryNetwork } from '@wsaloop/core/testing';

/** An echo server on `loop`; resolves its port and the listener's errors. */
function echoServer(loop: Loop): { server: Tcp; port: number; errors: unknown[]; clients: Set<Tcp> } {
  const errors: unknown[] = [];
  const clients = new Set<Tcp>();
  const server = loop.tcp().bind('127.0.0.1', 0).listen(64, (error, client) => {
    if (error) return void errors.push(error);
    clients.add(client!);
    client!.readStart((e, data) => {
      if (data) return void client!.write(data, () => {});
      clients.delete(client!);
      if (!client!.isClosing()) client!.close();
    });
  });
  return { server, port: server.address().port, errors, clients };
}

async function drain(loop: Loop): Promise<void> {
  loop.walk((h) => h.isClosing() || h.close());
  await loop.run();
}

/** Runs `loop` until `done()` holds, checking after every iteration's timers. */
async function runUntil(loop: Loop, done: () => boolean): Promise<void> {
  const check = loop.timer().start(() => done() && loop.stop(), 1, 1);
  await loop.run();
  check.close();
}

/** Runs `loop` until `promise`, a request made on it, settles; returns the promise. */
async function runFor<T>(loop: Loop, promise: Promise<T>): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await runUntil(loop, () => settled);
  return promise;
}

describe.each<MemoryBackendKind>(['reactor', 'proactor'])('streams on the memory %s', (kind) => {
  let network: MemoryNetwork;
  const make = (): Loop => {
    const made = createMemoryLoop(kind);
    network = made.network;
    return made.loop;
  };

  it('echoes 1 MiB byte-exact, half-closes, and returns to its baseline', async () => {
    const loop = make();
    const baseline = loop.liveStats();
    const { server, port } = echoServer(loop);
    const payload = Buffer.alloc(1024 * 1024, 7).map((_, i) => i % 251);
    const got: Buffer[] = [];
    let ended = false;
    const client = loop.tcp();
    client.connect('localhost', port, (error) => {
      expect(error).toBeNull();
      expect(client.remoteAddress().port).toBe(port);
      client.readStart((e, data) => {
        if (data) return void got.push(data);
        ended = true;
        client.close();
        server.close();
      });
      client.write(payload, () => client.shutdown());
    });
    await loop.run();
    expect(ended).toBe(true);
    expect(Buffer.compare(Buffer.concat(got), payload)).toBe(0);
    expect(loop.liveStats()).toEqual(baseline);
    expect(network.openSockets).toBe(0);
    loop.close();
  });

  it('reports ECONNREFUSED, EADDRINUSE, ENOTCONN with their syscalls', async () => {
    const loop = make();
    const a = loop.tcp().bind('127.0.0.1', 0).listen(8);
    expect(() => loop.tcp().bind('127.0.0.1', a.address().port)).toThrow(expect.objectContaining({ code: 'EADDRINUSE', syscall: 'bind' }));
    const closedPort = a.address().port;
    a.close();
    await loop.run();
    const client = loop.tcp();
    await expect(runFor(loop, client.connect('127.0.0.1', closedPort))).rejects.toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect' });
    await expect(runFor(loop, loop.tcp().write('x'))).rejects.toMatchObject({ code: 'ENOTCONN' });
    await drain(loop);
    loop.close();
  });

  it('close() with writes queued cancels them with ECANCELED', async () => {
    const loop = make();
    const { port } = echoServer(loop);
    const client = loop.tcp();
    const results: Array<string | null> = [];
    await runFor(loop, client.connect('127.0.0.1', port));
    // More than the peer's buffer takes: the later writes wait, and the close cancels them.
    for (let i = 0; i < 8; i++) client.write(Buffer.alloc(256 * 1024), (error) => results.push(error?.code ?? null));
    client.close();
    await drain(loop);
    expect(results).toHaveLength(8);
    expect(results).toContain('ECANCELED');
    loop.close();
  });

  it('a peer that never reads holds back the writer: writeQueueSize grows, the loop stays responsive', async () => {
    const loop = make();
    const server = loop.tcp().bind('127.0.0.1', 0).listen(8, () => {});
    const client = loop.tcp();
    await runFor(loop, client.connect('127.0.0.1', server.address().port));
    let completed = 0;
    for (let i = 0; i < 64; i++) client.write(Buffer.alloc(64 * 1024), () => completed++);
    let ticks = 0;
    const timer = loop.timer().start(() => {
      if (++ticks === 5) loop.stop();
    }, 1, 1);
    await loop.run();
    // 4 MiB written, the peer's 256 KiB buffer full: most writes still wait.
    expect(completed).toBeLessThan(64);
    expect(client.writeQueueSize).toBeGreaterThan(3 * 1024 * 1024);
    timer.close();
    await drain(loop);
    loop.close();
  });

  it('a peer that resets mid-stream costs its connection only: ECONNRESET on the server side', async () => {
    const loop = make();
    const errors: string[] = [];
    const server = loop.tcp().bind('127.0.0.1', 0).listen(8, (error, client) => {
      expect(error).toBeNull();
      client!.readStart((e, data) => {
        if (e) errors.push(e.code);
        if (!data) client!.close();
      });
    });
    const client = loop.tcp();
    await runFor(loop, client.connect('127.0.0.1', server.address().port));
    client.write('half a request');
    await loop.run('nowait');
    client.reset();
    await runUntil(loop, () => errors.length > 0);
    expect(errors).toEqual(['ECONNRESET']);
    expect(server.isClosing()).toBe(false);
    await drain(loop);
    loop.close();
  });

  it('accepts that fail on the way in are dropped and counted, never reported to the listener', async () => {
    const loop = make();
    const { server, port, errors, clients } = echoServer(loop);
    network.failNext('accept', 'ECONNABORTED');
    network.failNext('accept', 'ECONNRESET');
    const refused: Array<string | null> = [];
    for (let i = 0; i < 3; i++) {
      const client = loop.tcp();
      client.connect('127.0.0.1', port, (error) => {
        refused.push(error?.code ?? null);
        client.readStart((e, data) => data || client.close());
      });
    }
    await runUntil(loop, () => clients.size === 1);
    expect(errors).toEqual([]);
    expect(loop.stats().acceptsDroppedTotal).toBe(2);
    expect(clients.size).toBe(1);
    server.close();
    await drain(loop);
    loop.close();
  });

  it('a listener error (EBADF) reaches the listener callback', async () => {
    const loop = make();
    const { server, port, errors } = echoServer(loop);
    network.failNext('accept', 'EBADF');
    const client = loop.tcp();
    client.connect('127.0.0.1', port, () => {});
    await runUntil(loop, () => errors.length > 0);
    expect(errors).toEqual([expect.objectContaining({ code: 'EBADF', syscall: 'accept' })]);
    server.close();
    await drain(loop);
    loop.close();
  });

  it('out of descriptors (EMFILE): accepting pauses and resumes, and later clients are served', async () => {
    const loop = make();
    const { server, port, errors } = echoServer(loop);
    // Still out of descriptors when the guard turns clients away and probes again: it backs off.
    for (let i = 0; i < 3; i++) network.failNext('accept', 'EMFILE');
    const echoed: string[] = [];
    const connectEcho = (text: string): void => {
      const client = loop.tcp();
      client.connect('127.0.0.1', port, (error) => {
        if (error) return void client.close();
        client.readStart((e, data) => {
          if (data) echoed.push(data.toString());
          client.close();
        });
        client.write(text);
      });
    };
    connectEcho('first');
    const later = loop.timer().start(() => connectEcho('later'), 50);
    const stop = loop.timer().start(() => {
      if (echoed.includes('later')) {
        stop.close();
        server.close();
      }
    }, 5, 5);
    await loop.run();
    expect(errors).toEqual([]);
    expect(loop.stats().acceptBackoffsTotal).toBeGreaterThanOrEqual(1);
    expect(echoed).toContain('later');
    later.close();
    await drain(loop);
    loop.close();
  });

  it('UDP: datagrams with their sender; send to nobody is not an error', async () => {
    const loop = make();
    const receiver = loop.udp().bind('127.0.0.1', 0);
    const sender = loop.udp();
    const got: Array<[string, number]> = [];
    receiver.recvStart((error, data, from) => {
      got.push([data!.toString(), from!.port]);
      receiver.close();
      sender.close();
    });
    await runFor(loop, sender.send('nobody', '127.0.0.1', 9));
    const senderPort = sender.address().port;
    sender.send(['da', 'tagram'], '127.0.0.1', receiver.address().port, () => {});
    await loop.run();
    expect(got).toEqual([['datagram', senderPort]]);
    loop.close();
  });
});
