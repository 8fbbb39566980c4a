/**
 * A Node server (node:http, https, tls) spread over several loops on Worker
 * threads: core's {@link ServerPool} deals the connections, each loop serves
 * its share with its own instance of the app.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { ServerPool, type SocketAddress } from '@wsaloop/core';

/** Options of {@link servePool}. */
export interface ServePoolOptions {
  /**
   * The app's module, loaded on every loop's thread: a file URL or path
   * whose default export is `(loop, data) => app` (may be async), where
   * `app` is an `http.Server`, `https.Server`, `tls.Server` or a request
   * listener such as an Express app.
   */
  module: string | URL;
  /** Loops, each on a Worker thread of its own (default: the number of processors). */
  threads?: number;
  /** Port (default 0: a free one). */
  port?: number;
  /** IP address to listen on (default `'0.0.0.0'`, as {@link Server.listen}). */
  host?: string;
  /** A pipe to listen on instead of a port (a Unix domain socket's path on Linux). */
  path?: string;
  /** Listen backlog (default 511). */
  backlog?: number;
  /** `createLoop` options of every loop: a backend name and its options (plain data). */
  loop?: Record<string, unknown>;
  /** Plain data handed to the module's default export. */
  data?: unknown;
}

/**
 * Serves the app of `options.module` on `threads` loops: the multi-core
 * form of {@link serve}. Resolves once every loop has built its app and the
 * port is listened on; stop with the pool's `close()`.
 *
 * ```ts
 * // app.js: export default () => http.createServer((req, res) => res.end('hi'));
 * const pool = await servePool({ module: new URL('./app.js', import.meta.url), threads: 4, port: 8080, loop: { backend: 'iocp' } });
 * ```
 * @throws as {@link ServerPool.start}: a startup error of the app or the backend, or the listen error.
 */
export function servePool(options: ServePoolOptions & { path: string }): Promise<ServerPool<string>>;
export function servePool(options: ServePoolOptions): Promise<ServerPool>;
export function servePool(options: ServePoolOptions): Promise<ServerPool<SocketAddress | string>> {
  const { module, threads, port = 0, host = '0.0.0.0', path, backlog, loop, data } = options;
  const href = module instanceof URL ? module.href : pathToFileURL(String(module)).href;
  return ServerPool.start({
    ...(path !== undefined ? { path } : { host, port }),
    threads,
    backlog,
    loop,
    module: new URL('./pool-loop.js', import.meta.url),
    data: { module: href, data },
  });
}
