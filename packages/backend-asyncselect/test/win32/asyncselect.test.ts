/**
 * What only the WSAAsyncSelect backend promises: a message-only window on a
 * pump thread of its own, torn down with the loop; registrations that replace
 * each other; messages of a replaced or cancelled registration (or of a
 * socket whose handle value was reused) dropped; accepted sockets, which
 * inherit the listener's registration, registered anew; one recv per FD_READ.
 */
import { createRequire } from 'node:module';
import { createLoop, type Loop, type Tcp } from '@wsaloop/core';
import { type BackendModule, encodeSockaddr, Readiness, type Reactor, type ReadinessListener, SOCKADDR_MAX, type SocketHandle, socketApi } from '@wsaloop/core/backend';
import { user32, windows } from '@wsaloop/core/winsock';
import { describe, expect, it } from 'vitest';
import type { AsyncSelectReactor } from '../../src/index.js';

// The built package: its pump thread is a separate script in dist/.
const { createBackend } = createRequire(import.meta.url)('@wsaloop/backend-asyncselect') as BackendModule;
const api = socketApi();
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks this thread: the pump keeps forwarding messages, the reactor reads none. */
const sleepSync = (ms: number): void => void Atomics.wait(sleeper, 0, 0, ms);

function reactorOf(loop: Loop): AsyncSelectReactor {
  return loop.backend as unknown as AsyncSelectReactor;
}

/** A connected TCP pair made with plain non-blocking calls: [client, accepted], plus the listener. */
function tcpPair(): { client: SocketHandle; peer: SocketHandle; listener: SocketHandle } {
  const addr = Buffer.alloc(SOCKADDR_MAX);
  const listener = api.open('ipv4', 'stream');
  let len = encodeSockaddr(api, 'ipv4', '127.0.0.1', 0, addr);
  expect(api.bind(listener, addr, len)).toBe(0);
  expect(api.listen(listener, 8)).toBe(0);
  len = api.localAddress(listener, addr);
  const client = api.open('ipv4', 'stream');
  api.connect(client, addr, len);
  let peer = -1;
  for (let i = 0; i < 500 && peer < 0; i++) {
    peer = api.accept(listener);
    if (peer < 0) sleepSync(10);
  }
  expect(peer).toBeGreaterThanOrEqual(0);
  return { client, peer, listener };
}

/** A listener that records what it is told. */
function recorder(): ReadinessListener & { reports: number[] } {
  const reports: number[] = [];
  return { reports, onReadiness: (events) => void reports.push(events) };
}

async function pollUntil(reactor: Reactor, done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await reactor.poll(50);
}

