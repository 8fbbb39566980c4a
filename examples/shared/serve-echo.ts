/**
 * The echo server every loop-based example runs: the same code whatever the
 * backend. Prints `listening on <host>:<port>`, echoes until each peer
 * closes, and stops on a stop signal (see ./service.ts). A startup failure is
 * one line: `cannot listen on 127.0.0.1:7000: address already in use (EADDRINUSE)`.
 */
import { createLoop, defaultBackendName, type Tcp, type WsaloopError } from '@wsaloop/core';
import { backendOptions, intArg, parseArgs } from './cli.js';
import { onStopSignal, startupStep } from './service.js';

export interface EchoServerOptions {
  backend: string;
  host: string;
  port: number;
  /** Backend-specific options (e.g. `notify` for overlapped). */
  backendOptions?: Record<string, unknown>;
}

export async function serveEcho({ backend, host, port, backendOptions = {} }: EchoServerOptions): Promise<void> {
  const loop = startupStep(`start the ${backend} backend`, () => createLoop({ backend, ...backendOptions }));
  const clients = new Set<Tcp>();
  let connections = 0;
  let bytes = 0;

  const echo = (err: WsaloopError | null, client?: Tcp): void => {
    if (err || !client) {
      console.error(`accept failed: ${err?.code}`);
      return;
    }
    connections++;
    clients.add(client);
    client.setNoDelay(true);
    client.readStart((error, data) => {
      if (data) {
        bytes += data.length;
        client.write(data, () => {});
        return;
      }
      if (error && error.code !== 'ECONNRESET') console.error(`read failed: ${error.code}`);
      clients.delete(client);
      client.shutdown(() => client.close());
    });
  };
  const server = startupStep(`listen on ${host}:${port}`, () => loop.tcp().bind(host, port).listen(1024, echo));
  console.log(`listening on ${host}:${server.address().port}`);
  console.log(`backend: ${backend}`);

  let stopping = false;
  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`stopping (${why}): ${connections} connections, ${bytes} bytes echoed`);
    // Closing handles from outside the loop interrupts a blocked poll.
    server.close();
    for (const c of clients) if (!c.isClosing()) c.close();
  };
  onStopSignal(stop);
  await loop.run();
  loop.close();
}

/**
 * The whole echo-server program: reads `--host`, `--port` (and `--backend`
 * unless `backend` is fixed, as in the model servers) from the command line,
 * passes every other flag to the backend, serves until a stop signal, then
 * exits.
 */
export async function runEchoServer(backend?: string): Promise<never> {
  const options = startupStep('start', () => {
    const args = parseArgs(process.argv.slice(2));
    const own = backend ? ['host', 'port'] : ['backend', 'host', 'port'];
    return {
      backend: backend ?? args.values.get('backend') ?? defaultBackendName(),
      host: args.values.get('host') ?? '127.0.0.1',
      port: intArg(args, 'port', 7000),
      backendOptions: backendOptions(args, own),
    };
  });
  await serveEcho(options);
  process.exit(0);
}
