/**
 * Echo server for the WSAAsyncSelect (model 4).
 * Network events arrive as window messages to a message-only window pumped on a thread of its own.
 *
 *   node examples/models/dist/asyncselect-server.js [--host 127.0.0.1] [--port 7000]
 *
 * The server code is the same for every backend: see ../shared/serve-echo.ts.
 */
import { runEchoServer } from '../shared/serve-echo.js';

await runEchoServer('asyncselect');
