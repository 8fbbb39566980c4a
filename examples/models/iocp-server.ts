/**
 * Echo server for the I/O completion ports (model 7).
 * AcceptEx/ConnectEx/WSARecv/WSASend on one completion port, completions dequeued in batches.
 *
 *   node examples/models/dist/iocp-server.js [--host 127.0.0.1] [--port 7000]
 *
 * The server code is the same for every backend: see ../shared/serve-echo.ts.
 */
import { runEchoServer } from '../shared/serve-echo.js';

await runEchoServer('iocp');
