/**
 * node:http, node:https and tls over wsaloop, through Node's documented
 * injection points: a server accepts any Duplex through its `'connection'`
 * event, `tls.TLSSocket` wraps any Duplex, and `http.Agent` /
 * `http.request` take `createConnection`.
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Loop } from '@wsaloop/core';
import { connect, type ConnectOptions } from './connect.js';
import { defaultLoop } from './default-loop.js';
import { createServer, type ListenOptions, type Server, type ServerOptions } from './server.js';
import type { AddressInfo, Socket } from './socket.js';

/** Options of {@link serve}: where to listen, and the listener's options. */
export interface ServeOptions extends ListenOptions, Omit<ServerOptions, 'allowHalfOpen'> {}

/** Any Node server that takes connections through its `'connection'` event. */
export type ConnectionServer = http.Server | https.Server | tls.Server;

const listeners = new WeakMap<ConnectionServer, Server>();

/**
 * Serves `app` over wsaloop: the one call that replaces `app.listen(port)`.
 *
 * `app` is an `http.Server`, an `https.Server`, a `tls.Server`, or a request
 * listener such as an Express app (wrapped in `http.createServer`). A wsaloop
 * {@link Server} on `options.loop` accepts the connections and hands each
 * socket to `app` through its `'connection'` event; the loop is run for you
 * (see the package README). Returns the Node server, on which `address()`,
 * `listening`, `close()`, `ref()` and `unref()` now describe and control the
 * wsaloop listener; `'listening'` and listener errors are emitted on it too.
 *
 * ```ts
 * const loop = createLoop({ backend: 'iocp' });
 * serve(http.createServer((req, res) => res.end('hello')), { loop, port: 8080 });
 * ```
 */
export function serve<T extends ConnectionServer>(app: T, options?: ServeOptions): T;
export function serve(app: http.RequestListener, options?: ServeOptions): http.Server;
export function serve(app: ConnectionServer | http.RequestListener, options: ServeOptions = {}): ConnectionServer {
  const target: ConnectionServer = typeof app === 'function' ? http.createServer(app) : app;
  if (listeners.has(target)) {
    throw Object.assign(new Error('This server is already served by @wsaloop/net'), { code: 'ERR_SERVER_ALREADY_LISTEN' });
  }
  const { port, host, backlog, ipv6Only, path, readableAll, writableAll, ...serverOptions } = options;
  const listener = createServer({
    noDelay: true, // node:http and https servers disable Nagle by default
    ...serverOptions,
    // The layer above decides when to end: node:http (as its own net.Server
    // does), or tls, which must flush its records before the FIN goes out.
    allowHalfOpen: true,
  });
  listener.on('connection', (socket: Socket) => target.emit('connection', socket));
  // 'listening' also starts node:http's request/headers timeout checks.
  listener.on('listening', () => target.emit('listening'));
  listener.on('error', (error) => target.emit('error', error));
  listeners.set(target, listener);

  const prototypeClose = Object.getPrototypeOf(target).close as (this: ConnectionServer, cb?: (err?: Error) => void) => unknown;
  let closing = false;
  Object.defineProperties(target, {
    address: { configurable: true, value: (): AddressInfo | string | null => listener.address() },
    listening: { configurable: true, get: (): boolean => listener.listening },
    ref: { configurable: true, value: () => (listener.ref(), target) },
    unref: { configurable: true, value: () => (listener.unref(), target) },
    close: {
      configurable: true,
      value: (callback?: (error?: Error) => void) => {
        if (closing) {
          if (callback) target.once('close', () => callback());
          return target;
        }
        closing = true;
        // As Node's own close(): stop accepting, close idle keep-alive
        // connections now, emit 'close' once the others are done.
        listener.close(() => prototypeClose.call(target));
        if ('closeIdleConnections' in target) target.closeIdleConnections();
        if (callback) target.once('close', () => callback());
        return target;
      },
    },
  });
  listener.listen({
    ...(port !== undefined && { port }),
    ...(host !== undefined && { host }),
    ...(backlog !== undefined && { backlog }),
    ...(ipv6Only !== undefined && { ipv6Only }),
    ...(path !== undefined && { path, readableAll, writableAll }),
  });
  return target;
}

/** The wsaloop {@link Server} that feeds `server` after {@link serve}, if any. */
export function listenerOf(server: ConnectionServer): Server | undefined {
  return listeners.get(server);
}

/** Options of {@link Agent} and {@link HttpsAgent}. */
export interface AgentOptions extends http.AgentOptions {
  /** The loop whose backend drives the agent's connections (default: {@link defaultLoop}). */
  loop?: Loop;
}

type ConnectionCallback = (error: Error | null, socket: import('node:stream').Duplex) => void;

/**
 * An `http.Agent` whose connections are wsaloop sockets: pass it as `agent`
 * to `http.request` / `http.get` (keep-alive pooling works as in Node).
 */
export class Agent extends http.Agent {
  /** The loop that drives this agent's connections. */
  readonly loop: Loop;

  constructor(options: AgentOptions = {}) {
    const { loop, ...agentOptions } = options;
    super(agentOptions);
    this.loop = loop ?? defaultLoop();
  }

  /**
   * @internal Called by http.Agent for each new connection, with the request's
   * and the agent's options merged (timeout, localAddress, family, lookup...):
   * all go to {@link connect}, as http.Agent hands them to net.createConnection.
   */
  override createConnection(options: ConnectOptions & { port?: number | string }, callback?: ConnectionCallback): Socket {
    void callback; // the socket is returned synchronously, as net.createConnection does
    return connect({ ...options, loop: this.loop, port: options.port ?? 80, host: options.host ?? 'localhost' });
  }
}

/**
 * An `https.Agent` whose TLS connections run over wsaloop sockets
 * (`tls.connect({ socket })` on a wsaloop {@link Socket}).
 */
export class HttpsAgent extends https.Agent {
  /** The loop that drives this agent's connections. */
  readonly loop: Loop;

  constructor(options: AgentOptions & https.AgentOptions = {}) {
    const { loop, ...agentOptions } = options;
    super(agentOptions);
    this.loop = loop ?? defaultLoop();
  }

  /**
   * @internal Called by https.Agent for each new connection: the TCP options
   * (localAddress, family, lookup...) go to {@link connect}, the rest (and
   * `timeout`, which tls.connect sets on the TLS socket) to tls.connect.
   */
  override createConnection(options: tls.ConnectionOptions & { port?: number | string }, callback?: ConnectionCallback): tls.TLSSocket {
    void callback;
    const { timeout: _timeout, ...tcpOptions } = options as ConnectOptions & tls.ConnectionOptions;
    const socket = connect({ ...tcpOptions, loop: this.loop, port: options.port ?? 443, host: options.host ?? 'localhost' });
    return tls.connect({ ...options, socket });
  }
}

/**
 * A `createConnection` for `http.request(options)` bound to `loop`:
 * `http.request({ port, createConnection: connector(loop) })`.
 */
export function connector(loop: Loop = defaultLoop()): (options: { host?: string; port?: number | string }) => Socket {
  return (options) => connect({ loop, port: options.port ?? 80, host: options.host ?? 'localhost' });
}
