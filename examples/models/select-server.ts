/**
 * Echo server for the I/O multiplexing with select() (model 3).
 * Winsock select with fd_sets sized at run time: the 64-socket FD_SETSIZE of the course notes does not apply.
 *
 *   node examples/models/dist/select-server.js [--host 127.0.0.1] [--port 7000]
 *
 * The server code is the same for every backend: see ../shared/serve-echo.ts.
 */
import { runEchoServer } from '../shared/serve-echo.js';

await runEchoServer('select');
