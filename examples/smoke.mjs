import { createLoop } from '@wsaloop/core';
const loop = createLoop({ backend: 'select' });
const server = loop.tcp().bind('127.0.0.1', 0);
server.listen(128, (err, client) => {
  if (err) throw err;
  client.readStart((e, data) => {
    if (e) { console.log('read err', e.code); client.close(); return; }
    if (!data) { client.close(); server.close(); return; }
    client.write(data);
  });
});
const port = server.address().port;
console.log('listening', port);
const c = loop.tcp();
const t0 = Date.now();
c.connect('127.0.0.1', port).then(async () => {
  console.log('connected');
  let got = 0; const N = 1000;
  c.readStart((e, d) => {
    if (!d) { c.close(); return; }
    got += d.length;
    if (got === N * 5) { console.log('echoed all', Date.now() - t0, 'ms'); c.shutdown(); }
  });
  for (let i = 0; i < N; i++) c.write('hello');
});
const nodeTimer = setInterval(() => console.log('node timer tick'), 50);
await loop.run();
clearInterval(nodeTimer);
console.log('loop done, alive =', loop.alive);
loop.close();
