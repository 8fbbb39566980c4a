/**
 * Echoes one connection until the peer closes: the connection handler of
 * every echo example, on a single loop or on each loop of a pool
 * (`--threads N`), where this module is what every loop runs.
 */
import type { Pipe, Tcp } from '@wsaloop/core';

/** Echoes `client` until end of stream, then half-closes after the last echo and closes. */
export function echoConnection(client: Tcp | Pipe, counter?: { bytes: number }): void {
  if (client.type === 'tcp') client.setNoDelay(true);
  client.readStart((error, data) => {
    if (data) {
      if (counter) counter.bytes += data.length;
      client.write(data, () => {});
      return;
    }
    if (error && error.code !== 'ECONNRESET') console.error(`read failed: ${error.code}`);
    // A stop signal may have closed it while the FIN was on its way.
    client.shutdown(() => client.isClosing() || client.close());
  });
}

/** Pool module: each loop echoes the connections dealt to it. */
export default function echoLoop(): (client: Tcp | Pipe) => void {
  return (client) => echoConnection(client);
}
