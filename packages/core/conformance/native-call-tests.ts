/**
 * The backend counts its own native calls (nativeCallCounts), on every
 * thread: what the tour reports as Winsock calls per round trip.
 */
import { connect } from 'node:net';
import { nativeCallCounts } from '@wsaloop/core';
import { describe, expect, it } from 'vitest';
import { type Conformance, withLoop } from './context.js';

const ROUND_TRIPS = 100;

/** Calls made between two readings, by name (names with none left out). */
function callsBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const made: Record<string, number> = {};
  for (const [name, count] of Object.entries(after)) if (count > (before[name] ?? 0)) made[name] = count - (before[name] ?? 0);
  return made;
}

export function nativeCallTests(ctx: Conformance): void {
  describe('native call counts', () => {
    it(`counts a round trip's calls, its wait's included${ctx.waitCall ? ` (${ctx.waitCall})` : ''}`, async () => {
      let before: Record<string, number> = {};
      let echoed = 0;
      await withLoop(ctx, (loop) => {
        const server = loop.tcp().bind('127.0.0.1', 0);
        server.listen(16, (err, client) => {
          if (!client) throw err;
          server.close();
          client.readStart((e, data) => (data ? client.write(data) : client.close()));
        });
        // node:net's calls are libuv's own, never counted: only the server's are.
        const peer = connect(server.address().port, '127.0.0.1');
        peer.on('data', (d) => {
          echoed += d.length;
          if (echoed < ROUND_TRIPS) peer.write('x');
          else peer.end();
        });
        peer.on('connect', () => {
          before = nativeCallCounts();
          peer.write('x');
        });
      });
      // A Worker's table reaches this thread as a message: give it a turn.
      await new Promise((r) => setTimeout(r, 50));
      const made = callsBetween(before, nativeCallCounts());
      const total = Object.values(made).reduce((a, b) => a + b, 0);
      expect(echoed).toBe(ROUND_TRIPS);
      // At least a receive and a send per round trip, whatever their names
      // (or the one call that carries both).
      expect(total, JSON.stringify(made)).toBeGreaterThanOrEqual(ctx.callsPerRoundTrip * ROUND_TRIPS);
      if (ctx.waitCall) expect(made[ctx.waitCall] ?? 0, JSON.stringify(made)).toBeGreaterThan(0);
    });
  });
}