describe('asyncselect backend', () => {
  it('pumps a message-only window on a thread of its own, and tears window, class and thread down on close', async () => {
    const loop = createLoop({ backend: 'asyncselect' });
    const reactor = reactorOf(loop);
    expect(loop.backend.kind).toBe('reactor');
    expect(reactor.readsPerEvent).toBe(1);
    // The wake token names the window: using it waits for the pump's window.
    const token = loop.backend.wakeToken;
    const info = reactor.pumpInfo();
    expect(info.state).toBe('ready');
    expect(token).toEqual({ kind: 'window', hwnd: info.hwnd, message: expect.any(Number) });
    const u32 = user32();
    const { kernel32 } = windows();
    expect(u32.IsWindow(info.hwnd)).not.toBe(0);
    // Created by the pump thread, not by the loop's thread.
    expect(u32.GetWindowThreadProcessId(info.hwnd, null)).toBe(info.threadId);
    expect(info.threadId).not.toBe(kernel32.GetCurrentThreadId());
    const windowClass = Buffer.alloc(80);
    windowClass.writeUInt32LE(80, 0);
    const instance = kernel32.GetModuleHandleW(null);
    expect(u32.GetClassInfoExW(instance, info.className, windowClass)).not.toBe(0);

    // Traffic goes through the window while the loop runs.
    const server = loop.tcp().bind('127.0.0.1', 0);
    server.listen(4, (err, peer) => {
      peer!.readStart((e, data) => {
        if (data) peer!.write(data);
        else peer!.close();
      });
    });
    const client = loop.tcp();
    let echoed = '';
    client.connect('127.0.0.1', server.address().port, () => {
      client.readStart((e, data) => {
        echoed += data?.toString() ?? '';
        if (echoed === 'through the window') {
          client.close();
          server.close();
        }
      });
      client.write('through the window');
    });
    await loop.run();
    expect(echoed).toBe('through the window');
    expect(reactor.pumpInfo().messagesRead).toBeGreaterThan(0);

    loop.close();
    await reactor.whenPumpStopped();
    expect(reactor.pumpInfo().state).toBe('stopped');
    expect(u32.IsWindow(info.hwnd)).toBe(0);
    expect(u32.GetClassInfoExW(instance, info.className, windowClass)).toBe(0);
  });

  it('a socket accepted from a listener inherits its registration: those messages are dropped, and nothing is lost once it is registered', async () => {
    const loop = createLoop({ backend: 'asyncselect' });
    const reactor = reactorOf(loop);
    const server = loop.tcp().bind('127.0.0.1', 0);
    let staleBeforeRegistering = -1;
    let text = '';
    let sawEnd = false;
    server.listen(4, (err, peer) => {
      // The client writes and half-closes at once; this socket is registered
      // only later, when reading starts.
      loop.timer().start((t) => {
        t.close();
        staleBeforeRegistering = reactor.pumpInfo().staleMessages;
        peer!.readStart((e, data) => {
          if (data) return void (text += data.toString());
          sawEnd = true;
          peer!.close();
          server.close();
        });
      }, 300);
    });
    const client = loop.tcp();
    client.connect('127.0.0.1', server.address().port, () => {
      client.write('sent before the peer read');
      client.shutdown(() => client.close());
    });
    await loop.run();
    loop.close();
    // At least the accepted socket's FD_WRITE (it is connected and writable)
    // came under the listener's message number, for a socket not registered.
    expect(staleBeforeRegistering).toBeGreaterThan(0);
    expect(text).toBe('sent before the peer read');
    expect(sawEnd).toBe(true);
  });

  it('registering a socket again replaces its registration: the old registration\'s queued messages are dropped, the new one reports the socket\'s state anew', async () => {
    const reactor = createBackend({}) as Reactor;
    const info = (): ReturnType<AsyncSelectReactor['pumpInfo']> => (reactor as unknown as AsyncSelectReactor).pumpInfo();
    const { client, peer, listener } = tcpPair();
    const first = recorder();
    const second = recorder();
    reactor.register(client, Readiness.READABLE, first);
    expect(api.send(peer, Buffer.from('x'), 0, 1)).toBe(1);
    // FD_WRITE and FD_READ are posted for the first registration; the pump
    // forwards them while this thread does not read them.
    sleepSync(500);
    const staleBefore = info().staleMessages;
    reactor.register(client, Readiness.READABLE, second);
    await pollUntil(reactor, () => second.reports.some((e) => e & Readiness.READABLE));
    expect(first.reports).toEqual([]);
    expect(info().staleMessages).toBeGreaterThan(staleBefore);
    // The data that was announced to the replaced registration is announced again.
    expect(second.reports.some((e) => e & Readiness.READABLE)).toBe(true);
    const buf = Buffer.alloc(8);
    expect(api.recv(client, buf, 0, 8)).toBe(1);
    reactor.unregister(client);
    for (const s of [client, peer, listener]) api.close(s);
    reactor.close();
  });

  it('messages queued for an unregistered socket are dropped, also when a new socket reuses its handle value', async () => {
    const reactor = createBackend({}) as Reactor;
    const info = (): ReturnType<AsyncSelectReactor['pumpInfo']> => (reactor as unknown as AsyncSelectReactor).pumpInfo();
    const { client, peer, listener } = tcpPair();
    const old = recorder();
    reactor.register(client, Readiness.READABLE, old);
    expect(api.send(peer, Buffer.from('for the old socket'), 0, 18)).toBe(18);
    sleepSync(500);
    const staleBefore = info().staleMessages;
    reactor.unregister(client);
    api.close(client);
    // Sockets are opened until one gets the closed socket's handle value.
    const extra: SocketHandle[] = [];
    let reused = -1;
    for (let i = 0; i < 64 && reused < 0; i++) {
      const s = api.open('ipv4', 'stream');
      if (s === client) reused = s;
      else extra.push(s);
    }
    for (const s of extra) api.close(s);
    expect(reused).toBe(client);
    // The new socket listens: nobody connects, so it has nothing to report.
    const addr = Buffer.alloc(SOCKADDR_MAX);
    const len = encodeSockaddr(api, 'ipv4', '127.0.0.1', 0, addr);
    expect(api.bind(reused, addr, len)).toBe(0);
    expect(api.listen(reused, 4)).toBe(0);
    const fresh = recorder();
    reactor.register(reused, Readiness.READABLE, fresh);
    for (let i = 0; i < 5; i++) await reactor.poll(50);
    expect(old.reports).toEqual([]);
    expect(fresh.reports).toEqual([]);
    // FD_WRITE and FD_READ of the old socket were there, and were dropped.
    expect(info().staleMessages - staleBefore).toBeGreaterThanOrEqual(2);
    reactor.unregister(reused);
    for (const s of [reused, peer, listener]) api.close(s);
    reactor.close();
  });

  it('reads once per FD_READ message, and still receives 4 MiB byte-exact', async () => {
    const loop = createLoop({ backend: 'asyncselect' });
    const reactor = reactorOf(loop);
    // Count the application's reads inside each readiness report: the adapter
    // reads synchronously from within the listener.
    let readsInReport = 0;
    let mostReadsInOneReport = 0;
    const register = reactor.register.bind(reactor);
    reactor.register = (socket, interest, listener) =>
      register(socket, interest, {
        onReadiness(events, errorCode) {
          readsInReport = 0;
          listener.onReadiness(events, errorCode);
          mostReadsInOneReport = Math.max(mostReadsInOneReport, readsInReport);
        },
      });
    const payload = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 11)) & 0xff;
    const chunks: Buffer[] = [];
    let reads = 0;
    const server = loop.tcp().bind('127.0.0.1', 0);
    server.listen(4, (err, peer) => {
      server.close();
      peer!.readStart((e, data) => {
        readsInReport++;
        if (data) {
          reads++;
          chunks.push(Buffer.from(data));
        } else peer!.close();
      });
    });
    const client: Tcp = loop.tcp();
    client.connect('127.0.0.1', server.address().port, () => {
      client.write(payload);
      client.shutdown(() => client.close());
    });
    await loop.run();
    const info = reactor.pumpInfo();
    loop.close();
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
    expect(reads).toBeGreaterThan(1);
    expect(mostReadsInOneReport).toBe(1);
    // Each read was caused by a message of its own.
    expect(info.messagesRead).toBeGreaterThanOrEqual(reads);
  });
});
