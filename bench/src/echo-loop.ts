/**
 * The benchmarked echo, once: the server's single loop uses it directly, and
 * with `--threads N` it is the module every loop of the pool runs.
 */
import type { Pipe, Tcp } from '@wsaloop/core';

/**
 * Bytes waiting to be written back beyond which an echo stops reading until
 * they are out: node:net's echo (server.ts) has the same bound. Without one,
 * node:net over AF_UNIX read far faster than it wrote in the bulk scenario
 * and buffered 300 MB/s (20 MB/s echoed); 1 MiB is far above what one read
 * brings, so polite traffic never pauses.
 */
export const ECHO_QUEUE_LIMIT = 1 << 20;

/** Echoes `client` until end of stream, then half-closes and closes. */
export function echo(client: Tcp | Pipe): void {
  if (client.type === 'tcp') client.setNoDelay(true);
  let ended = false;
  const onRead = (error: Error | null, data: Buffer | null): void => {
    if (data) {
      // As node:net's socket.write: what the socket takes at once needs no
      // completion; the rest is queued.
      let sent: number;
      try {
        sent = client.tryWrite(data);
      } catch {
        return void client.close(); // the connection broke: its read ends it too
      }
      if (sent < data.byteLength) client.write(data.subarray(sent), () => {});
      if (client.writeQueueSize > ECHO_QUEUE_LIMIT) client.readStop();
      return;
    }
    ended = true;
    client.shutdown(() => client.isClosing() || client.close());
  };
  client.on('drain', () => {
    if (!ended && !client.isClosing() && !client.reading) client.readStart(onRead);
  });
  client.readStart(onRead);
}

/** Pool module: each loop echoes its connections. */
export default function echoLoop(): (client: Tcp) => void {
  return echo;
}
