// Server edges, each one scenario run on node:net and on @wsaloop/net with
// equal traces expected (see trace.ts).
import events from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as wsaloopNet from '../../src/index.js';
import { closed, listening, once, shape, sleep, thrown, same } from './trace.js';

describe('server edges as node:net', () => {
  it('listen() refuses options without a port, and bad ports, with node:net codes', async () => {
    await same(async ({ net }, trace) => {
      const server = net.createServer();
      trace(thrown(() => server.listen({})));
      trace(thrown(() => server.listen({ host: 'localhost' })));
      trace(thrown(() => server.listen({ port: -1 })));
      trace(thrown(() => server.listen({ port: 65536 })));
      trace(thrown(() => server.listen({ fd: -1 })));
      trace(thrown(() => (net.createServer as (o: unknown) => unknown)('path')));
      trace(server.listening);
    });
  });

  it('Server() works without new', async () => {
    await same(async ({ net }, trace) => {
      const server = (net.Server as unknown as () => wsaloopNet.Server)();
      trace(server instanceof net.Server);
      const socket = (net.Socket as unknown as () => wsaloopNet.Socket)();
      trace(socket instanceof net.Socket, socket.pending, socket.timeout);
      socket.destroy();
      await once(socket, 'close');
    });
  });

  it('EADDRINUSE is reported with syscall listen, node:net message and negative errno', async () => {
    await same(async ({ net }, trace) => {
      const [first, port] = await listening({ net } as never);
      const second = net.createServer();
      second.listen(port, '127.0.0.1');
      const [error] = await once(second, 'error');
      trace({ ...shape(error), message: String((error as Error).message).replace(String(port), 'PORT'), port: 'PORT' });
      await closed(first);
    });
  });

  it('pauseOnConnect: a data listener alone does not start the flow; resume() does', async () => {
    await same(async ({ net }, trace) => {
      const server = net.createServer({ pauseOnConnect: true });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const client = net.connect((server.address() as { port: number }).port, '127.0.0.1');
      client.end('hello');
      const [socket] = (await once(server, 'connection')) as [wsaloopNet.Socket];
      socket.on('data', (d: Buffer) => trace('data', d.toString()));
      trace('flowing after data listener', socket.readableFlowing);
      await sleep(100);
      trace('resume');
      socket.resume();
      await once(socket, 'end');
      socket.destroy();
      await closed(server);
    });
  });

  it('maxConnections frees a slot when a connection is destroyed, and drop reports addresses', async () => {
    await same(async ({ net }, trace) => {
      const server = net.createServer();
      server.maxConnections = 1;
      server.on('drop', (data: Record<string, unknown>) => trace('drop', Object.keys(data ?? {}).sort()));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const port = (server.address() as { port: number }).port;
      const a = net.connect(port, '127.0.0.1');
      const [first] = (await once(server, 'connection')) as [wsaloopNet.Socket];
      const b = net.connect(port, '127.0.0.1');
      await once(server, 'drop');
      first.destroy(); // frees the slot at once, before 'close'
      const c = net.connect(port, '127.0.0.1');
      const [third] = (await once(server, 'connection')) as [wsaloopNet.Socket];
      trace('third accepted');
      for (const s of [a, b, c, third]) s.destroy();
      await closed(server);
    });
  });

  it('listen({ signal }) closes the server when aborted', async () => {
    await same(async ({ net }, trace) => {
      const server = net.createServer();
      const controller = new AbortController();
      trace(thrown(() => server.listen({ port: 0, signal: 'nope' as never })));
      server.listen({ port: 0, host: '127.0.0.1', signal: controller.signal });
      await once(server, 'listening');
      controller.abort();
      await once(server, 'close');
      trace('closed', server.listening);
    });
  });

  it('captureRejections: a rejected async connection listener destroys that socket with the error', async () => {
    await same(async ({ net }, trace) => {
      // As Node's own test: the process-wide default, read when the server is made.
      events.captureRejections = true;
      const server = net.createServer(async () => {
        throw new Error('kaboom');
      });
      events.captureRejections = false;
      server.on('connection', (socket: wsaloopNet.Socket) => socket.on('error', (e: Error) => trace('socket error', e.message)));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const client = net.connect((server.address() as { port: number }).port, '127.0.0.1');
      client.on('error', () => {});
      await once(client, 'close');
      await closed(server);
      trace('done');
    });
  });
});

