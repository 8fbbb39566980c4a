/**
 * Operations that fail as they are started, driven straight through the
 * Proactor contract (the Loop cannot provoke most of them): each request
 * must complete exactly once, with the call's error, and the proactor must
 * go on working with the same slots. Every proactor mode runs it, under
 * Wine and natively.
 *
 * ```ts
 * proactorStartFailureTests({ backend: 'overlapped', options: { notify: 'routine' } });
 * ```
 */
import { describe, expect, it } from 'vitest';
import { encodeSockaddr, type AddressFamily, type Proactor, type SocketHandle, type SocketKind, SOCKADDR_MAX, socketApi } from '@wsaloop/core/backend';
import { backendModule, type ConformanceOptions } from './context.js';

const api = socketApi();
/** A handle value no socket has (handles are multiples of 4, and this one is far above any in use). */
const NOT_A_SOCKET = 0x0ffffff0;

function sockaddr(host: string, port: number): { address: Buffer; length: number } {
  const address = Buffer.alloc(SOCKADDR_MAX);
  const length = encodeSockaddr(api, host.includes(':') ? 'ipv6' : 'ipv4', host, port, address);
  return { address, length };
}

/** Polls until `done()` or the deadline. */
async function pollUntil(proactor: Proactor, done: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await proactor.poll(20);
  }
}

/** Records each completion of a request, to check it came exactly once. */
class Calls {
  readonly statuses: number[] = [];
  readonly data: Array<Uint8Array | null> = [];
  complete = (status: number, data: Uint8Array | null | number = null): void => {
    this.statuses.push(status);
    this.data.push(typeof data === 'number' ? null : data);
  };
  get codes(): string[] {
    return this.statuses.map((s) => (s === 0 ? 'OK' : api.errorCode(s)));
  }
}

/** A proactor of the installed backend package, as `createLoop` would build it (built package, not sources). */
function makeProactor(opts: ConformanceOptions): Proactor {
  const backend = backendModule(opts.backend).createBackend(opts.options ?? {});
  if (backend.kind !== 'proactor') throw new TypeError(`${opts.backend} is not a proactor`);
  return backend;
}

