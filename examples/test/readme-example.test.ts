/**
 * The README's first example, its server code run as written (only its port
 * changed) on the select backend: a node:net client that sends 8 MiB and
 * ends gets every byte back. Closing at end of stream instead of shutting
 * down after the last echo drops the writes still queued: with the README's
 * earlier `client.close()` at end of stream, 7.0 to 7.4 MiB came back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SIZE = 8 * 1024 * 1024;

/** The code block under the README's `## Example` heading. */
function readmeExample(): string {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const match = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md: no ts code block under "## Example"');
  return match[1]!;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Connects once the server listens (it prints nothing when ready). */
async function connectWhenListening(port: number, deadline = Date.now() + 15_000): Promise<ReturnType<typeof connect>> {
  for (;;) {
    const socket = connect(port, '127.0.0.1');
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    if (ok) return socket;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let child: ChildProcess | undefined;
const dir = `${root}.cache/readme-example-${process.pid}`;
afterEach(() => {
  child?.kill();
  rmSync(dir, { recursive: true, force: true });
});

it('the README example echoes 8 MiB byte-exact to a client that ends', async () => {
  const port = await freePort();
  const code = readmeExample();
  expect(code).toContain("bind('127.0.0.1', 7000)");
  // Under the repository, so '@wsaloop/core' resolves as it would for a user.
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/server.mjs`, code.replace("bind('127.0.0.1', 7000)", `bind('127.0.0.1', ${port})`));
  child = spawn(process.execPath, [`${dir}/server.mjs`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let serverOutput = '';
  child.stdout!.on('data', (d: Buffer) => (serverOutput += d));
  child.stderr!.on('data', (d: Buffer) => (serverOutput += d));
  const socket = await connectWhenListening(port);
  const sent = randomBytes(SIZE);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  // Read only once everything is sent: the echoes pile up in the server's
  // write queue, as they do under load, and are still queued at end of stream.
  socket.pause();
  socket.end(sent, () => socket.resume());
  let sentAll = false;
  socket.once('finish', () => (sentAll = true));
  await new Promise<void>((resolve, reject) => {
    socket.on('close', () => resolve());
    socket.on('error', reject);
    // Before the test's own timeout: say which side stopped (a rare stall under Wine).
    setTimeout(() => {
      const received = chunks.reduce((n, c) => n + c.length, 0);
      const server = child?.exitCode === null ? 'still running' : `exited (${child?.exitCode})`;
      reject(new Error(`no close after 50 s: sent all ${sentAll}, ${received} of ${SIZE} bytes back; server ${server}, its output: ${JSON.stringify(serverOutput)}`));
    }, 50_000).unref();
  });
  const echoed = Buffer.concat(chunks);
  expect(echoed.length).toBe(SIZE);
  expect(echoed.equals(sent)).toBe(true);
}, 60_000);
