// Child process of the conformance suite: an echo server started under a low
// descriptor limit (`ulimit -n`). Prints its port, then answers each line on
// stdin with its loop's stats as JSON; exits when stdin ends.
import { createInterface } from 'node:readline';
import { createLoop } from '@wsaloop/core';

const [backend, options] = [process.argv[2], JSON.parse(process.argv[3] ?? '{}')];
const loop = createLoop({ backend, ...options });
const server = loop.tcp().bind('127.0.0.1', 0);
const listenerErrors = [];
server.listen(1024, (err, client) => {
  if (err || !client) return void listenerErrors.push(err?.code);
  client.readStart((e, data) => {
    if (data) return void client.write(data, () => {});
    if (e) client.close();
    else client.shutdown(() => client.close());
  });
});
console.log(JSON.stringify({ port: server.address().port }));
createInterface({ input: process.stdin })
  .on('line', () => console.log(JSON.stringify({ ...loop.stats(), listenerErrors })))
  .on('close', () => server.close());
await loop.run();
