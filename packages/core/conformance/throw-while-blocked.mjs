// Child process of the conformance suite's exit tests: blocks a loop in its
// poll (a listening socket keeps it alive) and lets an exception go uncaught.
// The process must exit with Node's usual report, promptly. argv: backend,
// backend options (JSON), and where the exception is thrown:
//   node-timer  a Node timer, while the loop waits off-thread
//   loop-timer  a loop timer, a callback run before the loop's poll
//   async       an async handle's callback, run after a wake-up ends the wait
//   tick        a nextTick queued by that callback (a wait in Node's own loop
//               drains the queue itself)
//   worker      a Node timer, while a loop hosted in a Worker waits
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createLoop } from '@wsaloop/core';

const [backend, options, where] = isMainThread
  ? [process.argv[2], JSON.parse(process.argv[3] ?? '{}'), process.argv[4]]
  : [workerData.backend, workerData.options, 'in-worker'];

// Long enough for the backend's wait threads to have started: under Wine a
// Worker still loading its koffi bindings when the process exits can abort it
// (status 134), which is not what this checks.
const DELAY = process.platform === 'win32' ? 1500 : 150;

const boom = () => {
  throw new Error(`boom (${where})`);
};

if (where === 'worker') {
  const worker = new Worker(new URL(import.meta.url), { workerData: { backend, options } });
  worker.once('message', boom);
} else {
  const loop = createLoop({ backend, ...options });
  loop.tcp().bind('127.0.0.1', 0).listen(8);
  if (where === 'node-timer') setTimeout(boom, DELAY);
  if (where === 'loop-timer') loop.timer().start(boom, DELAY);
  if (where === 'async' || where === 'tick') {
    const wakeUp = loop.async(where === 'async' ? boom : () => process.nextTick(boom));
    setTimeout(() => wakeUp.send(), DELAY);
  }
  // The Worker's loop is (about to be) blocked once this message arrives.
  if (where === 'in-worker') setTimeout(() => parentPort.postMessage('waiting'), DELAY);
  await loop.run();
}
