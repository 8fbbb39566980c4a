/**
 * A round trip answered from a read callback needs no wake-up: the reactor
 * is dispatching, not waiting. Counted with nativeCallCounts(): under
 * Winsock a wake-up is a send on the wake socket, on Linux a write to the
 * eventfd.
 */
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createLoop, nativeCallCounts } from '@wsaloop/core';
import { expect, it } from 'vitest';

const ROUND_TRIPS = 200;

it('echoes from a read callback without waking its own wait', async () => {
  const loop = createLoop({ backend: 'select' });
  const server = loop.tcp().bind('127.0.0.1', 0);
  let before: Record<string, number> = {};
  let echoed = 0;
  server.listen(16, (err, client) => {
    if (!client) throw err;
    server.close();
    client.readStart((e, data) => (data ? client.write(data) : client.close()));
  });
  const peer = connect(server.address().port, '127.0.0.1');
  peer.on('connect', () => {
    before = nativeCallCounts();
    peer.write('x');
  });
  peer.on('data', (d) => {
    echoed += d.length;
    if (echoed < ROUND_TRIPS) peer.write('x');
    else peer.end();
  });
  await loop.run();
  loop.close();
  const after = nativeCallCounts();
  const made = (name: string): number => (after[name] ?? 0) - (before[name] ?? 0);
  expect(echoed).toBe(ROUND_TRIPS);
  if (process.platform === 'win32') expect(made('send')).toBeLessThanOrEqual(ROUND_TRIPS + 2);
  else expect(made('write')).toBeLessThanOrEqual(2);
});

// Windows: a named pipe is served beside select (PipeSidecar). When the pipe
// answers first, the socket wait goes on into the next poll: no wake-up and
// no new select per pipe round trip (before, each cost both).
it.runIf(process.platform === 'win32')('answers pipe round trips while one select wait stays in flight', async () => {
  const loop = createLoop({ backend: 'select' });
  // A socket to wait on beside the pipe.
  const listener = loop.tcp().bind('127.0.0.1', 0).listen(8);
  const name = `\\\\.\\pipe\\wsaloop-select-carry-${process.pid}`;
  const pipeServer = loop.pipe().bind(name);
  let before: Record<string, number> = {};
  let echoed = 0;
  pipeServer.listen(8, (err, client) => {
    if (!client) throw err;
    pipeServer.close();
    client.readStart((e, data) => (data ? client.write(data) : client.close()));
  });
  const peer = connect(name);
  peer.on('connect', () => {
    before = nativeCallCounts();
    peer.write('x');
  });
  peer.on('data', (d) => {
    echoed += d.length;
    if (echoed < ROUND_TRIPS) peer.write('x');
    else {
      peer.end();
      listener.close();
    }
  });
  await loop.run();
  loop.close();
  const after = nativeCallCounts();
  const made = (name: string): number => (after[name] ?? 0) - (before[name] ?? 0);
  expect(echoed).toBe(ROUND_TRIPS);
  // A few waits start and end around the connection and its close; none per round trip.
  expect(made('select')).toBeLessThan(ROUND_TRIPS / 10);
});

// A wait carried past the last poll must not hold the exit: Node joins its
// thread pool when the process exits, and a select parked there would hang it.
it.runIf(process.platform === 'win32')('process.exit() from a pipe callback ends promptly, with a socket wait carried', () => {
  const script = fileURLToPath(new URL('./exit-in-pipe-callback.mjs', import.meta.url));
  const child = spawnSync(process.execPath, [script], { timeout: 30_000, encoding: 'utf8' });
  expect(child.error).toBeUndefined();
  expect(child.status, child.stderr).toBe(3);
});
