/**
 * Body of an event-group wait thread (a worker_threads Worker). It blocks in
 * WSAWaitForMultipleEvents on the handles its waiter publishes, records the
 * result, and tells the loop's thread. The loop's thread never blocks; this
 * one does nothing else.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { windows, WinsockConstants } from '@wsaloop/core/winsock';
import { COMMAND, COUNT, EXIT, GROUP_HANDLES, IDLE, LEFT, RESULT, WAIT } from './protocol.js';

const { INFINITE } = WinsockConstants;

const control = new Int32Array(workerData.control as SharedArrayBuffer);
const shared = new Float64Array(workerData.handles as SharedArrayBuffer);
const handles = Buffer.alloc(GROUP_HANDLES * 8);
const { ws2 } = windows();

for (;;) {
  while (Atomics.load(control, COMMAND) === IDLE) Atomics.wait(control, COMMAND, IDLE);
  if (Atomics.load(control, COMMAND) === EXIT) break;
  const count = control[COUNT]!;
  for (let i = 0; i < count; i++) {
    const h = shared[i]!;
    handles.writeUInt32LE(h % 0x100000000, i * 8);
    handles.writeUInt32LE(Math.floor(h / 0x100000000), i * 8 + 4);
  }
  control[RESULT] = ws2.WSAWaitForMultipleEvents(count, handles, 0, INFINITE, 0);
  // Back to IDLE, unless an EXIT came meanwhile: that one must stay seen.
  if (Atomics.compareExchange(control, COMMAND, WAIT, IDLE) !== WAIT) break;
  parentPort!.postMessage(0);
}
// Out of every native call: the process's exit may now terminate this thread.
Atomics.store(control, LEFT, 1);
Atomics.notify(control, LEFT);
