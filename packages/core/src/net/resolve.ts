/**
 * Host names to addresses: the one place core (and the stream layer's
 * `listen`) turns a name into an IP, and the one place the `localhost` rule
 * lives.
 * @module
 */
import { lookup } from 'node:dns';
import { familyOf } from '../sys/sockaddr.js';
import type { IpFamily } from '../sys/socket-api.js';

/** An IP address and its family. */
export interface ResolvedHost {
  /** The address, an IP literal. */
  host: string;
  /** Its family. */
  family: IpFamily;
}

/**
 * `host` as an IP literal, without asking DNS: an IP literal is itself, and
 * `localhost` is 127.0.0.1 (the address a local server is reached on
 * everywhere, where a lookup might answer ::1 first). Null for any other name.
 */
export function literalHost(host: string): ResolvedHost | null {
  const literal = host === 'localhost' ? '127.0.0.1' : host;
  const family = familyOf(literal);
  return family ? { host: literal, family } : null;
}

/**
 * Resolves `host` to one address: literals (see {@link literalHost}) at
 * once, other names with `dns.lookup`, whose wait runs on libuv's pool,
 * not on the main thread. `callback` gets the lookup's own error (its
 * `code`, e.g. `ENOTFOUND`) when the name does not resolve.
 */
export function resolveHost(host: string, callback: (error: NodeJS.ErrnoException | null, resolved: ResolvedHost | null) => void): void {
  const literal = literalHost(host);
  if (literal) return callback(null, literal);
  lookup(host, (error, address, family) => {
    if (error) callback(error, null);
    else callback(null, { host: address, family: family === 6 ? 'ipv6' : 'ipv4' });
  });
}
