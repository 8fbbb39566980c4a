/**
 * The exit hooks of core and of every backend share one `exit` listener on
 * process. One listener per backend module (six with every Windows backend
 * in one process) added up, beside an app's own, to Node's
 * MaxListenersExceededWarning. Natively, epoll and io_uring's wait in
 * Node's loop keeps a listener of its own (it lives below the loop's layer).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('loops of every backend, each having waited, add one exit listener to process (two natively)', () => {
  const script = fileURLToPath(new URL('./exit-listeners.mjs', import.meta.url));
  const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
  expect(child.status, child.stderr).toBe(0);
  const { loops, added } = JSON.parse(child.stdout.trim()) as { loops: number; added: number };
  expect(loops).toBeGreaterThanOrEqual(process.platform === 'win32' ? 6 : 2);
  expect(added).toBe(process.platform === 'win32' ? 1 : 2);
});
