/**
 * Echo server for the overlapped I/O (model 6).
 * Event notification by default; --notify routine uses completion routines, run on a thread that waits alertably.
 *
 *   node examples/models/dist/overlapped-server.js [--host 127.0.0.1] [--port 7000]
 *
 * The server code is the same for every backend: see ../shared/serve-echo.ts.
 */
import { backendOptions, intArg, parseArgs } from '../shared/cli.js';
import { serveEcho } from '../shared/serve-echo.js';

const args = parseArgs(process.argv.slice(2));
await serveEcho({
  backend: 'overlapped',
  host: args.values.get('host') ?? '127.0.0.1',
  port: intArg(args, 'port', 7000),
  backendOptions: backendOptions(args, ['host', 'port']),
});
process.exit(0);
