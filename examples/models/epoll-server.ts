/**
 * Echo server for Linux's scalable readiness model, epoll (beyond the
 * course's seven: what a server written for them gets when it is deployed
 * on Linux). One epoll instance, level-triggered, one epoll_wait per poll.
 *
 *   node examples/models/dist/epoll-server.js [--host 127.0.0.1] [--port 7000]
 *
 * The server code is the same for every backend: see ../shared/serve-echo.ts.
 */
import { runEchoServer } from '../shared/serve-echo.js';

await runEchoServer('epoll');
