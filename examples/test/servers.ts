/** Starting the example servers from tests, and stopping whatever is left after each test. */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnNode } from '@wsaloop/core/conformance';
import { onTestFinished } from 'vitest';

/** Path of a built example, relative to examples/. */
export const built = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** A started server: its process, the port it printed, and everything it printed so far. */
export interface StartedServer {
  child: ChildProcess;
  port: number;
  output: () => string;
}

/**
 * Spawns `node <args>` with the given stdin (retried when Wine's
 * CreateProcess fails, see `spawnNode`); killed when the test ends. The
 * kill is registered with the test itself, not by a module-level hook: the
 * Windows suite runs its files in one process, where this module (and a
 * hook it declared) is evaluated for the first file only, and the servers
 * of every later file outlived their tests (the non-blocking model's, which
 * poll, took a CPU's time from every file after them).
 */
export async function spawnServer(args: readonly string[], stdin: 'ignore' | 'pipe' = 'ignore'): Promise<ChildProcess> {
  const child = await spawnNode(args, { stdio: [stdin, 'pipe', 'pipe'] });
  onTestFinished(() => {
    child.kill();
  });
  return child;
}

/** Starts `script` on 127.0.0.1 and a free port; resolves once it prints `listening on <host>:<port>`. */
export async function startServer(script: readonly string[], stdin: 'ignore' | 'pipe' = 'ignore'): Promise<StartedServer> {
  const child = await spawnServer([...script, '--host', '127.0.0.1', '--port', '0'], stdin);
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

/** Resolves with the exit code once `child` has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.on('exit', (code) => resolve(code));
  });
}