describe('what node:net does and @wsaloop/net cannot: a coded error at the call', () => {
  it('listen({ fd }), listen(handle), Socket({ fd }) and Socket({ handle }) with a libuv handle throw ERR_INVALID_ARG_VALUE', () => {
    const server = wsaloopNet.createServer();
    for (const call of [
      () => server.listen({ fd: 3 } as never),
      () => server.listen({ _handle: {} } as never),
      () => new wsaloopNet.Socket({ fd: 3 } as never),
      () => new wsaloopNet.Socket({ handle: {} } as never),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', name: 'TypeError' }));
    }
    expect(server.listening).toBe(false);
  });
});

describe.skipIf(process.platform === 'win32')('pipes as node:net (Unix domain sockets)', () => {
  let n = 0;
  const dir = mkdtempSync(join(tmpdir(), 'wsaloop-parity-pipes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('listen(path), address(), an echo over connect(path), the socket fields, EADDRINUSE, ENOENT, and the file gone at close', async () => {
    await same(async ({ net }, trace) => {
      const path = join(dir, `p${n++}.sock`);
      const named = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null).replaceAll(path, 'PATH'));
      const server = net.createServer((socket) => socket.pipe(socket));
      server.listen(path);
      await once(server, 'listening');
      trace('address', named(server.address()), existsSync(path));
      const client = net.connect(path);
      await once(client, 'connect');
      trace('fields', client.remoteAddress, client.remotePort, client.remoteFamily, client.localAddress, client.localPort, client.address());
      const echoed: Buffer[] = [];
      client.on('data', (d: Buffer) => echoed.push(d));
      client.end('over a pipe');
      await once(client, 'end');
      trace('echo', Buffer.concat(echoed).toString());
      const second = net.createServer();
      second.listen(path);
      const [inUse] = await once(second, 'error');
      trace('in use', named(shape(inUse)));
      await closed(server);
      trace('file after close', existsSync(path));
      const missing = net.connect(path);
      const [gone] = await once(missing, 'error');
      trace('missing', named(shape(gone)));
      // As Node's test-net-pipe-connect-errors: a file that is no socket, and a path that is no string.
      const file = join(dir, `f${n++}.txt`);
      writeFileSync(file, '');
      const notSocket = net.connect(file);
      const [refused] = await once(notSocket, 'error');
      trace('not a socket', JSON.parse(JSON.stringify(shape(refused)).replaceAll(file, 'FILE')));
      trace(thrown(() => net.createConnection({ path: {} } as never)));
    });
  });
});

describe.runIf(process.platform === 'win32')('pipes as node:net (named pipes)', () => {
  let n = 0;

  it('listen(name), address(), an echo over connect(name), the socket fields, ENOENT for a missing pipe, and the name gone at close', async () => {
    await same(async ({ net }, trace) => {
      const path = `\\\\.\\pipe\\wsaloop-parity-${process.pid}-${n++}`;
      const named = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null).replaceAll(JSON.stringify(path).slice(1, -1), 'PATH'));
      const server = net.createServer((socket) => socket.pipe(socket));
      server.listen(path);
      await once(server, 'listening');
      trace('address', named(server.address()));
      const client = net.connect(path);
      await once(client, 'connect');
      trace('fields', client.remoteAddress, client.remotePort, client.remoteFamily, client.localAddress, client.localPort, client.address());
      // Ended once the echo is back: a named pipe has no half-close (see Pipe).
      const message = 'over a named pipe';
      let echoed = '';
      client.on('data', (d: Buffer) => {
        echoed += d.toString();
        if (echoed.length >= message.length) client.end();
      });
      client.write(message);
      await once(client, 'close');
      trace('echo', echoed);
      await closed(server);
      const missing = net.connect(path);
      const [gone] = await once(missing, 'error');
      trace('missing', named(shape(gone)));
      trace(thrown(() => net.createConnection({ path: {} } as never)));
    });
  });
});
