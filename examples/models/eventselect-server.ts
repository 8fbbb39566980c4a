/**
 * Echo server for the WSAEventSelect (model 5).
 * One event object per socket; events are waited on in groups of 63, in parallel, so the 64-event limit does not apply.
 *
 *   node examples/models/dist/eventselect-server.js [--host 127.0.0.1] [--port 7000]
 *
 * The server code is the same for every backend: see ../shared/serve-echo.ts.
 */
import { runEchoServer } from '../shared/serve-echo.js';

await runEchoServer('eventselect');
