/**
 * `@wsaloop/net`: node:net-compatible streams over any wsaloop backend, and
 * the calls that put node:http, https, tls and WebSockets on them.
 *
 * ```ts
 * import http from 'node:http';
 * import { createLoop } from '@wsaloop/core';
 * import { serve } from '@wsaloop/net';
 *
 * const loop = createLoop({ backend: 'iocp' });
 * serve(http.createServer((req, res) => res.end('hello\n')), { loop, port: 8080 });
 * ```
 *
 * The differences from node:net are listed in the package README.
 * @module @wsaloop/net
 */
export { Socket, type SocketOptions, type SocketConnectOptions, type AddressInfo } from './socket.js';
export { Server, createServer, type ServerOptions, type ListenOptions, type ConnectionCountCallback } from './server.js';
export { connect, createConnection, type ConnectOptions } from './connect.js';
export {
  serve,
  listenerOf,
  connector,
  Agent,
  HttpsAgent,
  type ServeOptions,
  type AgentOptions,
  type ConnectionServer,
} from './http.js';
export { defaultLoop } from './default-loop.js';
export { servePool, type ServePoolOptions } from './pool.js';
export { selfSignedCertificate, type SelfSignedOptions, type SelfSignedCertificate } from './certificate.js';
export { Socket as Stream } from './socket.js';
export type { OnReadOption } from './onread.js';
export * from './node-net.js';
