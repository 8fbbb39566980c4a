/**
 * The benchmarked echo, once: the server's single loop uses it directly, and
 * with `--threads N` it is the module every loop of the pool runs.
 */
import type { Pipe, Tcp } from '@wsaloop/core';

/** Echoes `client` until end of stream, then half-closes and closes. */
export function echo(client: Tcp | Pipe): void {
  if (client.type === 'tcp') client.setNoDelay(true);
  client.readStart((error, data) => {
    if (data) return void client.write(data, () => {});
    client.shutdown(() => client.isClosing() || client.close());
  });
}

/** Pool module: each loop echoes its connections. */
export default function echoLoop(): (client: Tcp) => void {
  return echo;
}
