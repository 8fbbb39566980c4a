/**
 * The blocking model itself, on a worker thread: accept a client, then
 * recv / send until it closes, then accept the next one. Every call blocks.
 * The thread tells the main thread which sockets it blocks on, so a stop can
 * close them (on Windows that is what ends a blocked call: WSAEINTR).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeSockaddr, encodeSockaddr, SOCKADDR_MAX, socketApi } from '@wsaloop/core/backend';

const api = socketApi();
const { host, port, stopFlag } = workerData as { host: string; port: number; stopFlag: SharedArrayBuffer };
const stopping = (): boolean => Atomics.load(new Int32Array(stopFlag), 0) === 1;
const family = host.includes(':') ? 'ipv6' : 'ipv4';
/** Reports a startup failure (the main thread prints it in one line), then ends the thread. */
const fail = (rc: number): never => {
  parentPort!.postMessage({ startupError: api.errorCode(-rc) });
  process.exit(1);
};
const say = (line: string): void => parentPort!.postMessage({ line });
const blockingOn = (role: 'listener' | 'client', socket: number): void => parentPort!.postMessage({ role, socket });

const listener = api.open(family, 'stream');
if (listener < 0) fail(listener);
api.setBlocking(listener, true);
const address = Buffer.alloc(SOCKADDR_MAX);
const length = encodeSockaddr(api, family, host, port, address);
let rc = api.bind(listener, address, length);
if (rc < 0) fail(rc);
rc = api.listen(listener, 16);
if (rc < 0) fail(rc);
api.localAddress(listener, address);
blockingOn('listener', listener);
const boundPort = decodeSockaddr(api, address)!.port;
parentPort!.postMessage({ port: boundPort });
say(`listening on ${host}:${boundPort}`);

const buffer = Buffer.alloc(4096);
for (;;) {
  const client = api.accept(listener); // blocks until a client connects
  if (client < 0 || stopping()) break; // asked to stop
  api.setBlocking(client, true);
  blockingOn('client', client);
  api.peerAddress(client, address);
  const peer = decodeSockaddr(api, address)!;
  say(`client ${peer.address}:${peer.port} connected (others wait: one client at a time)`);
  let total = 0;
  for (;;) {
    const n = api.recv(client, buffer, 0, buffer.length); // blocks until data or end
    if (n <= 0) break;
    total += n;
    for (let sent = 0; sent < n; ) {
      const m = api.send(client, buffer, sent, n - sent); // blocks while the send buffer is full
      if (m < 0) break;
      sent += m;
    }
  }
  api.close(client);
  blockingOn('client', -1);
  say(`client ${peer.address}:${peer.port} left after ${total} bytes`);
  if (stopping()) break;
}
api.close(listener);
