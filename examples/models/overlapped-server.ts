/**
 * Echo server for the overlapped I/O (model 6).
 * Event notification by default; --notify routine uses completion routines, run on a thread that waits alertably.
 *
 *   node examples/models/dist/overlapped-server.js [--host 127.0.0.1] [--port 7000]
 *
 * The server code is the same for every backend: see ../shared/serve-echo.ts.
 */
import { runEchoServer } from '../shared/serve-echo.js';

await runEchoServer('overlapped');
