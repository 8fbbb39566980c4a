/** Starting the example servers from tests, and stopping whatever is left after each test. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

/** Path of a built example, relative to examples/. */
export const built = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** A started server: its process, the port it printed, and everything it printed so far. */
export interface StartedServer {
  child: ChildProcess;
  port: number;
  output: () => string;
}

const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill();
  running.clear();
});

/** Spawns `node <args>` with the given stdin; killed after the test. */
export function spawnServer(args: readonly string[], stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  const child = spawn(process.execPath, [...args], { stdio: [stdin, 'pipe', 'pipe'] });
  running.add(child);
  return child;
}

/** Starts `script` on 127.0.0.1 and a free port; resolves once it prints `listening on <host>:<port>`. */
export function startServer(script: readonly string[], stdin: 'ignore' | 'pipe' = 'ignore'): Promise<StartedServer> {
  const child = spawnServer([...script, '--host', '127.0.0.1', '--port', '0'], stdin);
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
