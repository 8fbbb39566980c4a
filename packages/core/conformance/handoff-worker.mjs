// Runs in a Worker: a loop over the backend under test that adopts the
// sockets an AcceptThread hands it and echoes them until the test says stop.
import { parentPort, workerData } from 'node:worker_threads';
import { createLoop, releaseConnection } from '@wsaloop/core';

const { backend, options, port, loads, index } = workerData;
const loop = createLoop({ backend, ...options });
const live = (stats) => Object.fromEntries(Object.entries(stats).filter(([key]) => !key.endsWith('Allocated')));
const baseline = live(loop.stats());
let served = 0;
// Keeps the loop alive while no connection is open; closing it lets run() end.
const stopper = loop.async(() => stopper.close());

port.on('message', ({ socket }) => {
  const client = loop.tcp().open(socket);
  served++;
  client.readStart((error, data) => {
    if (data) return void client.write(data, () => {});
    client.shutdown(() => client.close(() => releaseConnection(loads, index)));
  });
});
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  port.close();
  stopper.send();
});
try {
  await loop.run();
  parentPort.postMessage({ served, baseline, after: live(loop.stats()) });
  loop.close();
} catch (error) {
  parentPort.postMessage({ error: String(error) });
}
