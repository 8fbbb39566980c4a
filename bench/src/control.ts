/**
 * The memory scenario's two halves, shared by memory.ts and the tour: reading
 * a server's figures through its control port, and holding N idle clients
 * (idle-clients.ts, its own process on CPU 1) against it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pinned, root, spawnWineHelper, waitFor } from './harness.js';

/** Reads the JSON a server's control port answers each connection with. */
export function readControl<T>(port: number, host = '127.0.0.1'): Promise<T> {
  return new Promise((resolve, reject) => {
    let text = '';
    const s = connect(port, host);
    s.setEncoding('utf8');
    s.on('data', (d) => (text += d));
    s.on('end', () => {
      try {
        resolve(JSON.parse(text) as T);
      } catch (error) {
        reject(error);
      }
    });
    s.on('error', reject);
  });
}

/** Idle clients holding their connections open. */
export interface IdleClients {
  /** How many got their echo (all of them unless `timeoutMs` cut the wait short). */
  echoed: number;
  stop(): Promise<void>;
}

/**
 * Starts `n` idle clients against `port`, each sending 64 bytes; resolves
 * once every one got its echo, or (with `timeoutMs`) once the rest stopped
 * being waited for.
 */
export async function startIdleClients(port: number, n: number, options: { timeoutMs?: number; batch?: number; path?: string; wine?: boolean } = {}): Promise<IdleClients> {
  const args = ['--port', String(port), '--clients', String(n)];
  if (options.path) args.push('--path', options.path);
  if (options.timeoutMs) args.push('--timeout', String(options.timeoutMs));
  if (options.batch) args.push('--batch', String(options.batch));
  let child: ChildProcess;
  let output: () => string;
  if (options.wine) {
    // A named pipe under Wine: only a process of the same Wine prefix can open it.
    ({ child, output } = await spawnWineHelper('idle-clients.js', [...args, '--until-killed', '1']));
  } else {
    const [cmd, ...rest] = pinned('1', [process.execPath, join(root, 'bench/dist/idle-clients.js'), ...args]);
    child = spawn(cmd!, rest, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    output = () => out;
  }
  const echoed = await waitFor('idle clients', () => {
    const m = /ready (\d+)/.exec(output());
    return m ? Number(m[1]) : undefined;
  }, child, output, 600_000);
  return {
    echoed,
    stop: async () => {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}
