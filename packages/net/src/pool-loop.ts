/**
 * The module every loop of {@link servePool} runs (core's ServerPool loads
 * it by URL): builds this loop's instance of the app, then hands it each
 * adopted connection as a {@link Socket}, as {@link serve} does.
 * @module
 */
import http from 'node:http';
import type { Loop, Pipe, PoolConnectionHandler, Tcp } from '@wsaloop/core';
import { Socket } from './socket.js';
import type { ConnectionServer } from './http.js';

type AppFactory = (loop: Loop, data: unknown) => ConnectionServer | http.RequestListener | Promise<ConnectionServer | http.RequestListener>;

export default async function poolLoop(loop: Loop, { module, data }: { module: string; data: unknown }): Promise<PoolConnectionHandler<Tcp | Pipe>> {
  const factory = ((await import(module)) as { default?: AppFactory }).default;
  if (typeof factory !== 'function') throw new TypeError(`${module} must default-export a function (loop, data) => app`);
  const app = await factory(loop, data);
  const server: ConnectionServer = typeof app === 'function' ? http.createServer(app) : app;
  if (!server || typeof server.emit !== 'function') throw new TypeError(`the app of ${module} must be an http, https or tls server, or a request listener`);
  // node:http starts its request and headers timeout checks on 'listening'.
  server.emit('listening');
  return (client) => {
    // As serve(): Nagle off like node:http, and the layer above decides when to end.
    if (client.type === 'tcp') client.setNoDelay(true);
    server.emit('connection', new Socket({ handle: client, allowHalfOpen: true }));
  };
}
