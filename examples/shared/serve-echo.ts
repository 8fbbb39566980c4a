/**
 * The echo server every loop-based example runs: the same code whatever the
 * backend. Prints `listening on <host>:<port>` (with `(N loops)` when spread
 * over N loops on Worker threads) or `listening on <path>` (a pipe), echoes
 * until each peer closes, and stops on a stop signal (see ./service.ts). A
 * startup failure is one line:
 * `cannot listen on 127.0.0.1:7000: address already in use (EADDRINUSE)`.
 */
import { createLoop, defaultBackendName, type Pipe, ServerPool, type SocketAddress, type Tcp } from '@wsaloop/core';
import { relative } from 'node:path';
import { BACKEND_FLAG, backendOptions, intArg, listenFlags, parseArgs, PATH_FLAG, THREADS_FLAG, type Usage } from './cli.js';
import { echoConnection } from './echo-connection.js';
import { onStopSignal, startupStep, startupStepAsync } from './service.js';

export interface EchoServerOptions {
  backend: string;
  host: string;
  port: number;
  /** A pipe to listen on instead of `host` and `port`. */
  path?: string;
  /** Backend-specific options (e.g. `notify` for overlapped). */
  backendOptions?: Record<string, unknown>;
  /** Loops, each on a Worker thread of its own (default 1: this thread). */
  threads?: number;
}

export async function serveEcho(options: EchoServerOptions): Promise<void> {
  if ((options.threads ?? 1) > 1) return serveEchoOnPool(options);
  const { backend, host, port, path, backendOptions = {} } = options;
  const loop = startupStep(`start the ${backend} backend`, () => createLoop({ backend, ...backendOptions }));
  const clients = new Set<Tcp | Pipe>();
  const counter = { bytes: 0 };
  let connections = 0;
  const onConnection = (err: Error | null, client?: Tcp | Pipe): void => {
    if (err || !client) return void console.error(`accept failed: ${(err as { code?: string } | null)?.code}`);
    connections++;
    clients.add(client);
    client.once('close', () => clients.delete(client));
    echoConnection(client, counter);
  };
  const where = path ?? `${host}:${port}`;
  const server = startupStep(`listen on ${where}`, () =>
    path !== undefined ? loop.pipe().bind(path).listen(1024, onConnection) : loop.tcp().bind(host, port).listen(1024, onConnection),
  );
  // Ready for a stop signal before saying it listens: a service manager may signal at once.
  onStopSignal((why) => {
    console.log(`stopping (${why}): ${connections} connections, ${counter.bytes} bytes echoed`);
    // Closing handles from outside the loop interrupts a blocked poll.
    server.close();
    for (const c of clients) if (!c.isClosing()) c.close();
  });
  console.log(`listening on ${server.type === 'pipe' ? server.address() : `${host}:${server.address().port}`}`);
  console.log(`backend: ${backend}`);
  await loop.run();
  loop.close();
}

/** The same echo on `threads` loops: core's ServerPool deals connections to them. */
async function serveEchoOnPool({ backend, host, port, path, backendOptions = {}, threads }: EchoServerOptions): Promise<void> {
  const pool = await startupStepAsync(`listen on ${path ?? `${host}:${port}`}`, () =>
    ServerPool.start({ ...(path !== undefined ? { path } : { host, port }), threads, module: new URL('./echo-connection.js', import.meta.url), loop: { backend, ...backendOptions } }),
  );
  pool.on('loopFailed', (index, error) => console.error(`loop ${index} failed and is being replaced: ${error.message}`));
  const stopped = new Promise<void>((resolve) =>
    onStopSignal((why) => {
      const { served } = pool.stats();
      console.log(`stopping (${why}): ${served.reduce((a, b) => a + b, 0)} connections (${served.join(' / ')} per loop)`);
      void pool.close().then(() => resolve());
    }),
  );
  const address: SocketAddress | string = pool.address;
  console.log(`listening on ${typeof address === 'string' ? address : `${host}:${address.port}`} (${pool.threads} loops)`);
  console.log(`backend: ${backend}`);
  await stopped;
}

/** The echo server's `--help`: a model server's backend is fixed. */
function echoServerUsage(backend?: string): Usage {
  const script = process.argv[1] ? relative(process.cwd(), process.argv[1]) : 'echo-server.js';
  return {
    command: `node ${script}`,
    summary: backend
      ? `Echo server on the ${backend} backend: echoes every byte back until the peer closes; stops on SIGINT, SIGTERM or SIGHUP.`
      : 'Echo server on any backend: echoes every byte back until the peer closes; stops on SIGINT, SIGTERM or SIGHUP.',
    flags: [...(backend ? [] : [BACKEND_FLAG]), ...listenFlags(7000), PATH_FLAG, THREADS_FLAG],
    backends: backend ?? 'any',
  };
}

/**
 * The whole echo-server program: reads `--host`, `--port`, `--path`, `--threads` (and
 * `--backend` unless `backend` is fixed, as in the model servers) from the
 * command line, passes every other flag to the backend, serves until a stop
 * signal, then exits.
 */
export async function runEchoServer(backend?: string): Promise<never> {
  const options = startupStep('start', () => {
    const args = parseArgs(process.argv.slice(2), echoServerUsage(backend));
    const own = backend ? ['host', 'port', 'path', 'threads'] : ['backend', 'host', 'port', 'path', 'threads'];
    return {
      backend: backend ?? args.values.get('backend') ?? defaultBackendName(),
      host: args.values.get('host') ?? '127.0.0.1',
      port: intArg(args, 'port', 7000),
      path: args.values.get('path'),
      threads: intArg(args, 'threads', 1),
      backendOptions: backendOptions(args, own),
    };
  });
  await serveEcho(options);
  process.exit(0);
}
