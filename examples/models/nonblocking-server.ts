/**
 * Echo server for the non-blocking I/O model (model 2 of the course notes):
 * non-blocking sockets polled on a timer. Every call returns at once, with
 * WSAEWOULDBLOCK / EAGAIN when it cannot make progress; the server simply
 * tries again on the next tick. It serves many clients on one thread, and
 * shows the model's costs: a system call per socket per tick, even when
 * nothing happens, and a reply delayed by up to one tick.
 *
 *   node examples/models/dist/nonblocking-server.js [--host 127.0.0.1] [--port 7000] [--tick 5]
 */
import { decodeSockaddr, encodeSockaddr, SOCKADDR_MAX, socketApi } from '@wsaloop/core/backend';
import { intArg, parseArgs } from '../shared/cli.js';
import { onStop } from '../shared/serve-echo.js';

const api = socketApi();
const args = parseArgs(process.argv.slice(2));
const host = args.values.get('host') ?? '127.0.0.1';
const port = intArg(args, 'port', 7000);
const tickMs = intArg(args, 'tick', 5);
const family = host.includes(':') ? 'ipv6' : 'ipv4';

interface Client {
  socket: number;
  pending: Buffer[];
}

const listener = api.open(family, 'stream'); // wsaloop sockets are non-blocking already
const address = Buffer.alloc(SOCKADDR_MAX);
const length = encodeSockaddr(api, family, host, port, address);
if (listener < 0 || api.bind(listener, address, length) < 0 || api.listen(listener, 128) < 0) {
  console.error('cannot listen');
  process.exit(1);
}
api.localAddress(listener, address);
console.log(`listening on ${host}:${decodeSockaddr(api, address)!.port}`);

const clients = new Set<Client>();
const buffer = Buffer.alloc(16 * 1024);
let calls = 0;
let wouldBlock = 0;

function tick(): void {
  for (;;) {
    calls++;
    const s = api.accept(listener);
    if (s < 0) {
      if (api.isWouldBlock(-s)) wouldBlock++;
      break;
    }
    clients.add({ socket: s, pending: [] });
  }
  for (const client of clients) {
    // Flush what could not be sent earlier, then read what arrived.
    while (client.pending.length > 0) {
      calls++;
      const head = client.pending[0]!;
      const n = api.send(client.socket, head, 0, head.length);
      if (n < 0) {
        if (api.isWouldBlock(-n)) wouldBlock++;
        break;
      }
      if (n < head.length) client.pending[0] = head.subarray(n);
      else client.pending.shift();
    }
    for (;;) {
      calls++;
      const n = api.recv(client.socket, buffer, 0, buffer.length);
      if (n > 0) {
        client.pending.push(Buffer.from(buffer.subarray(0, n)));
        continue;
      }
      if (n < 0 && api.isWouldBlock(-n)) {
        wouldBlock++;
        break;
      }
      api.close(client.socket); // end of stream or error
      clients.delete(client);
      break;
    }
  }
}

const timer = setInterval(tick, tickMs);
onStop((why) => {
  clearInterval(timer);
  for (const c of clients) api.close(c.socket);
  api.close(listener);
  console.log(`stopping (${why}): ${calls} calls, ${wouldBlock} of them would have blocked`);
  process.exit(0);
});
