/** UDP: round trips with sender addresses, IPv6, options. */
import { describe, expect, it } from 'vitest';
import { type Conformance, withLoop } from './context.js';

export function udpTests(ctx: Conformance): void {
  describe('udp', () => {
    for (const host of ['127.0.0.1', '::1']) {
      it(`round trip over ${host} reports the sender's address`, async () => {
        const seen: Array<{ data: string; address: string; port: number; family: string }> = [];
        let aPort = 0;
        let bPort = 0;
        await withLoop(ctx, (loop) => {
          const a = loop.udp().bind(host, 0);
          const b = loop.udp().bind(host, 0);
          aPort = a.address().port;
          bPort = b.address().port;
          b.recvStart((err, data, sender) => {
            expect(err).toBeNull();
            seen.push({ data: data!.toString(), ...sender! });
            b.send(['pong:', data!], sender!.address, sender!.port, (e) => expect(e).toBeNull());
          });
          a.recvStart((err, data, sender) => {
            seen.push({ data: data!.toString(), ...sender! });
            a.close();
            b.close();
          });
          a.send('ping', host, bPort, (e) => expect(e).toBeNull());
        });
        const family = host.includes(':') ? 'IPv6' : 'IPv4';
        expect(seen).toEqual([
          { data: 'ping', address: host, port: aPort, family },
          { data: 'pong:ping', address: host, port: bPort, family },
        ]);
      });
    }

    it('keeps receiving after sending to a closed port (ICMP unreachable)', async () => {
      let received = '';
      await withLoop(ctx, (loop) => {
        // Bind the live sockets first, so neither can be given the dead port.
        const socket = loop.udp().bind('127.0.0.1', 0);
        const peer = loop.udp().bind('127.0.0.1', 0);
        const dead = loop.udp().bind('127.0.0.1', 0);
        const deadPort = dead.address().port;
        dead.close();
        socket.recvStart((err, data) => {
          if (err) return; // a per-datagram report is allowed; receiving must go on
          received += data!.toString();
          socket.close();
          peer.close();
        });
        socket.send('into the void', '127.0.0.1', deadPort, () => {
          loop.timer().start((t) => {
            t.close();
            peer.send('still alive', '127.0.0.1', socket.address().port, () => {});
          }, 50);
        });
      });
      expect(received).toBe('still alive');
    });

    it('reports EMSGSIZE to an oversized send and goes on receiving', async () => {
      const sends: string[] = [];
      const got: string[] = [];
      await withLoop(ctx, (loop) => {
        const receiver = loop.udp().bind('127.0.0.1', 0);
        const sender = loop.udp().bind('127.0.0.1', 0);
        const port = receiver.address().port;
        receiver.recvStart((err, data) => {
          got.push(err ? err.code! : data!.toString());
          receiver.close();
          sender.close();
        });
        // Twice in a row: the second reuses what the first failure freed.
        for (let i = 0; i < 2; i++) sender.send(Buffer.alloc(70_000), '127.0.0.1', port, (err) => sends.push(err?.code ?? 'ok'));
        sender.send('after', '127.0.0.1', port, (err) => sends.push(err?.code ?? 'ok'));
      });
      expect(sends).toEqual(['EMSGSIZE', 'EMSGSIZE', 'ok']);
      expect(got).toEqual(['after']);
    });

    it('recvStop / recvStart loses no datagram', async () => {
      const got: string[] = [];
      await withLoop(ctx, (loop) => {
        const receiver = loop.udp().bind('127.0.0.1', 0);
        const sender = loop.udp();
        const onMessage = (err: unknown, data: Buffer | null): void => {
          if (!data) return;
          got.push(data.toString());
          if (got.length === 1) {
            receiver.recvStop();
            for (const m of ['two', 'three']) sender.send(m, '127.0.0.1', receiver.address().port, () => {});
            loop.timer().start((t) => {
              t.close();
              receiver.recvStart(onMessage);
            }, 50);
          }
          if (got.length === 3) {
            receiver.close();
            sender.close();
          }
        };
        receiver.recvStart(onMessage);
        sender.send('one', '127.0.0.1', receiver.address().port, () => {});
      });
      expect(got).toEqual(['one', 'two', 'three']);
    });

    it('applies broadcast, TTL and multicast options; rejects bad TTLs', async () => {
      await withLoop(ctx, (loop) => {
        const u = loop.udp().bind('0.0.0.0', 0);
        u.setBroadcast(true).setTTL(64).setMulticastTTL(4).setMulticastLoopback(true);
        expect(() => u.setTTL(0)).toThrow(RangeError);
        expect(() => u.setTTL(256)).toThrow(RangeError);
        u.addMembership('239.1.2.3');
        u.dropMembership('239.1.2.3');
        u.close();
      });
    });
  });
}
