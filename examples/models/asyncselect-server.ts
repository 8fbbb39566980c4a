/**
 * Echo server for the WSAAsyncSelect (model 4).
 * Network events arrive as window messages to a message-only window pumped on a thread of its own.
 *
 *   node examples/models/dist/asyncselect-server.js [--host 127.0.0.1] [--port 7000]
 *
 * The server code is the same for every backend: see ../shared/serve-echo.ts.
 */
import { backendOptions, intArg, parseArgs } from '../shared/cli.js';
import { serveEcho } from '../shared/serve-echo.js';

const args = parseArgs(process.argv.slice(2));
await serveEcho({
  backend: 'asyncselect',
  host: args.values.get('host') ?? '127.0.0.1',
  port: intArg(args, 'port', 7000),
  backendOptions: backendOptions(args, ['host', 'port']),
});
process.exit(0);
