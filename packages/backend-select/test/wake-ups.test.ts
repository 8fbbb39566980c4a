/**
 * A round trip answered from a read callback needs no wake-up: the reactor
 * is dispatching, not waiting. Counted with nativeCallCounts(): under
 * Winsock a wake-up is a send on the wake socket, on Linux a write to the
 * eventfd.
 */
import { connect } from 'node:net';
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
