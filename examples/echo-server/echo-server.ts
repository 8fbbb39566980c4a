/**
 * Echo server on any wsaloop backend.
 *
 *   node examples/echo-server/dist/echo-server.js --backend select --host 127.0.0.1 --port 7000
 *
 * Prints `listening on <host>:<port>` once it accepts connections, echoes
 * every byte back until each peer closes, and exits cleanly on SIGINT,
 * SIGTERM, SIGHUP or Ctrl+Break (never at end of stdin: it runs as a
 * service). A startup failure is one line on stderr and exit status 1. Flags
 * it does not know go to the backend (`--notify routine` for overlapped).
 */
import { runEchoServer } from '../shared/serve-echo.js';

await runEchoServer();
