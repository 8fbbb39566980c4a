/**
 * Echo client: drives an echo server with several connections and checks
 * every byte that comes back.
 *
 *   node examples/echo-client/dist/echo-client.js --port 7000 [--host 127.0.0.1]
 *     [--backend select] [--connections 4] [--messages 100] [--size 64]
 *
 * Exits 0 when everything came back byte-exact, 1 otherwise.
 */
import { createLoop, defaultBackendName } from '@wsaloop/core';
import { BACKEND_FLAG, backendOptions, intArg, parseArgs } from '../shared/cli.js';
import { startupStep } from '../shared/service.js';

const { backend, host, port, connections, messages, size, loop } = startupStep('start', () => {
  const args = parseArgs(process.argv.slice(2), {
    command: 'node examples/echo-client/dist/echo-client.js',
    summary: 'Echo client: drives an echo server over several connections and checks every byte that comes back; exits 0 when all of it did.',
    flags: [
      BACKEND_FLAG,
      { flag: '--host HOST', help: 'the server (default 127.0.0.1)' },
      { flag: '--port N', help: "the server's port (default 7000)" },
      { flag: '--connections N', help: 'connections at once (default 4)' },
      { flag: '--messages N', help: 'messages per connection (default 100)' },
      { flag: '--size N', help: 'bytes per message (default 64)' },
    ],
    backends: 'any',
  });
  const backend = args.values.get('backend') ?? defaultBackendName();
  const loop = createLoop({ backend, ...backendOptions(args, ['backend', 'host', 'port', 'connections', 'messages', 'size']) });
  return {
    backend,
    host: args.values.get('host') ?? '127.0.0.1',
    port: intArg(args, 'port', 7000),
    connections: intArg(args, 'connections', 4),
    messages: intArg(args, 'messages', 100),
    size: intArg(args, 'size', 64),
    loop,
  };
});
let verified = 0;
let failures = 0;
const started = performance.now();

for (let c = 0; c < connections; c++) {
  const client = loop.tcp();
  client.connect(host, port, (err) => {
    if (err) {
      console.error(`connection ${c}: connect failed: ${err.code}`);
      failures++;
      client.close();
      return;
    }
    client.setNoDelay(true);
    let round = 0;
    let expected = Buffer.alloc(0);
    let received: Buffer[] = [];
    let have = 0;
    const sendNext = (): void => {
      expected = Buffer.alloc(size, (c * 31 + round) & 0xff);
      expected.write(`c${c}m${round}`);
      client.write(expected, () => {});
    };
    client.readStart((error, data) => {
      if (!data) {
        if (round < messages) {
          console.error(`connection ${c}: ${error ? error.code : 'closed'} after ${round} messages`);
          failures++;
        }
        client.close();
        return;
      }
      received.push(data);
      have += data.length;
      if (have < size) return;
      const echoed = Buffer.concat(received);
      received = [];
      have = 0;
      if (!echoed.equals(expected)) {
        console.error(`connection ${c}: message ${round} came back different`);
        failures++;
        client.close();
        return;
      }
      verified++;
      if (++round < messages) sendNext();
      else client.shutdown(() => {});
    });
    sendNext();
  });
}

await loop.run();
loop.close();
const ms = performance.now() - started;
console.log(
  `${verified}/${connections * messages} messages of ${size} bytes echoed byte-exact over ${connections} connections in ${ms.toFixed(0)} ms (backend ${backend})`,
);
process.exit(failures === 0 && verified === connections * messages ? 0 : 1);
