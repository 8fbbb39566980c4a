/**
 * What the reliability modes share: the echo server that prints its figures
 * every half second, and load generators run natively on CPU 1 with a raised
 * descriptor limit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { implArgs, pinned, root, startServer } from './harness.js';

/** A running soak server. */
export interface SoakServer {
  port: number;
  /** The last `stats` line the server printed, with the Linux descriptors of its process (`fds`). */
  stats(): Record<string, unknown> | null;
  /** Whether its process is still running. */
  running(): boolean;
  /** What it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Open descriptors of the Linux process running `script` with `impl` (under Wine: node.exe's own). */
function descriptors(script: string, impl: string): number {
  const found = spawnSync('pgrep', ['-f', `${script} ${implArgs(impl).join(' ')} --stats-every`], { encoding: 'utf8' });
  for (const pid of found.stdout.trim().split('\n').filter(Boolean)) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/^(taskset|sh|timeout)\0/.test(cmdline) && !cmdline.includes('wine\0')) return readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // gone, or not ours to read
    }
  }
  return -1;
}

/** The echo server printing its figures every 500 ms (after a full collection: --expose-gc). */
export async function startSoakServer(platform: string, impl: string): Promise<SoakServer> {
  const script = join(root, 'bench/dist/server.js');
  const server = await startServer(platform, 'server.js', [...implArgs(impl), '--stats-every', '500'], ['--expose-gc']);
  return {
    port: server.port,
    stats: () => {
      const lines = server.output().split('\n').filter((l) => l.startsWith('stats '));
      if (lines.length === 0) return null;
      return { ...(JSON.parse(lines[lines.length - 1]!.slice(6)) as Record<string, unknown>), fds: descriptors(script, impl) };
    },
    running: () => server.child.exitCode === null && server.child.signalCode === null,
    output: server.output,
    stop: () => server.stop(),
  };
}

/**
 * Runs bench/dist/`script` (a node:net load generator) against `port`,
 * natively on CPU 1 with a raised descriptor limit; resolves with its JSON line.
 */
export function runLoad(script: string, port: number, options: Record<string, string | number>): { done: Promise<Record<string, unknown>> } {
  const loadArgs = [join(root, 'bench/dist', script), '--port', String(port)];
  for (const [k, v] of Object.entries(options)) loadArgs.push(`--${k}`, String(v));
  const command = pinned('1', [process.execPath, ...loadArgs]).map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // Thousands of connections need more descriptors than the usual soft limit.
  const child = spawn('sh', ['-c', `ulimit -n $(ulimit -Hn) 2>/dev/null; exec ${command}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  return {
    done: new Promise((resolve, reject) =>
      child.on('exit', (code) => {
        const line = out.trim().split('\n').pop();
        if (code !== 0 || !line) reject(new Error(`${script} failed (${code}): ${out}`));
        else resolve(JSON.parse(line) as Record<string, unknown>);
      }),
    ),
  };
}
