// Child of wake-ups.test.ts (Windows): select serves a named pipe beside a
// listening socket; the pipe's first read calls process.exit(3), while the
// socket wait the pipe's answer left in flight is still parked on a pool
// thread. The process must end promptly with status 3.
import { connect } from 'node:net';
import { createLoop } from '@wsaloop/core';

const loop = createLoop({ backend: 'select' });
loop.tcp().bind('127.0.0.1', 0).listen(8);
const name = `\\\\.\\pipe\\wsaloop-select-exit-${process.pid}`;
loop.pipe().bind(name).listen(8, (err, client) => {
  if (!client) throw err;
  client.readStart(() => process.exit(3));
});
const peer = connect(name, () => peer.write('x'));
await loop.run();
