// Child process of worker-exit.test.ts: a Worker runs a loop of `backend`
// that serves one node:net client of this thread, stops the loop with the
// connection still open, then calls process.exit(0). Prints the Worker's
// exit code, and how many of its client's round trips were echoed. Only the
// Worker loads core (and so koffi): with koffi loaded on this thread too,
// the crash this checks for did not happen.
import { connect } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const ROUND_TRIPS = 40; // past epoll's promotion of a lone busy socket (32 wakes)

if (isMainThread) {
  const worker = new Worker(new URL(import.meta.url), { workerData: process.argv[2] });
  const port = await new Promise((resolve) => worker.once('message', resolve));
  const peer = connect(port, '127.0.0.1');
  await new Promise((resolve) => peer.once('connect', resolve));
  let echoed = 0;
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const reply = new Promise((resolve) => peer.once('data', resolve));
    peer.write('x');
    echoed += (await reply).length;
  }
  worker.postMessage('stop');
  const code = await new Promise((resolve) => worker.once('exit', resolve));
  peer.destroy();
  console.log(JSON.stringify({ code, echoed }));
} else {
  // Only the Worker loads core (and koffi), as a pool's worker script does.
  const { createLoop } = await import('@wsaloop/core');
  const loop = createLoop({ backend: workerData });
  const server = loop.tcp().bind('127.0.0.1', 0);
  server.listen(8, (err, client) => {
    if (!client) throw err;
    client.readStart((e, data) => (data ? client.write(data) : client.close()));
  });
  parentPort.once('message', () => loop.stop());
  parentPort.postMessage(server.address().port);
  await loop.run();
  // Stopped, its wait's handle in Node's loop stopped but not closed.
  setTimeout(() => process.exit(0), 10);
}
