/**
 * A Worker whose loop waited in Node's own loop (epoll, io_uring) exits
 * cleanly after its loop stopped. The wait's libuv handle outlives a stop;
 * left open, koffi's finalizer closed it while the Worker's libuv loop was
 * torn down, and the process died of a segmentation fault every time (when
 * only the Worker had loaded koffi, as in a server pool's workers).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('./worker-exit.mjs', import.meta.url));

it.each(['epoll', 'iouring'])('a Worker that stopped its %s loop with a connection open exits with process.exit(0)', (backend) => {
  const child = spawnSync(process.execPath, [script, backend], { encoding: 'utf8', timeout: 30_000 });
  expect({ status: child.status, signal: child.signal }, child.stderr).toEqual({ status: 0, signal: null });
  expect(JSON.parse(child.stdout.trim())).toEqual({ code: 0, echoed: 40 });
});
