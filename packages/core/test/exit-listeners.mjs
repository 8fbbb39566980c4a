// Counts the `exit` listeners that loops of every backend of this platform
// add to process, once each has waited (see exit-listeners.test.ts).
const before = process.listenerCount('exit');
const { createLoop } = await import('@wsaloop/core');
const configs =
  process.platform === 'win32'
    ? [{ backend: 'select' }, { backend: 'asyncselect' }, { backend: 'eventselect' }, { backend: 'overlapped' }, { backend: 'overlapped', notify: 'routine' }, { backend: 'iocp' }]
    : [{ backend: 'select' }, { backend: 'epoll' }, { backend: 'iouring' }];
const loops = [];
for (const config of configs) {
  try {
    loops.push(createLoop(config));
  } catch {
    // io_uring refused by this kernel or container: the others still count.
  }
}
await Promise.all(
  loops.map((loop) => {
    const server = loop.tcp().bind('127.0.0.1', 0).listen(8, () => {});
    setTimeout(() => server.close(), 200);
    return loop.run();
  }),
);
console.log(JSON.stringify({ loops: loops.length, added: process.listenerCount('exit') - before }));
for (const loop of loops) loop.close();
