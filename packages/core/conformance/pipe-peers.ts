/**
 * node:net as a pipe's peer, for every suite that tests pipes (core's, the
 * net layer's, the examples'): an echo client that does not rely on
 * half-close, and a probe of whether a pipe's name is gone.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';

const WINDOWS = process.platform === 'win32';

/**
 * A node:net client that sends `payload` on the pipe `path`, ends once the
 * whole echo is back, and resolves with everything it got. (Not ending
 * first: a named pipe has no half-close, and libuv takes 50 ms without data
 * after an end as the peer's end, which a busy server can outlast.)
 */
export function nodePipeEcho(path: string, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const socket = connect(path, () => socket.write(payload));
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      received += d.length;
      if (received >= payload.length) socket.end();
    });
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
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
