/**
 * Socket hand-off between loops: an AcceptThread accepts, loops on other
 * threads adopt with `Tcp.open`. Nothing is lost on the way; what cannot be
 * adopted is refused.
 */
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { AcceptThread, type HandedSocket, releaseConnection } from '@wsaloop/core';
import { describe, expect, it } from 'vitest';
import { type Conformance, pattern, withLoop } from './context.js';

const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Connects with node:net, sends `payload`, half-closes, and resolves with everything echoed. */
function echoThrough(port: number, payload: Buffer, onConnect?: (socket: Socket) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => {
      onConnect?.(socket);
      socket.end(payload);
    });
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

function nextSocket(port: MessagePort): Promise<number> {
  return new Promise((resolve) => port.once('message', (m: HandedSocket) => resolve(m.socket)));
}

export function handoffTests(ctx: Conformance): void {
  describe('socket hand-off', () => {
    it('adopts a socket accepted on another thread; data that arrived first is not lost', async () => {
      const { port1, port2 } = new MessageChannel();
      const acceptor = await AcceptThread.start({ host: '127.0.0.1', port: 0, targets: [port1] });
      const payload = pattern(256 * 1024, 11);
      try {
        const handed = nextSocket(port2);
        const echoed = echoThrough(acceptor.address.port, payload);
        const socket = await handed;
        // Let the whole payload and the FIN arrive before the socket is adopted.
        await new Promise((r) => setTimeout(r, 200));
        expect(new Int32Array(acceptor.loads)[0]).toBe(1);
        await withLoop(ctx, (loop) => {
          const conn = loop.tcp().open(socket);
          expect(conn.remoteAddress().address).toBe('127.0.0.1');
          conn.readStart((e, data) => {
            expect(e).toBeNull();
            if (data) return void conn.write(data, () => {});
            conn.shutdown(() => conn.close(() => releaseConnection(acceptor.loads, 0)));
          });
        });
        expect(digest(await echoed)).toBe(digest(payload));
        expect(new Int32Array(acceptor.loads)[0]).toBe(0);
      } finally {
        port2.close();
        await acceptor.close();
      }
    });

    it('rejects what it cannot adopt', async () => {
      await withLoop(ctx, (loop) => {
        const tcp = loop.tcp();
        expect(() => tcp.open(-1)).toThrow(TypeError);
        expect(() => tcp.open(1.5)).toThrow(TypeError);
        // A socket that is not connected.
        const listener = loop.tcp().bind('127.0.0.1', 0);
        expect(() => tcp.open(listener.fd)).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));
        listener.close();
        tcp.close();
      });
    });
  });
}
