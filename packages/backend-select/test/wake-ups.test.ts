/**
 * A round trip answered from a read callback needs no wake-up: the reactor
 * is dispatching, not waiting. Counted with nativeCallCounts(): under
 * Winsock a wake-up is a send on the wake socket, on Linux a write to the
 * eventfd.
 */
import { spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createLoop, type Loop, nativeCallCounts, type Pipe, type Tcp } from '@wsaloop/core';
import { expect, it } from 'vitest';

const ROUND_TRIPS = 200;

/**
 * Echoes on `server` (listening now) and drives ROUND_TRIPS one-byte round
 * trips from the peer `connectPeer` opens; returns the native calls made
 * by name, from the peer's connection to the loop's end.
 */
async function callsOverRoundTrips(loop: Loop, server: Tcp | Pipe, connectPeer: () => Socket, atEnd: () => void = () => {}): Promise<(name: string) => number> {
  let before: Record<string, number> = {};
  let echoed = 0;
  server.listen(16, (err, client) => {
    if (!client) throw err;
    server.close();
    client.readStart((e, data) => (data ? client.write(data) : client.close()));
  });
  const peer = connectPeer();
  peer.on('connect', () => {
    before = nativeCallCounts();
    peer.write('x');
  });
  peer.on('data', (d) => {
    echoed += d.length;
    if (echoed < ROUND_TRIPS) return void peer.write('x');
    peer.end();
    atEnd();
  });
  await loop.run();
  loop.close();
  expect(echoed).toBe(ROUND_TRIPS);
  const after = nativeCallCounts();
  return (name) => (after[name] ?? 0) - (before[name] ?? 0);
}

it('echoes from a read callback without waking its own wait', async () => {
  const loop = createLoop({ backend: 'select' });
  const server = loop.tcp().bind('127.0.0.1', 0);
  const made = await callsOverRoundTrips(loop, server, () => connect(server.address().port, '127.0.0.1'));
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
  const made = await callsOverRoundTrips(loop, loop.pipe().bind(name), () => connect(name), () => listener.close());
  // One wait, quiet or beside a Wine test shard, whether the pipe answers
  // during the poll or before it; not one or two per round trip (401 when
  // each pipe answer woke the wait; up to 209 when a pipe answer found
  // before the poll cost a look at the sockets). A wait ends early only
  // when no poll picks it up for 50 ms.
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
