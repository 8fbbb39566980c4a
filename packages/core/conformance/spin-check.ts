/**
 * A check for a backend's `spinMicroseconds` option (epoll's and io_uring's
 * tests run it): a loop that keeps looking on Node's thread after an event
 * must still serve, and must still let Node run its own timers between
 * spins.
 */
import { connect } from 'node:net';
import type { Loop } from '@wsaloop/core';

/**
 * Echoes `count` one-byte round trips of a node:net client on `loop` while a
 * 1 ms Node interval ticks; resolves with both counts once the loop has run
 * out of work, and closes it.
 */
export async function echoBesideNodeTimers(loop: Loop, count = 300): Promise<{ roundTrips: number; nodeTicks: number }> {
  const server = loop.tcp().bind('127.0.0.1', 0);
  server.listen(8, (err, client) => {
    if (!client) throw err;
    client.readStart((e, data) => (data ? client.write(data) : client.close()));
  });
  let nodeTicks = 0;
  const ticker = setInterval(() => nodeTicks++, 1);
  let roundTrips = 0;
  const peer = connect(server.address().port, '127.0.0.1', () => peer.write('x'));
  peer.on('data', () => {
    if (++roundTrips < count) return void peer.write('x');
    peer.end();
    server.close();
  });
  await loop.run();
  clearInterval(ticker);
  loop.close();
  return { roundTrips, nodeTicks };
}
