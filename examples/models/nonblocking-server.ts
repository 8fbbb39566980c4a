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
import { intArg, listenFlags, parseArgs } from '../shared/cli.js';
import { failStartup, onStopSignal, startupStep } from '../shared/service.js';

const api = socketApi();
const { host, port, tickMs } = startupStep('start', () => {
  const args = parseArgs(process.argv.slice(2), {
    command: 'node examples/models/dist/nonblocking-server.js',
    summary: 'Echo server for the non-blocking model: every socket polled on a timer. No backend: it drives its sockets itself.',
    flags: [...listenFlags(7000), { flag: '--tick MS', help: 'milliseconds between two rounds of polling (default 5)' }],
    backends: null,
  });
  return { host: args.values.get('host') ?? '127.0.0.1', port: intArg(args, 'port', 7000), tickMs: intArg(args, 'tick', 5) };
});
const family = host.includes(':') ? 'ipv6' : 'ipv4';

interface Client {
  socket: number;
  pending: Buffer[];
  /** Bytes in `pending`. */
  pendingBytes: number;
  /** The peer finished sending: close once `pending` is sent. */
  ended: boolean;
}

const cannotListen = (rc: number): never => failStartup(`listen on ${host}:${port}`, { code: api.errorCode(-rc) });
const listener = api.open(family, 'stream'); // wsaloop sockets are non-blocking already
if (listener < 0) cannotListen(listener);
const address = Buffer.alloc(SOCKADDR_MAX);
const length = startupStep(`listen on ${host}:${port}`, () => encodeSockaddr(api, family, host, port, address));
let rc = api.bind(listener, address, length);
if (rc >= 0) rc = api.listen(listener, 128);
if (rc < 0) cannotListen(rc);

const clients = new Set<Client>();
const buffer = Buffer.alloc(16 * 1024);
/** Unsent bytes per client past which the server stops reading from it. */
const PENDING_LIMIT = 256 * 1024;
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
    clients.add({ socket: s, pending: [], pendingBytes: 0, ended: false });
  }
  for (const client of clients) {
    if (!readAll(client) || !sendPending(client) || (client.ended && client.pending.length === 0)) {
      api.close(client.socket); // done, or the connection failed
      clients.delete(client);
    }
  }
}

/**
 * Reads what arrived into `pending`, up to PENDING_LIMIT: a peer that keeps
 * sending would otherwise keep this loop reading, never sending, and grow
 * `pending` without bound. What is left waits in the socket's buffer, and
 * TCP's flow control slows the peer. False if the connection failed.
 */
function readAll(client: Client): boolean {
  while (!client.ended && client.pendingBytes < PENDING_LIMIT) {
    calls++;
    const n = api.recv(client.socket, buffer, 0, buffer.length);
    if (n > 0) {
      client.pending.push(Buffer.from(buffer.subarray(0, n)));
      client.pendingBytes += n;
    }
    else if (n === 0) client.ended = true;
    else if (api.isWouldBlock(-n)) {
      wouldBlock++;
      break;
    } else return false;
  }
  return true;
}

/** Sends what it can of `pending`; false if the connection failed. */
function sendPending(client: Client): boolean {
  while (client.pending.length > 0) {
    calls++;
    const head = client.pending[0]!;
    const n = api.send(client.socket, head, 0, head.length);
    if (n < 0) {
      if (!api.isWouldBlock(-n)) return false;
      wouldBlock++;
      break;
    }
    client.pendingBytes -= n;
    if (n < head.length) client.pending[0] = head.subarray(n);
    else client.pending.shift();
  }
  return true;
}
const timer = setInterval(tick, tickMs);
// Ready for a stop signal before saying it listens: a service manager may signal at once.
onStopSignal((why) => {
  clearInterval(timer);
  for (const c of clients) api.close(c.socket);
  api.close(listener);
  console.log(`stopping (${why}): ${calls} calls, ${wouldBlock} of them would have blocked`);
  process.exit(0);
});

api.localAddress(listener, address);
console.log(`listening on ${host}:${decodeSockaddr(api, address)!.port}`);
