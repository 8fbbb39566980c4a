// Socket edges, each one scenario run on node:net and on @wsaloop/net with
// equal traces expected (see trace.ts).
import dns from 'node:dns';
import { describe, it } from 'vitest';
import type * as wsaloopNet from '../../src/index.js';
import { closed, listening, once, shape, sleep, thrown, same } from './trace.js';

describe('socket edges as node:net', () => {
  it('ECONNREFUSED has node:net message, syscall, address, port and negative errno', async () => {
    await same(async ({ net }, trace) => {
      const [server, port] = await listening({ net } as never);
      await closed(server); // a port nobody listens on now
      const socket = net.connect(port, '127.0.0.1');
      const [error] = await once(socket, 'error');
      trace({ ...shape(error), message: String((error as Error).message).replace(String(port), 'PORT'), port: 'PORT' });
    });
  });

  it('setTimeout argument errors, timeout before setTimeout, pending and addresses after destroy', async () => {
    await same(async ({ net }, trace) => {
      const [server, port] = await listening({ net } as never);
      const socket = new net.Socket();
      trace('timeout', socket.timeout);
      trace(thrown(() => socket.setTimeout(-1)));
      trace(thrown(() => socket.setTimeout('1' as never)));
      trace(thrown(() => socket.setTimeout(1, 'x' as never)));
      socket.connect(port, '127.0.0.1');
      await once(socket, 'connect');
      trace('pending', socket.pending, 'local', typeof socket.localPort);
      socket.destroy();
      trace('pending after destroy', socket.pending, 'local', socket.localAddress, socket.localPort);
      await once(socket, 'close');
      await closed(server);
    });
  });

  it('connect() after destroy() and after close reconnects', async () => {
    await same(async ({ net }, trace) => {
      const [server, port] = await listening({ net } as never, (s) => s.end());
      let accepted = 0;
      server.on('connection', () => accepted++);
      const socket = new net.Socket();
      socket.destroy();
      await once(socket, 'close');
      socket.connect(port, '127.0.0.1');
      await once(socket, 'connect');
      trace('connected after destroy', socket.destroyed, socket.pending);
      socket.resume();
      await once(socket, 'close');
      socket.connect(port, '127.0.0.1');
      await once(socket, 'connect');
      trace('connected after close');
      socket.resume();
      await once(socket, 'close');
      trace('accepted', accepted);
      await closed(server);
    });
  });

  it('destroy() in the same tick as connect() opens no connection', async () => {
    await same(async ({ net }, trace) => {
      const [server, port] = await listening({ net } as never);
      let accepted = 0;
      server.on('connection', (s: wsaloopNet.Socket) => {
        accepted++;
        s.destroy();
      });
      const socket = net.connect(port, '127.0.0.1');
      socket.on('connect', () => trace('connect'));
      socket.destroy();
      await once(socket, 'close');
      await sleep(150);
      trace('accepted', accepted);
      await closed(server);
    });
  });

  it('a write queued while connecting gets ERR_SOCKET_CLOSED_BEFORE_CONNECTION when destroyed', async () => {
    await same(async ({ net }, trace) => {
      const [server, port] = await listening({ net } as never);
      const socket = net.connect(port, '127.0.0.1');
      socket.write('early', (error) => trace('write callback', error && shape(error)));
      socket.destroy();
      await once(socket, 'close');
      await sleep(10);
      await closed(server);
    });
  });

  it('resetAndDestroy() on a socket that never connected errors with ERR_SOCKET_CLOSED', async () => {
    await same(async ({ net }, trace) => {
      const socket = new net.Socket();
      socket.on('error', (e) => trace('error', shape(e)));
      socket.resetAndDestroy();
      const [hadError] = await once(socket, 'close');
      trace('close', hadError);
    });
  });

  it('signal on connect() and new Socket() aborts with AbortError', async () => {
    await same(async ({ net }, trace) => {
      const [server, port] = await listening({ net } as never);
      const controller = new AbortController();
      const a = net.connect({ port, host: '127.0.0.1', signal: controller.signal });
      a.on('error', (e) => trace('a', e.name, (e as { code?: string }).code));
      controller.abort();
      await once(a, 'close');
      const b = new net.Socket({ signal: AbortSignal.abort() });
      b.on('error', (e) => trace('b', e.name));
      await once(b, 'close');
      trace(thrown(() => new net.Socket({ signal: 'x' as never })));
      await closed(server);
    });
  });

  it('lookup, family and hints options; lookup and connectionAttempt events', async () => {
    await same(async ({ net }, trace) => {
      const [server, port] = await listening({ net } as never, (s) => s.end());
      const socket = net.connect({
        port,
        host: 'example.invalid',
        family: 4,
        hints: dns.ADDRCONFIG,
        lookup: (host, options, callback) => {
          trace('lookup called', host, options.family, options.hints);
          (callback as (e: null, a: string, f: number) => void)(null, '127.0.0.1', 4);
        },
      });
      socket.on('lookup', (...args) => trace('lookup event', ...args));
      socket.on('connectionAttempt', (...args) => trace('attempt', args[0], args[2]));
      await once(socket, 'connect');
      trace('connected', socket.remoteAddress);
      socket.resume();
      await once(socket, 'close');
      trace(thrown(() => net.connect({ port, lookup: 'x' as never })));
      trace(thrown(() => net.connect({ port, hints: -1 })));
      await closed(server);
    });
  });

  it('autoSelectFamily tries each address the lookup gives, in turn, with node:net events', async () => {
    await same(async ({ net }, trace) => {
      const [server, port] = await listening({ net } as never, (s) => s.end()); // 127.0.0.1 only
      const socket = net.connect({
        port,
        host: 'dual.invalid',
        autoSelectFamily: true,
        autoSelectFamilyAttemptTimeout: 3000,
        lookup: (_host, options, callback) => {
          const all = [
            { address: '::1', family: 6 },
            { address: '127.0.0.1', family: 4 },
          ];
          if ((options as { all?: boolean }).all) (callback as (e: null, a: typeof all) => void)(null, all);
          else (callback as (e: null, a: string, f: number) => void)(null, '::1', 6);
        },
      });
      const hidePort = (value: unknown): unknown => (typeof value === 'string' ? value.replace(String(port), 'PORT') : value);
      socket.on('connectionAttempt', (address, _port, family) => trace('attempt', address, family));
      socket.on('connectionAttemptFailed', (address, _port, family, error) => trace('failed', address, family, (error as Error & { code?: string }).code));
      await once(socket, 'connect');
      trace('attempted', socket.autoSelectFamilyAttemptedAddresses?.map(hidePort));
      socket.resume();
      await once(socket, 'close');
      await closed(server);
    });
  });

  it('a failed lookup is reported as lookup event and error with the DNS error shape', async () => {
    await same(async ({ net }, trace) => {
      const failing = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), {
        code: 'ENOTFOUND',
        errno: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname: 'nowhere.invalid',
      });
      const socket = net.connect({
        port: 80,
        host: 'nowhere.invalid',
        lookup: (_h, _o, callback) => (callback as (e: Error) => void)(failing),
      });
      socket.on('lookup', (error) => trace('lookup', shape(error)));
      const [error] = await once(socket, 'error');
      trace('error', shape(error), 'port' in (error as object));
      await once(socket, 'close');
    });
  });

  it('onread hands bytes to the callback in buffer-sized pieces, with no data events', async () => {
    await same(async ({ net }, trace) => {
      const [server, port] = await listening({ net } as never, (s) => s.end('hello world'));
      const buffer = Buffer.alloc(4);
      const socket = net.connect({
        port,
        host: '127.0.0.1',
        onread: {
          buffer,
          callback: (n, buf) => {
            trace('onread', n, buf === buffer, Buffer.from(buf.subarray(0, n)).toString());
            return true;
          },
        },
      });
      socket.on('data', () => trace('data event'));
      await once(socket, 'end');
      socket.destroy();
      await closed(server);
    });
  });

  it('highWaterMark sets both buffer limits; bad ports throw ERR_SOCKET_BAD_PORT or ERR_INVALID_ARG_TYPE', async () => {
    await same(async ({ net }, trace) => {
      const socket = new net.Socket({ highWaterMark: 1024 } as never);
      trace(socket.readableHighWaterMark, socket.writableHighWaterMark);
      trace(thrown(() => net.connect({ port: -1 })));
      trace(thrown(() => net.connect({ port: true as never })));
      trace(thrown(() => net.connect({ port: 80, localAddress: 'nope' })));
      trace(thrown(() => (net.connect as () => unknown)()));
      socket.destroy();
    });
  });

  it('an Agent passes its options on: timeout fires on its sockets', async () => {
    await same(async ({ net, Agent }, trace) => {
      const http = await import('node:http');
      const server = http.createServer(() => {}); // never answers
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const agent = new Agent({ timeout: 300, family: 4 } as never);
      const started = Date.now();
      const request = http.get({ port: (server.address() as { port: number }).port, host: '127.0.0.1', agent });
      request.on('error', () => {});
      await once(request, 'timeout');
      // Not before the delay, and from the Agent's option; how much later
      // depends on the machine's load (a loaded CI once read 450 ms).
      trace('timeout', Date.now() - started >= 250, 'socket timeout', request.socket?.timeout);
      request.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      void net;
    });
  });
});
