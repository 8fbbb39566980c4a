/**
 * Every Socket shares one hidden class with every other (and every Server).
 * node:http reads a socket's properties on each request; when each instance
 * had a map of its own (`new` through the Proxy that makes `Socket()` work
 * without `new`), those reads went megamorphic and an HTTP server on epoll
 * served 0.68x node:http instead of 0.86x. V8's `%HaveSameMap` says it, in
 * a child started with --allow-natives-syntax.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// Hidden classes do not depend on the platform; under Wine the child alone
// would cost 3 s of a shard.
it.skipIf(process.platform === 'win32')('sockets and servers made with new, without new, or by a subclass share their hidden class', () => {
  const script = fileURLToPath(new URL('./same-map.mjs', import.meta.url));
  const child = spawnSync(process.execPath, ['--allow-natives-syntax', script], { encoding: 'utf8', timeout: 60_000 });
  expect(child.status, child.stderr).toBe(0);
  expect(JSON.parse(child.stdout.trim())).toEqual({ sockets: true, servers: true, subclassed: true });
});
