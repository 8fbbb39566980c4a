// Runs in a Worker: triggers an Async handle of the main thread's loop, each
// time after the loop acknowledged the previous wake-up.
import { workerData } from 'node:worker_threads';
import { sendAsync } from '@wsaloop/core';

const { remote, times, handled } = workerData;
const acks = new Int32Array(handled);
for (let i = 0; i < times; i++) {
  sendAsync(remote);
  while (Atomics.load(acks, 0) <= i) Atomics.wait(acks, 0, i, 1000);
}
