/**
 * node:http on any wsaloop backend: the same flags as echo-server.
 *
 *   node examples/http-server/dist/http-server.js --backend iocp --host 127.0.0.1 --port 8080 [--tls] [--threads N]
 *   node examples/http-server/dist/http-server.js --path /run/app.sock   (a pipe: curl --unix-socket)
 *
 * Prints `listening on <host>:<port>` (with `(N loops)` on N loops), or
 * `listening on <path>`, and serves:
 *   GET  /                 200 and a short text
 *   GET  /json             a JSON status document
 *   GET  /download?size=N  N bytes (default 10 MiB), their SHA-256 in `x-content-sha256`
 *   POST /upload           echoes the body's size and SHA-256 as JSON
 *   GET  /ws               a WebSocket echo (the ws package)
 * Every GET route also answers HEAD: the same status and headers
 * (Content-Length included), no body.
 * `--tls` serves HTTPS (and wss) with a self-signed certificate made at
 * start-up; no key is ever written to disk. `--threads N` serves on N loops
 * on Worker threads (@wsaloop/net's servePool). Runs as a service: stops on
 * SIGINT, SIGTERM, SIGHUP or Ctrl+Break; a startup failure is one line.
 * Flags it does not know go to the backend (`--notify routine`).
 */
import { createLoop, defaultBackendName } from '@wsaloop/core';
import { serve, servePool } from '@wsaloop/net';
import { BACKEND_FLAG, backendOptions, intArg, listenFlags, parseArgs, PATH_FLAG, THREADS_FLAG } from '../shared/cli.js';
import { failStartup, onStopSignal, startupStep, startupStepAsync } from '../shared/service.js';
import { createApp } from './app.js';

const { backend, host, port, path, tls, threads, options } = startupStep('start', () => {
  const argv = process.argv.slice(2);
  const tlsFlag = argv.includes('--tls');
  const args = parseArgs(
    argv.filter((a) => a !== '--tls'),
    {
      command: 'node examples/http-server/dist/http-server.js',
      summary: 'node:http (routes /, /json, /download, /upload, /ws) on any backend; stops on SIGINT, SIGTERM or SIGHUP.',
      flags: [
        BACKEND_FLAG,
        ...listenFlags(8080),
        PATH_FLAG,
        { flag: '--tls', help: 'serve HTTPS (and wss) with a self-signed certificate made at start-up' },
        THREADS_FLAG,
      ],
      backends: 'any',
    },
  );
  return {
    backend: args.values.get('backend') ?? defaultBackendName(),
    host: args.values.get('host') ?? '127.0.0.1',
    port: intArg(args, 'port', 8080),
    path: args.values.get('path'),
    tls: tlsFlag,
    threads: intArg(args, 'threads', 1),
    options: backendOptions(args, ['backend', 'host', 'port', 'path', 'threads']),
  };
});
const announce = (where: string, loops: string): void => {
  console.log(`listening on ${where}${loops}`);
  console.log(`backend: ${backend}${tls ? ' (https, self-signed certificate)' : ''}`);
};

if (threads > 1) {
  const pool = await startupStepAsync(`listen on ${path ?? `${host}:${port}`}`, () =>
    servePool({ module: new URL('./app.js', import.meta.url), threads, ...(path !== undefined ? { path } : { host, port }), loop: { backend, ...options }, data: { backend, tls } }),
  );
  onStopSignal((signal) => {
    const { served } = pool.stats();
    console.log(`stopping (${signal}): ${served.reduce((a, b) => a + b, 0)} connections (${served.join(' / ')} per loop)`);
    void pool.close().then(() => process.exit(0));
  });
  const address: { port: number } | string = pool.address;
  announce(typeof address === 'string' ? address : `${host}:${address.port}`, ` (${pool.threads} loops)`);
} else {
  const loop = startupStep(`start the ${backend} backend`, () => createLoop({ backend, ...options }));
  const { server, webSockets, requests } = createApp(loop, { backend, tls });
  server.on('error', (error) => failStartup(`listen on ${path ?? `${host}:${port}`}`, error));
  onStopSignal((signal) => {
    console.log(`stopping (${signal}): ${requests()} requests`);
    for (const ws of webSockets.clients) ws.terminate();
    // 'close' comes once every connection is closed: nothing is left to flush.
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
  server.on('listening', () => {
    const address = server.address();
    announce(typeof address === 'string' ? address : `${host}:${address!.port}`, '');
  });
  serve(server, path !== undefined ? { loop, path } : { loop, host, port });
}
