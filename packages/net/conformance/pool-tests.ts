/** node:http spread over loops on Worker threads with servePool. */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servePool } from '@wsaloop/net';
import { describe, expect, it } from 'vitest';
import type { NetConformance } from './context.js';

const SLOW = process.platform === 'win32' ? 4 : 1;

function request(where: number | string, agent: http.Agent, body: Buffer | null): Promise<{ thread: number; tag: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const target = typeof where === 'string' ? { socketPath: where } : { port: where, host: '127.0.0.1' };
    const req = http.request({ ...target, agent, method: body ? 'POST' : 'GET' }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

export function poolTests(ctx: NetConformance): void {
  describe('servePool', () => {
    it('serves node:http on 2 loops: fresh and keep-alive connections, both loops busy, closes to baseline', async () => {
      const pool = await servePool({ module: new URL('./pool-app.mjs', import.meta.url), threads: 2, host: '127.0.0.1', loop: ctx.loopOptions, data: { tag: ctx.label } });
      try {
        const fresh = new http.Agent({ keepAlive: false });
        const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => request(pool.address.port, fresh, i % 2 ? Buffer.alloc(i * 100, 1) : null)));
        answers.forEach((a, i) => expect(a).toMatchObject({ tag: ctx.label, bytes: i % 2 ? i * 100 : 0 }));
        expect(new Set(answers.map((a) => a.thread)).size).toBe(2);
        const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });
        for (let i = 0; i < 100; i++) expect((await request(pool.address.port, keepAlive, null)).tag).toBe(ctx.label);
        keepAlive.destroy();
        expect(pool.stats().served.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(104);
      } finally {
        const reports = await pool.close();
        for (const r of reports) {
          expect(r?.type).toBe('closed');
          if (r?.type === 'closed') expect(r.live).toEqual(r.baseline);
        }
      }
    }, 60_000 * SLOW);

    it('serves node:http over a pipe on 2 loops: http.request({ socketPath }) reaches both', async () => {
      const windows = process.platform === 'win32';
      const dir = windows ? null : mkdtempSync(join(tmpdir(), 'wsaloop-net-pool-'));
      const path = dir ? join(dir, 'http.sock') : `\\\\.\\pipe\\wsaloop-net-pool-${process.pid}-${Date.now()}`;
      const pool = await servePool({ module: new URL('./pool-app.mjs', import.meta.url), threads: 2, path, loop: ctx.loopOptions, data: { tag: ctx.label } });
      try {
        expect(pool.address).toBe(path);
        const fresh = new http.Agent({ keepAlive: false });
        const answers = await Promise.all(Array.from({ length: 40 }, () => request(path, fresh, null)));
        answers.forEach((a) => expect(a.tag).toBe(ctx.label));
        expect(new Set(answers.map((a) => a.thread)).size).toBe(2);
      } finally {
        await pool.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000 * SLOW);
  });
}
