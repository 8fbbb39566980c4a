/**
 * node:net as a pipe's peer, for every suite that tests pipes (core's, the
 * net layer's, the examples'): an echo client that does not rely on
 * half-close, and a probe of whether a pipe's name is gone.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';

const WINDOWS = process.platform === 'win32';

/** The part of a stream socket (node:net's, or @wsaloop/net's) an echo client uses. */
export interface EchoClient {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  write(data: Buffer): unknown;
  end(): unknown;
}

/**
 * Sends `payload` on `client`, ends once the whole echo is back, and
 * resolves with everything it got. (Not ending first: a named pipe has no
 * half-close, and libuv takes 50 ms without data after an end as the
 * peer's end, which a busy server can outlast.)
 */
export function echoThenEnd(client: EchoClient, payload: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  const done = new Promise<Buffer>((resolve, reject) => {
    client.on('data', (d: Buffer) => {
      chunks.push(d);
      received += d.length;
      if (received >= payload.length) client.end();
    });
    client.on('end', () => resolve(Buffer.concat(chunks)));
    client.on('error', reject);
  });
  client.write(payload);
  return done;
}

/** A node:net client on the pipe `path` that echoes `payload` as {@link echoThenEnd}. */
export function nodePipeEcho(path: string, payload: Buffer): Promise<Buffer> {
  return echoThenEnd(connect(path), payload);
}

/**
 * Whether nothing serves `path` any more: no file left, or on Windows no
 * instance to connect to. A named pipe lives while any instance does, the
 * server ends of connections closed just before included (their handles go
 * a moment after a server's `'close'`, as node:net's): a probe that finds
 * only those (busy, or going) looks again, for up to 2 s.
 */
export async function pipeNameGone(path: string): Promise<boolean> {
  if (!WINDOWS) return !existsSync(path);
  for (let attempt = 0; attempt < 40; attempt++) {
    const outcome = await new Promise<string>((resolve) => {
      const probe = connect(path, () => {
        probe.destroy();
        resolve('connected');
      });
      probe.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    if (outcome === 'ENOENT') return true;
    if (outcome === 'connected') return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
