/**
 * `--path NAME`: the echo and http servers listen on a pipe instead of a
 * port (a Unix domain socket on Linux, a named pipe on Windows), with
 * node:net, node:http and curl as the clients; a stop signal removes the
 * name; with `--threads` a pool of loops serves the pipe.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodePipeEcho, pipeNameGone } from '@wsaloop/core/conformance';
import { built, exited, spawnServer } from './servers.js';

const echoServer = built('echo-server/dist/echo-server.js');
const httpServer = built('http-server/dist/http-server.js');
const WINDOWS = process.platform === 'win32';
const dir = WINDOWS ? '' : mkdtempSync(join(tmpdir(), 'wsaloop-example-pipes-'));
/** A pipe name of this run's own: a path, or on Windows a named pipe. */
const pipeName = (name: string): string => (WINDOWS ? `\\\\.\\pipe\\wsaloop-example-${process.pid}-${name}` : join(dir, `${name}.sock`));
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts `script --path path`; resolves once it prints `listening on <path>`. */
async function startOnPipe(script: string, path: string, extra: string[] = []): Promise<{ child: ChildProcess; output: () => string }> {
  const child = await spawnServer([script, '--path', path, ...extra]);
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (text.includes(`listening on ${path}\n`) || text.includes(`listening on ${path} (`)) {
        clearInterval(poll);
        resolve({ child, output: () => text });
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`exited early (${code}): ${text}`));
    });
  });
}

/** A node:net client that sends `payload` over the pipe and tells whether the echo matched. */
async function echoOver(path: string, payload: Buffer): Promise<boolean> {
  return (await nodePipeEcho(path, payload)).equals(payload);
}

/** The body of a node:http GET over the pipe. */
function getOver(path: string, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ socketPath: path, path: url }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** What the child printed on stderr, once it exited, and its status. */
async function failure(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = await spawnServer(args);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const status = await exited(child);
  return { status, stderr: stderr.trim() };
}

/**
 * Stops a server with SIGTERM: a clean exit (0) on Linux. Windows has no
 * SIGTERM to handle (Node ends the process at once, as TerminateProcess),
 * so there the process only has to be gone, and its pipe with it.
 */
async function stopped(child: ChildProcess): Promise<boolean> {
  child.kill('SIGTERM');
  const status = await exited(child);
  return WINDOWS ? child.exitCode !== null || child.signalCode !== null : status === 0;
}

describe('--path: a pipe instead of a port', () => {
  it('echo-server echoes for node:net clients on the pipe, and a stop signal removes its name', async () => {
    const path = pipeName('echo');
    const { child } = await startOnPipe(echoServer, path);
    const echoed = await Promise.all(Array.from({ length: 10 }, (_, i) => echoOver(path, Buffer.alloc(100_000 + i, i))));
    expect(echoed).toEqual(new Array(10).fill(true));
    expect(await stopped(child)).toBe(true);
    expect(await pipeNameGone(path)).toBe(true);
  });

  it(`http-server answers node:http${WINDOWS ? '' : ' and curl'} on the pipe`, async () => {
    const path = pipeName('http');
    const { child } = await startOnPipe(httpServer, path);
    expect(JSON.parse(await getOver(path, '/json'))).toMatchObject({ tls: false });
    if (!WINDOWS && spawnSync('curl', ['--version']).status === 0) {
      const curl = spawnSync('curl', ['-sS', '--unix-socket', path, 'http://localhost/'], { encoding: 'utf8', timeout: 10_000 });
      expect(curl.stdout).toMatch(/^hello from wsaloop over \w+/);
    }
    expect(await stopped(child)).toBe(true);
  });

  it('echo-server and http-server spread a pipe over 2 loops (--path with --threads 2)', async () => {
    const echoPath = pipeName('echo-pool');
    const echo = await startOnPipe(echoServer, echoPath, ['--threads', '2']);
    expect(echo.output()).toContain(`listening on ${echoPath} (2 loops)`);
    expect(await Promise.all(Array.from({ length: 20 }, (_, i) => echoOver(echoPath, Buffer.alloc(10_000 + i, i))))).toEqual(new Array(20).fill(true));
    expect(await stopped(echo.child)).toBe(true);
    // Windows ends the process at once: no summary there.
    if (!WINDOWS) expect(echo.output()).toMatch(/20 connections \(\d+ \/ \d+ per loop\)/);
    expect(WINDOWS ? await pipeNameGone(echoPath) : !existsSync(echoPath)).toBe(true);
    const httpPath = pipeName('http-pool');
    const web = await startOnPipe(httpServer, httpPath, ['--threads', '2']);
    expect(JSON.parse(await getOver(httpPath, '/json'))).toMatchObject({ tls: false });
    expect(await stopped(web.child)).toBe(true);
  });

  it('echo-server keeps serving after 500 clients that write and vanish, and prints nothing for them', async () => {
    const path = pipeName('storm');
    const { child, output } = await startOnPipe(echoServer, path);
    // node:net cannot reset a pipe (resetAndDestroy is TCP only): each client writes 5 KB and is destroyed at once.
    for (let wave = 0; wave < 10; wave++) {
      await Promise.all(
        Array.from({ length: 50 }, () =>
          new Promise<void>((resolve) => {
            const socket = connect(path, () => {
              socket.write(Buffer.alloc(5000, 0x62));
              socket.destroy();
            });
            socket.on('error', () => {});
            socket.on('close', () => resolve());
          }),
        ),
      );
    }
    expect(await echoOver(path, Buffer.from('still here'))).toBe(true);
    expect(output().replace(/^(listening on|backend:).*\n/gm, '')).toBe('');
    expect(await stopped(child), output()).toBe(true);
  });

  it('a name in use is one line and status 1, on one loop or several', async () => {
    const path = pipeName('taken');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(path, resolve));
    try {
      const inUse = { status: 1, stderr: `cannot listen on ${path}: address already in use (EADDRINUSE)` };
      expect(await failure([echoServer, '--path', path])).toEqual(inUse);
      expect(await failure([echoServer, '--path', path, '--threads', '2'])).toEqual(inUse);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
