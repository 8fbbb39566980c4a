/**
 * `reliability --mode hostile`: can a hostile client hurt a server or its
 * well-behaved clients? For node:net and each backend, one hostile kind at a
 * time (hostile-load.ts) runs beside a 64-byte ping-pong over --pingpong
 * connections (load.js), for --duration ms; then, --settle ms after the
 * hostile clients left, a fresh client must get an echo. One table per
 * server: round trips/s and failed round trips of the well-behaved clients,
 * whether the server still serves, and its RSS, handles, descriptors and
 * live `loop.stats()` before and after. A server that died is restarted for
 * the next kind. The `none` row is the ping-pong alone, for comparison.
 */
import { connect } from 'node:net';
import { backendVariants, fmt, flags, platforms, sleep } from './harness.js';
import { runLoad, type SoakServer, startSoakServer } from './soak-server.js';

const KINDS = ['none', 'reset-data', 'reset-empty', 'vanish', 'no-read'];
const kinds = flags.get('kinds')?.split(',') ?? KINDS;
const duration = Number(flags.get('duration') ?? 4000);
const count = Number(flags.get('count') ?? 1000);
const pingpong = Number(flags.get('pingpong') ?? 16);
const settle = Number(flags.get('settle') ?? 2000);

interface Row {
  kind: string;
  rtPerSec: number;
  failed: number;
  hostile: Record<string, unknown> | null;
  alive: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** Whether a fresh client gets its 5 bytes echoed within 5 s. */
function echoes(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write('probe'));
    let got = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 5000);
    s.on('data', (d) => (got += d) === 'probe' && done(true));
    s.on('error', () => done(false));
  });
}

/** The server's latest stats line, waited for: it prints one every 500 ms. */
async function freshStats(server: SoakServer): Promise<Record<string, unknown>> {
  await sleep(700);
  return server.stats() ?? {};
}

async function runKind(server: SoakServer, kind: string): Promise<Row> {
  const before = await freshStats(server);
  const load = runLoad('load.js', server.port, { mode: 'pingpong', connections: pingpong, warmup: 300, duration });
  const hostile = kind === 'none' ? null : runLoad('hostile-load.js', server.port, { kind, count, duration });
  const [rt, attack] = await Promise.all([load.done, hostile?.done ?? Promise.resolve(null)]);
  await sleep(settle);
  const alive = !server.running() ? 'no (exited)' : (await echoes(server.port)) ? 'yes' : 'no (no echo)';
  return { kind, rtPerSec: rt.roundTripsPerSec as number, failed: rt.failedRoundTrips as number, hostile: attack, alive, before, after: await freshStats(server) };
}

const mib = (s: Record<string, unknown>): string => (s.rssMiB === undefined ? '?' : String(s.rssMiB));
const live = (s: Record<string, unknown>): string =>
  Object.entries((s.loop ?? {}) as Record<string, number>)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || '-';

function printTable(platform: string, label: string, rows: Row[]): void {
  console.log(`\n${platform} ${label}: ${pingpong} ping-pong clients beside each hostile kind for ${duration} ms (at most ${count} hostile connections); figures ${settle} ms after\n`);
  console.log('| hostile | RT/s | failed RT | hostile connects | server serves after | RSS MiB before → after | handles | fds | conns after | loop.stats() before → after |');
  console.log('| --- | ---: | ---: | ---: | --- | --- | --- | --- | ---: | --- |');
  for (const r of rows) {
    const connects = r.hostile ? `${r.hostile.connected}/${r.hostile.attempts}` : '-';
    console.log(
      `| ${r.kind} | ${fmt(r.rtPerSec)} | ${r.failed} | ${connects} | ${r.alive} | ${mib(r.before)} → ${mib(r.after)} | ${r.before.handles ?? '?'} → ${r.after.handles ?? '?'} | ${r.before.fds ?? '?'} → ${r.after.fds ?? '?'} | ${r.after.connections ?? '?'} | ${live(r.before)} → ${live(r.after)} |`,
    );
  }
}

/** Runs every hostile kind against node:net (unless `withNode` is false) and each backend variant. */
export async function runHostile(withNode: boolean): Promise<void> {
  for (const platform of platforms) {
    for (const impl of [...(withNode ? ['node'] : []), ...backendVariants(platform)]) {
      const label = impl === 'node' ? 'node:net' : impl;
      const rows: Row[] = [];
      let server = await startSoakServer(platform, impl);
      try {
        for (const kind of kinds) {
          if (!server.running()) {
            await server.stop();
            server = await startSoakServer(platform, impl);
          }
          const row = await runKind(server, kind);
          rows.push(row);
          console.error(`${platform} ${label} ${kind}: ${JSON.stringify(row)}`);
          if (!server.running()) {
            const said = server.output().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('stats '));
            console.error(`${platform} ${label}: the server exited during ${kind}; it said last:\n${said.slice(-5).join('\n')}`);
          }
        }
      } finally {
        await server.stop();
      }
      printTable(platform, label, rows);
    }
  }
}
