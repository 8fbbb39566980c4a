/**
 * Host resolution for `connect()`, as node:net does it: `dns.lookup` (or the
 * `lookup` option) with the `family` and `hints` options, every result
 * reported as a `'lookup'` event, and the address list that family
 * auto-selection (`autoSelectFamily`, on by default in Node 20) tries in turn.
 * @module
 */
import dns from 'node:dns';
import { getDefaultAutoSelectFamily, isIP } from 'node:net';
import { isIp } from './arguments.js';
import { codedError, invalidIp } from './errors.js';

/** One address to try. */
export interface Target {
  address: string;
  family: 4 | 6;
}

/** What resolution needs from the connect options. */
export interface ResolveOptions {
  host: string;
  port: number;
  family?: unknown;
  hints?: number | undefined;
  lookup?: ((host: string, options: object, callback: (...args: never[]) => void) => void) | undefined;
  autoSelectFamily?: boolean | undefined;
  localAddress?: string | undefined;
}

/** Where resolution reports: `'lookup'` events, and whether the connect is still wanted. */
export interface ResolveSink {
  emit(event: 'lookup', error: Error | null, address: string | undefined, family: number | undefined, host: string): void;
  stillConnecting(): boolean;
}

function dnsFamily(family: unknown): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return typeof family === 'number' ? family : 0;
}

function invalidFamily(family: unknown, host: string, port: number): Error {
  return Object.assign(codedError(RangeError, 'ERR_INVALID_ADDRESS_FAMILY', `Invalid address family: ${String(family)} ${host}:${port}`), {
    host,
    port,
  });
}

/**
 * Resolves `options.host` to the addresses to try, calling `done` on a later
 * tick; a failure (the lookup's own error, `ERR_INVALID_IP_ADDRESS`,
 * `ERR_INVALID_ADDRESS_FAMILY`) comes as `done(error)`; `autoSelected`
 * says the list came from family auto-selection. Calls nothing when the
 * sink stopped connecting meanwhile (destroyed).
 */
export function resolveTargets(
  options: ResolveOptions,
  sink: ResolveSink,
  done: (error: Error | null, targets?: Target[], autoSelected?: boolean) => void,
): void {
  const { host, port } = options;
  const literalFamily = isIP(host);
  if (literalFamily === 4 || literalFamily === 6) {
    // As node:net: even an IP literal connects on a later tick, so a
    // destroy() in the same tick opens no connection.
    process.nextTick(() => done(null, [{ address: host, family: literalFamily }]));
    return;
  }
  const lookup = (options.lookup ?? dns.lookup) as (host: string, options: object, callback: (...args: never[]) => void) => void;
  const family = dnsFamily(options.family);
  let hints = options.hints ?? 0;
  if (process.platform !== 'win32' && family !== 4 && family !== 6 && hints === 0) hints = dns.ADDRCONFIG;
  const all = family !== 4 && family !== 6 && !options.localAddress && (options.autoSelectFamily ?? getDefaultAutoSelectFamily());
  const fail = (error: Error): void => process.nextTick(() => done(error));
  if (!all) {
    lookup(host, { family, hints }, ((error: Error | null, address: string, addressType: number) => {
      sink.emit('lookup', error, address, addressType, host);
      if (!sink.stillConnecting()) return;
      if (error) fail(error);
      else if (typeof address !== 'string' || !isIp(address)) fail(invalidIp(address));
      else if (addressType !== 4 && addressType !== 6) fail(invalidFamily(addressType, host, port));
      else done(null, [{ address, family: addressType }]);
    }) as never);
    return;
  }
  lookup(host, { family, hints, all: true }, ((error: Error | null, addresses: Array<{ address: string; family: number }>) => {
    if (!sink.stillConnecting()) return;
    if (error) {
      sink.emit('lookup', error, undefined, undefined, host);
      fail(error);
      return;
    }
    const valid: Target[] = [];
    for (const { address, family: addressType } of addresses) {
      sink.emit('lookup', null, address, addressType, host);
      if (!sink.stillConnecting()) return;
      if (typeof address === 'string' && isIp(address) && (addressType === 4 || addressType === 6)) valid.push({ address, family: addressType });
    }
    if (valid.length === 0) {
      const first = addresses[0];
      if (!first || typeof first.address !== 'string' || !isIp(first.address)) fail(invalidIp(first?.address));
      else fail(invalidFamily(first.family, host, port));
      return;
    }
    done(null, interleave(valid), true);
  }) as never);
}

/** Alternates the families, starting with the first one found (happy eyeballs order). */
function interleave(targets: Target[]): Target[] {
  const first = targets[0]!.family;
  const a = targets.filter((t) => t.family === first);
  const b = targets.filter((t) => t.family !== first);
  const out: Target[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i]) out.push(a[i]!);
    if (b[i]) out.push(b[i]!);
  }
  return out;
}
