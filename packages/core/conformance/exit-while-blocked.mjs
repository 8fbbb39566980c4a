// Child process of the conformance suite: blocks a loop in its poll (a
// listening socket, nothing else), then calls process.exit().
import { createLoop } from '@wsaloop/core';

const [backend, options] = [process.argv[2], JSON.parse(process.argv[3] ?? '{}')];
const loop = createLoop({ backend, ...options });
loop.tcp().bind('127.0.0.1', 0).listen(8);
setTimeout(() => process.exit(7), 300);
await loop.run();
