/**
 * The example servers behave like services: they keep running with stdin
 * closed or at end of file (as under a service manager), stop cleanly on a
 * signal, and report a startup failure in one line with a non-zero exit.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { built, exited, spawnServer, startServer as start } from './servers.js';

/** Each server: its script and extra flags. */
const servers: Record<string, [string, ...string[]]> = {
  'echo-server': [built('echo-server/dist/echo-server.js')],
  'echo-server on 2 loops': [built('echo-server/dist/echo-server.js'), '--threads', '2'],
  'model 1, blocking': [built('models/dist/blocking-server.js')],
  'model 2, non-blocking': [built('models/dist/nonblocking-server.js')],
};

function echoOnce(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let got = '';
    socket.on('data', (d) => (got += d));
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
  });
}


describe.each(Object.entries(servers))('%s as a service', (_name, server) => {
  it('keeps serving with stdin closed, and with stdin at end of file', async () => {
    // Started side by side: under Wine each start takes seconds.
    const [closed, ended] = await Promise.all([start(server, 'ignore'), start(server, 'pipe')]);
    expect(closed.output()).toMatch(server.includes('--threads') ? /listening on 127\.0\.0\.1:\d+ \(2 loops\)/ : /listening on 127\.0\.0\.1:\d+\n/);
    ended.child.stdin!.end();
    await new Promise((r) => setTimeout(r, 500));
    expect(closed.child.exitCode).toBeNull();
    expect(ended.child.exitCode).toBeNull();
    expect(await echoOnce(closed.port, 'still here')).toBe('still here');
    expect(await echoOnce(ended.port, 'me too')).toBe('me too');
  });

  it('says in one line that its port is in use, and exits with status 1', async () => {
    const first = await start(server, 'ignore');
    const second = await spawnServer([...server, '--host', '127.0.0.1', '--port', String(first.port)]);
    let stderr = '';
    second.stderr!.on('data', (chunk) => (stderr += chunk));
    expect(await exited(second)).toBe(1);
    expect(stderr.trim()).toBe(`cannot listen on 127.0.0.1:${first.port}: address already in use (EADDRINUSE)`);
  });

  // Windows has no signals to send: Node's kill() there ends the process outright.
  it.runIf(process.platform !== 'win32')('stops cleanly on SIGTERM', async () => {
    const { child, output } = await start(server, 'ignore');
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(output()).toMatch(/stopping \(SIGTERM\)/);
  });
});

it('echo-server: a bad flag is one line, status 1', async () => {
  const child = await spawnServer([...servers['echo-server']!, '--port', 'seven']);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  expect(await exited(child)).toBe(1);
  expect(stderr.trim()).toBe(`cannot start: --port must be a non-negative integer, got 'seven'`);
});
