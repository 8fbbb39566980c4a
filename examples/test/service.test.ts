/**
 * The example servers behave like services: they keep running with stdin
 * closed or at end of file (as under a service manager), stop cleanly on a
 * signal, and report a startup failure in one line with a non-zero exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const dist = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));
/** Each server: its script and extra flags. */
const servers: Record<string, [string, ...string[]]> = {
  'echo-server': [dist('echo-server/dist/echo-server.js')],
  'echo-server on 2 loops': [dist('echo-server/dist/echo-server.js'), '--threads', '2'],
  'model 1, blocking': [dist('models/dist/blocking-server.js')],
  'model 2, non-blocking': [dist('models/dist/nonblocking-server.js')],
};
const running = new Set<ChildProcess>();

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
}

/** Starts a server with stdin as given; resolves once it prints its port. */
function start(server: readonly string[], stdin: 'ignore' | 'pipe'): Promise<Started> {
  const child = spawn(process.execPath, [...server, '--host', '127.0.0.1', '--port', '0'], { stdio: [stdin, 'pipe', 'pipe'] });
  running.add(child);
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /listening on [^\s]+:(\d+)/.exec(text);
      if (match) {
        clearInterval(poll);
        resolve({ child, port: Number(match[1]), output: () => text });
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`exited early (${code}): ${text}`));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.on('exit', (code) => resolve(code));
  });
}

function echoOnce(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let got = '';
    socket.on('data', (d) => (got += d));
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
  });
}

afterEach(() => {
  for (const child of running) child.kill();
  running.clear();
});

describe.each(Object.entries(servers))('%s as a service', (_name, server) => {
  it('keeps serving with stdin closed, and with stdin at end of file', async () => {
    const closed = await start(server, 'ignore');
    expect(closed.output()).toMatch(server.includes('--threads') ? /listening on 127\.0\.0\.1:\d+ \(2 loops\)/ : /listening on 127\.0\.0\.1:\d+\n/);
    const ended = await start(server, 'pipe');
    ended.child.stdin!.end();
    await new Promise((r) => setTimeout(r, 500));
    expect(closed.child.exitCode).toBeNull();
    expect(ended.child.exitCode).toBeNull();
    expect(await echoOnce(closed.port, 'still here')).toBe('still here');
    expect(await echoOnce(ended.port, 'me too')).toBe('me too');
  });

  it('says in one line that its port is in use, and exits with status 1', async () => {
    const first = await start(server, 'ignore');
    const second = spawn(process.execPath, [...server, '--host', '127.0.0.1', '--port', String(first.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(second);
    let stderr = '';
    second.stderr.on('data', (chunk) => (stderr += chunk));
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
  const child = spawn(process.execPath, [...servers['echo-server']!, '--port', 'seven'], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  expect(await exited(child)).toBe(1);
  expect(stderr.trim()).toBe(`cannot start: --port must be a non-negative integer, got 'seven'`);
});
