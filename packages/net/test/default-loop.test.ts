/** Without a `loop` option everything shares defaultLoop(), and the loop runs and stops by itself. */
import { once } from 'node:events';
import { expect, it } from 'vitest';
import { type AddressInfo, connect, createServer, defaultLoop, type Socket } from '../src/index.js';

it('createServer()/connect() with no loop: listen(options), echo, destroySoon(), then the loop stops', async () => {
  const server = createServer((socket: Socket) => {
    socket.once('data', (data: Buffer) => {
      socket.write(data);
      socket.destroySoon(); // ends after the write is flushed, then closes
    });
  });
  server.listen({ port: 0, host: '127.0.0.1', backlog: 16 });
  await once(server, 'listening');
  expect(server.loop).toBe(defaultLoop());
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  expect(client.loop).toBe(defaultLoop());
  const chunks: Buffer[] = [];
  client.on('data', (d: Buffer) => chunks.push(d));
  client.write('hello');
  await once(client, 'end');
  expect(Buffer.concat(chunks).toString()).toBe('hello');
  await once(client, 'close');
  server.close();
  await once(server, 'close');
  const until = Date.now() + 5000;
  while (defaultLoop().running && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  expect(defaultLoop().running).toBe(false);
});
