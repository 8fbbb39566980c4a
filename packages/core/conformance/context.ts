/**
 * What each conformance test gets: a way to make a loop over the backend under
 * test, and the suite's scale settings.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createLoop, type Loop } from '@wsaloop/core';
import type { BackendModule } from '@wsaloop/core/backend';

/** The suite's groups of tests, in the order they run. */
export const CONFORMANCE_GROUPS = ['loop', 'tcp', 'pipes', 'udp', 'lifecycle', 'hostile', 'descriptors', 'arguments', 'handoff', 'pool', 'nativeCalls', 'exit'] as const;

/** A group of the suite, for {@link ConformanceOptions.only}. */
export type ConformanceGroup = (typeof CONFORMANCE_GROUPS)[number];

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** Backend name, as given to `createLoop`. */
  backend: string;
  /** Extra backend options (e.g. `{ notify: 'routine' }`). */
  options?: Record<string, unknown>;
  /** Concurrent connections in the scale test (default 500). */
  connections?: number;
  /** Label shown in the test names (default: the backend name). */
  label?: string;
  /**
   * The native function the backend collects its events with (e.g.
   * `GetQueuedCompletionStatusEx`): the suite checks that its calls are
   * counted, even when a Worker makes them.
   */
  waitCall?: string;
  /**
   * The fewest native calls an echo round trip can take (default 2: a
   * receive and a send). io_uring carries both in its rings: 1, the enter
   * that submits them.
   */
  callsPerRoundTrip?: number;
  /**
   * Only these groups (default: all). For an option set of a backend that
   * passes the whole suite with its defaults: the groups the option changes
   * (e.g. iocp's `zeroByteReads` changes how sockets receive, not timers).
   */
  only?: readonly ConformanceGroup[];
}

/** Settings every test file sees. */
export interface Conformance {
  label: string;
  backend: string;
  options: Record<string, unknown>;
  connections: number;
  waitCall?: string;
  callsPerRoundTrip: number;
  makeLoop(): Loop;
}

export function conformanceContext(opts: ConformanceOptions): Conformance {
  return {
    label: opts.label ?? opts.backend,
    backend: opts.backend,
    options: opts.options ?? {},
    connections: opts.connections ?? 500,
    waitCall: opts.waitCall,
    callsPerRoundTrip: opts.callsPerRoundTrip ?? 2,
    makeLoop: () => createLoop({ backend: opts.backend, ...opts.options }),
  };
}

/** The installed backend package `name`, resolved as `createLoop` resolves it from the working directory. */
export function backendModule(name: string): BackendModule {
  return createRequire(join(process.cwd(), 'noop.js'))(`@wsaloop/backend-${name}`) as BackendModule;
}

/**
 * Runs `body` against a fresh loop, runs the loop to completion, and checks
 * that every handle was closed. A failure inside the loop is rethrown as is.
 */
export async function withLoop(ctx: Conformance, body: (loop: Loop) => void | Promise<void>): Promise<Loop> {
  const loop = ctx.makeLoop();
  let failure: unknown;
  try {
    await body(loop);
    await loop.run();
  } catch (error) {
    failure = error;
  }
  const open: string[] = [];
  loop.walk((h) => open.push(h.type));
  if (open.length > 0) {
    // Close leftovers so the next test starts clean.
    loop.walk((h) => {
      if (!h.isClosing()) h.close();
    });
    await loop.run().catch(() => {});
  }
  loop.close();
  if (failure !== undefined) throw failure;
  if (open.length > 0) throw new Error(`handles left open after the test: ${open.join(', ')}`);
  return loop;
}

/** Deterministic pseudo-random bytes (xorshift), so a failure reproduces. */
export function pattern(length: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A standard test timeout that scales with how slow the platform is (Wine is slow). */
export const SLOW = process.platform === 'win32' ? 4 : 1;

/**
 * The share of a soak test's repetitions that runs (cycles, connections,
 * requests, child processes): 1 unless `WSALOOP_SOAK_SCALE` says less.
 * `npm test` sets 0.3, for the native suite and the Windows one under Wine
 * (where one connection or child process costs 5 to 10 times what it costs
 * natively) alike, to keep the whole run, both side by side on two CPUs,
 * within its 10 minutes; `WSALOOP_SOAK_SCALE=1 npm test`, a plain
 * `vitest run`, and the suite on Windows itself run every repetition.
 */
export const SOAK_SCALE = Math.min(1, Math.max(0.01, Number(process.env.WSALOOP_SOAK_SCALE ?? 1) || 1));

/** `count` repetitions scaled by {@link SOAK_SCALE}, rounded to a multiple of `step` and at least `step`. */
export function soak(count: number, step = 1): number {
  return Math.max(step, Math.round((count * SOAK_SCALE) / step) * step);
}

/**
 * Whether a child process's stderr shows the one crash that is Node's and
 * not ours: on Windows, Node can abort while an isolate shuts down (a
 * Worker's, or the process's at exit) when a V8 background thread posts a
 * task to it as its async handle closes (nodejs/node#56645). A child that
 * exits while a Worker of ours runs (the routine backend's thread) now and
 * then dies of it, after doing everything the test checks. The same line
 * is what scripts/lib/windows-suite.mjs recognises in a shard's own log
 * (a plain script run before any build: it cannot import this).
 */
export function diedOfNodeTeardownRace(stderr: string): boolean {
  return process.platform === 'win32' && /Assertion failed: !\(handle->flags & UV_HANDLE_CLOSING\), file \S*async\.c/.test(stderr);
}
