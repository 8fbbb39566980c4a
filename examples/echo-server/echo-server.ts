/**
 * Echo server on any wsaloop backend.
 *
 *   node examples/echo-server/dist/echo-server.js --backend select --host 127.0.0.1 --port 7000
 *
 * Prints `listening on <host>:<port>` once it accepts connections, echoes
 * every byte back until each peer closes, and exits cleanly on SIGINT,
 * SIGTERM or end of stdin.
 */
import { createLoop, defaultBackendName, type Tcp } from '@wsaloop/core';
import { backendOptions, intArg, parseArgs } from '../shared/cli.js';

const args = parseArgs(process.argv.slice(2));
const backend = args.values.get('backend') ?? defaultBackendName();
const host = args.values.get('host') ?? '127.0.0.1';
const port = intArg(args, 'port', 7000);

const loop = createLoop({ backend, ...backendOptions(args, ['backend', 'host', 'port']) });
const clients = new Set<Tcp>();
let connections = 0;
let bytes = 0;

const server = loop.tcp().bind(host, port);
server.listen(1024, (err, client) => {
  if (err || !client) {
    console.error(`accept failed: ${err?.code}`);
    return;
  }
  connections++;
  clients.add(client);
  client.setNoDelay(true);
  client.readStart((error, data) => {
    if (data) {
      bytes += data.length;
      client.write(data, () => {});
      return;
    }
    if (error && error.code !== 'ECONNRESET') console.error(`read failed: ${error.code}`);
    clients.delete(client);
    client.shutdown(() => client.close());
  });
});
console.log(`listening on ${host}:${server.address().port}`);
console.log(`backend: ${backend}`);

let stopping = false;
const stop = (why: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`stopping (${why}): ${connections} connections, ${bytes} bytes echoed`);
  // Wake the loop from outside it: closing handles interrupts a blocked poll.
  server.close();
  for (const c of clients) if (!c.isClosing()) c.close();
  process.stdin.pause();
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.stdin.on('end', () => stop('end of stdin'));
process.stdin.resume();

await loop.run();
loop.close();
process.exit(0);
