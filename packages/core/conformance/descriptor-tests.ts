/**
 * Out of descriptors: under a low `ulimit -n`, a listener whose process
 * cannot get another socket neither spins nor dies. Clients it cannot take
 * are turned away promptly (accepted with a spare descriptor and closed),
 * and it serves again once descriptors free up. POSIX only: Windows sets no
 * per-process socket limit a test could lower.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Conformance } from './context.js';

/** Descriptor limit of the server process: node itself holds ~20-30. */
const LIMIT = 64;
/** Clients that hold a connection: more than the server has descriptors. */
const HOLDERS = 100;

/** CPU time (user + system) of process `pid`, in clock ticks. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function descriptorTests(ctx: Conformance): void {
  describe.skipIf(process.platform === 'win32')('out of descriptors', () => {
    it(`under ulimit -n ${LIMIT}, turns away what it cannot take without spinning, then serves again`, async () => {
      const script = fileURLToPath(new URL('./descriptor-limited-server.mjs', import.meta.url));
      const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
      const command = `ulimit -n ${LIMIT} && exec ${quote(process.execPath)} ${quote(script)} ${quote(ctx.backend)} ${quote(JSON.stringify(ctx.options))}`;
      const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'inherit'] });
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const next = async (): Promise<Record<string, unknown>> => JSON.parse(String((await lines.next()).value));
      const stats = async (): Promise<Record<string, unknown>> => {
        child.stdin!.write('\n');
        return next();
      };
      const holders: Socket[] = [];
      try {
        const { port } = (await next()) as { port: number };
        const ended = new Set<Socket>();
        for (let i = 0; i < HOLDERS; i++) {
          const socket = connect(port, '127.0.0.1');
          socket.on('error', () => ended.add(socket));
          socket.on('close', () => ended.add(socket));
          holders.push(socket);
        }
        await sleep(500);
        const before = cpuTicks(child.pid!);
        await sleep(2000);
        const spent = cpuTicks(child.pid!) - before;
        // Spinning on a readable listener burns every tick (~200 in 2 s); idle costs ~0.
        expect(spent).toBeLessThan(20);
        // Those it could not take were turned away, not left waiting.
        expect(ended.size).toBeGreaterThan(0);
        const during = await stats();
        expect(during.listenerErrors).toEqual([]);
        expect(Number(during.clientsTurnedAwayTotal)).toBe(ended.size);
        // Descriptors free up: a new client is served.
        for (const s of holders) s.destroy();
        await sleep(300);
        const echoed = await new Promise<string>((resolve, reject) => {
          const chunks: Buffer[] = [];
          const s = connect(port, '127.0.0.1', () => s.end('still serving'));
          s.on('data', (d: Buffer) => chunks.push(d));
          s.on('end', () => resolve(Buffer.concat(chunks).toString()));
          s.on('error', reject);
        });
        expect(echoed).toBe('still serving');
      } finally {
        for (const s of holders) s.destroy();
        child.stdin!.end();
        await new Promise((r) => child.once('exit', r));
      }
    }, 30_000);
  });
}
