// Run with --allow-natives-syntax (see shapes.test.ts): prints, as JSON,
// whether sockets and servers made each way share one hidden class.
import { createLoop } from '@wsaloop/core';
import { Server, Socket } from '@wsaloop/net';

const loop = createLoop();
const sockets = [new Socket({ loop }), new Socket({ loop }), Socket({ loop })];
const servers = [new Server(), new Server(), Server()];
class Subclass extends Socket {}
const subclassed = [new Subclass({ loop }), new Subclass({ loop })];
const same = (list) => list.every((x) => %HaveSameMap(x, list[0]));
console.log(JSON.stringify({ sockets: same(sockets), servers: same(servers), subclassed: same(subclassed) && subclassed[0] instanceof Socket }));
for (const s of sockets) s.destroy();
for (const s of subclassed) s.destroy();
loop.close();
