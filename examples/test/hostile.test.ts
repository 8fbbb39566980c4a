/**
 * The example servers under a reset storm, on every backend of the platform:
 * clients that connect, send 5 KB and reset. Each server must keep serving
 * and print nothing per client (a connection's failure is not the server's
 * news). The handle counts after storms are the conformance suite's
 * hostile groups' to check.
 */
import http from 'node:http';
import { connect } from 'node:net';
import { soak } from '@wsaloop/core/conformance';
import { describe, expect, it } from 'vitest';
import { built, startServer } from './servers.js';

const BACKENDS: ReadonlyArray<readonly string[]> =
  process.platform === 'win32'
    ? [['select'], ['asyncselect'], ['eventselect'], ['overlapped'], ['overlapped', '--notify', 'routine'], ['iocp']]
    : [['select']];
/**
 * Clients per storm: 1000, and 500 on Windows, whose twelve storms (six
 * backends, two servers) took 85 to 110 s of a Wine shard at npm test's soak
 * scale; one client that printed would show as well in either.
 */
const CLIENTS = soak(process.platform === 'win32' ? 500 : 1000);
const slow = process.platform === 'win32' ? 4 : 1;

/** `count` clients, 25 at a time, that each connect, send `data` and reset. */
async function resetStorm(port: number, count: number, data: Buffer): Promise<void> {
  let started = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(data);
        socket.resetAndDestroy();
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve());
    });
  await Promise.all(
    Array.from({ length: 25 }, async () => {
      while (started++ < count) await one();
    }),
  );
}

function echo(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    socket.on('data', (d: Buffer) => (got += d.toString()));
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
  });
}

function get(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => resolve(res.resume().statusCode!)).on('error', reject);
  });
}

/** What the server printed after its start-up lines (`listening on ...`, `backend: ...`). */
const printedAfterStart = (output: string): string => output.replace(/^(listening on|backend:).*\n/gm, '');

const request = Buffer.concat([Buffer.from('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n'), Buffer.alloc(5000, 0x61)]);

describe.each(BACKENDS.map((b) => [b.join(' '), b] as const))('a reset storm on %s', (_name, backend) => {
  const flags = ['--backend', ...backend];
  it(`the echo server keeps serving ${CLIENTS} resetting clients and prints nothing for them`, async () => {
    const { port, output } = await startServer([built('echo-server/dist/echo-server.js'), ...flags]);
    await resetStorm(port, CLIENTS, Buffer.alloc(5000, 0x62));
    expect(await echo(port, 'still here')).toBe('still here');
    expect(printedAfterStart(output())).toBe('');
  }, 60_000 * slow);

  it(`the HTTP server keeps serving ${CLIENTS} clients that reset mid-request and prints nothing for them`, async () => {
    const { port, output } = await startServer([built('http-server/dist/http-server.js'), ...flags]);
    await resetStorm(port, CLIENTS, request);
    expect(await get(port)).toBe(200);
    expect(printedAfterStart(output())).toBe('');
  }, 60_000 * slow);
});
