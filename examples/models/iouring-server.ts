/**
 * Echo server for Linux's completion model, io_uring (beyond the course's
 * seven: the completion port's counterpart on Linux). Operations batched
 * into a submission queue, results reaped from a completion queue.
 *
 *   node examples/models/dist/iouring-server.js [--host 127.0.0.1] [--port 7000]
 *
 * The server code is the same for every backend: see ../shared/serve-echo.ts.
 */
import { runEchoServer } from '../shared/serve-echo.js';

await runEchoServer('iouring');
