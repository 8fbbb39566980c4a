/**
 * Echo server for the blocking I/O model (model 1 of the course notes): an
 * iterative server whose accept, recv and send block until they can finish,
 * serving one client at a time. The blocking calls run on a thread of their
 * own (blocking-thread.ts) so Node's main thread never blocks; the model's
 * limit is still visible: a second client waits until the first one leaves.
 *
 *   node examples/models/dist/blocking-server.js [--host 127.0.0.1] [--port 7000]
 */
import { Worker } from 'node:worker_threads';
import { encodeSockaddr, SOCKADDR_MAX, socketApi } from '@wsaloop/core/backend';
import { intArg, listenFlags, parseArgs } from '../shared/cli.js';
import { failStartup, onStopSignal, startupStep } from '../shared/service.js';

const { host, port } = startupStep('start', () => {
  const args = parseArgs(process.argv.slice(2), {
    command: 'node examples/models/dist/blocking-server.js',
    summary: 'Echo server for the blocking model: one client at a time, its blocking calls on a thread of their own. No backend: it drives its socket itself.',
    flags: listenFlags(7000),
    backends: null,
  });
  return { host: args.values.get('host') ?? '127.0.0.1', port: intArg(args, 'port', 7000) };
});

// Set by the main thread to ask the blocking thread to leave at its next return.
const stopFlag = new Int32Array(new SharedArrayBuffer(4));
const thread = new Worker(new URL('./blocking-thread.js', import.meta.url), { workerData: { host, port, stopFlag: stopFlag.buffer } });
const blockedOn: Record<string, number> = {};
let listeningPort = 0;
thread.on('message', (message: { line?: string; role?: string; socket?: number; port?: number; startupError?: string }) => {
  if (message.startupError) failStartup(`listen on ${host}:${port}`, { code: message.startupError });
  if (message.line) console.log(message.line);
  if (message.role) blockedOn[message.role] = message.socket!;
  if (message.port) listeningPort = message.port;
});
thread.on('error', (error) => {
  console.error(`blocking thread failed: ${error.message}`);
  process.exit(1);
});
thread.on('exit', (code) => process.exit(code));

// The thread is blocked in a system call and cannot see a message: end the
// call from here. On Windows, closing a socket fails a blocking call on it
// with WSAEINTR. Elsewhere, a connection of our own ends a blocked accept,
// and half-closing the client ends the session (the peer closes in turn).
onStopSignal((why) => {
  console.log(`stopping (${why})`);
  Atomics.store(stopFlag, 0, 1);
  const api = socketApi();
  if (process.platform === 'win32') {
    for (const socket of Object.values(blockedOn)) if (socket >= 0) api.close(socket);
    return;
  }
  if ((blockedOn.client ?? -1) >= 0) api.shutdownSend(blockedOn.client!);
  const poke = api.open(host.includes(':') ? 'ipv6' : 'ipv4', 'stream');
  const address = Buffer.alloc(SOCKADDR_MAX);
  api.connect(poke, address, encodeSockaddr(api, host.includes(':') ? 'ipv6' : 'ipv4', host, listeningPort, address));
  setTimeout(() => api.close(poke), 1000).unref();
});
