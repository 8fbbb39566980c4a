/**
 * The echo server every loop-based example runs: the same code whatever the
 * backend. Prints `listening on <host>:<port>`, echoes until each peer
 * closes, and stops on SIGINT, SIGTERM or end of stdin.
 */
import { createLoop, type Tcp } from '@wsaloop/core';

export interface EchoServerOptions {
  backend: string;
  host: string;
  port: number;
  /** Backend-specific options (e.g. `notify` for overlapped). */
  backendOptions?: Record<string, unknown>;
}

export async function serveEcho({ backend, host, port, backendOptions = {} }: EchoServerOptions): Promise<void> {
  const loop = createLoop({ backend, ...backendOptions });
  const clients = new Set<Tcp>();
  let connections = 0;
  let bytes = 0;

  const server = loop.tcp().bind(host, port);
  server.listen(1024, (err, client) => {
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
  });
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
  onStop(stop);
  await loop.run();
  loop.close();
}

/** Calls `stop` on SIGINT, SIGTERM or end of stdin. */
export function onStop(stop: (why: string) => void): void {
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  let stdin: NodeJS.ReadStream;
  try {
    stdin = process.stdin;
  } catch (error) {
    // Wine's node.exe cannot open a Linux pipe as stdin (EBADF); signals still work.
    console.error(`stdin unavailable (${(error as NodeJS.ErrnoException).code}): stop with SIGINT or SIGTERM`);
    return;
  }
  stdin.on('end', () => stop('end of stdin'));
  stdin.on('error', () => {});
  stdin.resume();
}