/** Declares the start-failure tests for one proactor mode (a backend and its options). */
export function proactorStartFailureTests(opts: ConformanceOptions): void {
  const label = opts.label ?? opts.backend;
  const make = (): Proactor => makeProactor(opts);
  describe(`operations failing as they start [${label}]`, () => {
    let proactor: Proactor;
    const sockets: SocketHandle[] = [];

    const open = (family: AddressFamily, kind: SocketKind, bindTo?: string): SocketHandle => {
      const socket = api.open(family, kind);
      expect(socket).toBeGreaterThanOrEqual(0);
      expect(proactor.associate(socket, family, kind)).toBe(0);
      sockets.push(socket);
      if (bindTo !== undefined) {
        const { address, length } = sockaddr(bindTo, 0);
        expect(api.bind(socket, address, length)).toBe(0);
      }
      return socket;
    };
    const port = (socket: SocketHandle): number => {
      const out = Buffer.alloc(SOCKADDR_MAX);
      expect(api.localAddress(socket, out)).toBeGreaterThan(0);
      return out.readUInt16BE(2);
    };

    const start = (): void => {
      proactor = make();
      sockets.length = 0;
    };
    /** Closes every socket of the test, checks nothing is left live, and closes the proactor. */
    const end = async (): Promise<void> => {
      let closed = 0;
      const count = sockets.length;
      for (const socket of sockets.splice(0)) proactor.closeSocket(socket, () => closed++);
      await pollUntil(proactor, () => closed === count, 'the sockets to close');
      // One poll more: anything queued behind a failure (a fence, a stray) is handled.
      await proactor.poll(0);
      const stats = proactor.stats();
      expect(stats.liveOperations).toBe(0);
      expect(stats.buffersInUse).toBe(0);
      proactor.close();
    };

    /** A datagram round trip through the same proactor, after a failure. */
    const roundTrip = async (): Promise<void> => {
      const a = open('ipv4', 'dgram', '127.0.0.1');
      const b = open('ipv4', 'dgram', '127.0.0.1');
      const received = new Calls();
      proactor.recvFrom(b, { complete: (status, data) => received.complete(status, data) });
      const sent = new Calls();
      const { address, length } = sockaddr('127.0.0.1', port(b));
      proactor.sendTo(a, [Buffer.from('after')], address, length, { complete: (s) => sent.complete(s) });
      await pollUntil(proactor, () => received.statuses.length > 0 && sent.statuses.length > 0, 'a datagram after the failure');
      expect(sent.codes).toEqual(['OK']);
      expect(received.codes).toEqual(['OK']);
      expect(Buffer.from(received.data[0]!).toString()).toBe('after');
    };

    /** Runs `provoke`, polls a while, and checks its request completed exactly once with `code`. */
    const failsOnce = async (provoke: (calls: Calls) => void, codes: string[]): Promise<void> => {
      const calls = new Calls();
      provoke(calls);
      await pollUntil(proactor, () => calls.statuses.length > 0, 'the failure');
      // Give a second (wrong) report every chance to show up.
      for (let i = 0; i < 5; i++) await proactor.poll(10);
      expect(calls.statuses).toHaveLength(1);
      expect(codes).toContain(calls.codes[0]);
    };

    it('accept on a handle that is no socket, beside a listener that goes on accepting', async () => {
      start();
      // AcceptEx on a socket that is not listening fails with WSAEINVAL on
      // Windows, but stays pending under Wine: a handle that is no socket
      // fails at once on both.
      const listener = open('ipv4', 'stream', '127.0.0.1');
      expect(api.listen(listener, 8)).toBe(0);
      const accepted = new Calls();
      proactor.startAccepting(listener, 'ipv4', {
        accepted: (s, socket) => {
          accepted.complete(s);
          if (s === 0) sockets.push(socket);
        },
      });
      sockets.push(NOT_A_SOCKET);
      // Every accept posted fails on its own, and a stop from the report
      // (what core does with a listener's error) posts nothing more.
      const failed = new Calls();
      proactor.startAccepting(NOT_A_SOCKET, 'ipv4', {
        accepted: (s) => {
          failed.complete(s);
          proactor.stopAccepting(NOT_A_SOCKET);
        },
      });
      await pollUntil(proactor, () => failed.statuses.length > 0, 'the failure');
      for (let i = 0; i < 5; i++) await proactor.poll(10);
      const reports = failed.statuses.length;
      // On Linux the number is no descriptor at all.
      expect(new Set(failed.codes)).toEqual(new Set([api.platform === 'posix' ? 'EBADF' : 'ENOTSOCK']));
      for (let i = 0; i < 5; i++) await proactor.poll(10);
      expect(failed.statuses).toHaveLength(reports);
      const client = open('ipv4', 'stream');
      const connected = new Calls();
      const { address, length } = sockaddr('127.0.0.1', port(listener));
      proactor.connect(client, 'ipv4', address, length, { complete: (s) => connected.complete(s) });
      await pollUntil(proactor, () => accepted.statuses.length > 0 && connected.statuses.length > 0, 'the connection');
      expect(accepted.codes).toEqual(['OK']);
      expect(connected.codes).toEqual(['OK']);
      await end();
    });

    it('connect to port 0', async () => {
      start();
      const socket = open('ipv4', 'stream');
      const { address, length } = sockaddr('127.0.0.1', 0);
      await failsOnce((calls) => proactor.connect(socket, 'ipv4', address, length, { complete: (s) => calls.complete(s) }), ['EADDRNOTAVAIL', 'ECONNREFUSED']);
      await roundTrip();
      await end();
    });

    it('recv on a stream socket that is not connected', async () => {
      start();
      const socket = open('ipv4', 'stream', '127.0.0.1');
      await failsOnce((calls) => proactor.recv(socket, { complete: (s, data) => calls.complete(s, data) }), ['ENOTCONN']);
      await roundTrip();
      await end();
    });

    it('send on a stream socket that is not connected', async () => {
      start();
      const socket = open('ipv4', 'stream', '127.0.0.1');
      // WSAENOTCONN on Windows; Wine reports WSAECONNRESET; Linux EPIPE.
      const expected = api.platform === 'posix' ? ['EPIPE'] : ['ENOTCONN', 'ECONNRESET'];
      await failsOnce((calls) => proactor.send(socket, [Buffer.from('nowhere')], { complete: (s) => calls.complete(s) }), expected);
      await roundTrip();
      await end();
    });

    it('recvFrom on a stream socket that is not connected', async () => {
      start();
      // (On a datagram socket that is not bound it fails with WSAEINVAL on
      // Windows, but stays pending under Wine.)
      const socket = open('ipv4', 'stream', '127.0.0.1');
      await failsOnce((calls) => proactor.recvFrom(socket, { complete: (s, data) => calls.complete(s, data) }), ['ENOTCONN']);
      await roundTrip();
      await end();
    });

    it('sendTo of a datagram larger than UDP allows, repeatedly, while receiving goes on', async () => {
      start();
      const a = open('ipv4', 'dgram', '127.0.0.1');
      const b = open('ipv4', 'dgram', '127.0.0.1');
      const { address, length } = sockaddr('127.0.0.1', port(b));
      const received = new Calls();
      proactor.recvFrom(b, { complete: (status, data) => received.complete(status, data) });
      // Several in a row, so a slot freed by one failure is reused by the next.
      for (let i = 0; i < 3; i++) {
        await failsOnce((calls) => proactor.sendTo(a, [Buffer.alloc(70_000)], address, length, { complete: (s) => calls.complete(s) }), ['EMSGSIZE']);
      }
      const sent = new Calls();
      proactor.sendTo(a, [Buffer.from('small')], address, length, { complete: (s) => sent.complete(s) });
      await pollUntil(proactor, () => received.statuses.length > 0 && sent.statuses.length > 0, 'the small datagram');
      expect(sent.codes).toEqual(['OK']);
      expect(received.codes).toEqual(['OK']);
      expect(Buffer.from(received.data[0]!).toString()).toBe('small');
      await end();
    });
  });
}
