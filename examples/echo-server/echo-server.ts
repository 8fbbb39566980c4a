/**
 * Echo server on any wsaloop backend.
 *
 *   node examples/echo-server/dist/echo-server.js --backend select --host 127.0.0.1 --port 7000
 *
 * Prints `listening on <host>:<port>` once it accepts connections, echoes
 * every byte back until each peer closes, and exits cleanly on SIGINT,
 * SIGTERM or end of stdin. Flags it does not know go to the backend
 * (`--notify routine` for overlapped).
 */
import { defaultBackendName } from '@wsaloop/core';
import { backendOptions, intArg, parseArgs } from '../shared/cli.js';
import { serveEcho } from '../shared/serve-echo.js';

const args = parseArgs(process.argv.slice(2));
await serveEcho({
  backend: args.values.get('backend') ?? defaultBackendName(),
  host: args.values.get('host') ?? '127.0.0.1',
  port: intArg(args, 'port', 7000),
  backendOptions: backendOptions(args, ['backend', 'host', 'port']),
});
process.exit(0);
