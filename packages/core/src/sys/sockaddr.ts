/**
 * sockaddr_in / sockaddr_in6 / sockaddr_un encoding and decoding. The
 * layouts are identical on Windows and Linux (16, 28 and 110 bytes, port and
 * address in network order); only the AF_INET6 constant differs, so callers
 * pass the platform's values.
 * @module
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { AddressFamily, IpFamily } from './socket-api.js';

/** Size of the buffer that holds any address we handle: sockaddr_un (110 bytes on Linux and Windows). */
export const SOCKADDR_MAX = 110;
const SOCKADDR_IN_SIZE = 16;
const SOCKADDR_IN6_SIZE = 28;
/** Where sockaddr_un's path starts (after the 2-byte family). */
const SUN_PATH_OFFSET = 2;
/** Room for a local socket's path, its terminating NUL included (`sun_path[108]`). */
export const SUN_PATH_SIZE = 108;

/** A decoded socket address, shaped like Node's `AddressInfo`. */
export interface SocketAddress {
  /** Textual address, e.g. `127.0.0.1` or `::1`. */
  address: string;
  /** `'IPv4'` or `'IPv6'`, as Node reports it. */
  family: 'IPv4' | 'IPv6';
  /** Port number. */
  port: number;
}

/** Native AF_* values of the running platform. */
export interface FamilyConstants {
  AF_INET: number;
  AF_INET6: number;
  AF_UNIX: number;
}

/** Parses dotted-quad IPv4 text into 4 bytes. */
export function parseIPv4(text: string, out: Uint8Array, offset = 0): void {
  const parts = text.split('.');
  for (let i = 0; i < 4; i++) out[offset + i] = Number(parts[i]);
}

/** Parses IPv6 text (with `::`, embedded IPv4, optional `%scope`) into 16 bytes; returns the numeric scope id. */
export function parseIPv6(text: string, out: Uint8Array, offset = 0): number {
  let scope = 0;
  const pct = text.indexOf('%');
  if (pct >= 0) {
    const s = Number(text.slice(pct + 1));
    scope = Number.isInteger(s) && s >= 0 ? s : 0;
    text = text.slice(0, pct);
  }
  const words: number[] = [];
  const halves = text.split('::');
  const toWords = (part: string): number[] => {
    if (part === '') return [];
    const result: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const v4 = new Uint8Array(4);
        parseIPv4(group, v4);
        result.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        result.push(parseInt(group, 16));
      }
    }
    return result;
  };
  const head = toWords(halves[0] ?? '');
  const tail = halves.length > 1 ? toWords(halves[1] ?? '') : [];
  words.push(...head);
  for (let i = head.length + tail.length; i < 8; i++) words.push(0);
  words.push(...tail);
  for (let i = 0; i < 8; i++) {
    out[offset + 2 * i] = (words[i]! >> 8) & 0xff;
    out[offset + 2 * i + 1] = words[i]! & 0xff;
  }
  return scope;
}

/** Formats 16 bytes as canonical (RFC 5952) IPv6 text, as Node prints it. */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!);
  // IPv4-mapped addresses print with a dotted tail, as Node does.
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${bytes[offset + 12]}.${bytes[offset + 13]}.${bytes[offset + 14]}.${bytes[offset + 15]}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** The address family of textual address `host`, or null if it is not an IP literal. */
export function familyOf(host: string): IpFamily | null {
  if (isIPv4(host)) return 'ipv4';
  const bare = host.includes('%') ? host.slice(0, host.indexOf('%')) : host;
  if (isIPv6(bare)) return 'ipv6';
  return null;
}

/**
 * Encodes `host:port` into `out` (room for the sockaddr of `family`: 16 or 28 bytes) and
 * returns the sockaddr length. `host` must be an IP literal of `family`.
 */
export function encodeSockaddr(
  constants: FamilyConstants,
  family: IpFamily,
  host: string,
  port: number,
  out: Buffer,
): number {
  if (family === 'ipv4') {
    out.fill(0, 0, SOCKADDR_IN_SIZE);
    out.writeUInt16LE(constants.AF_INET, 0);
    out.writeUInt16BE(port, 2);
    parseIPv4(host, out, 4);
    return SOCKADDR_IN_SIZE;
  }
  out.fill(0, 0, SOCKADDR_IN6_SIZE);
  out.writeUInt16LE(constants.AF_INET6, 0);
  out.writeUInt16BE(port, 2);
  const scope = parseIPv6(host, out, 8);
  out.writeUInt32LE(scope, 24);
  return SOCKADDR_IN6_SIZE;
}

/** Decodes a sockaddr written by the platform; null if the family is not IP. */
export function decodeSockaddr(constants: FamilyConstants, data: Uint8Array): SocketAddress | null {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const af = view.readUInt16LE(0);
  const port = view.readUInt16BE(2);
  if (af === constants.AF_INET) {
    return { address: `${view[4]}.${view[5]}.${view[6]}.${view[7]}`, family: 'IPv4', port };
  }
  if (af === constants.AF_INET6) {
    return { address: formatIPv6(view, 8), family: 'IPv6', port };
  }
  return null;
}

/** The family of the sockaddr in `data`, or null for one we do not handle. */
export function sockaddrFamily(constants: FamilyConstants, data: Uint8Array): AddressFamily | null {
  const af = data[0]! | (data[1]! << 8);
  if (af === constants.AF_INET) return 'ipv4';
  if (af === constants.AF_INET6) return 'ipv6';
  if (af === constants.AF_UNIX) return 'unix';
  return null;
}

/**
 * Encodes a local socket's `path` into `out` (at least {@link SOCKADDR_MAX}
 * bytes) and returns the sockaddr_un length, or -1 when the path does not
 * fit in `sun_path`. A path that starts with NUL names a socket in Linux's
 * abstract namespace: its length counts its bytes exactly, with no
 * terminating NUL (as node:net and libuv read such names).
 */
export function encodeLocalSockaddr(constants: FamilyConstants, path: string, out: Buffer): number {
  const bytes = Buffer.from(path, 'utf8');
  const abstract = bytes[0] === 0;
  if (bytes.length + (abstract ? 0 : 1) > SUN_PATH_SIZE) return -1;
  out.fill(0, 0, SOCKADDR_MAX);
  out.writeUInt16LE(constants.AF_UNIX, 0);
  bytes.copy(out, SUN_PATH_OFFSET);
  return SUN_PATH_OFFSET + bytes.length + (abstract ? 0 : 1);
}

/** The path in a sockaddr_un of `length` bytes ('' for an unnamed socket, as a connecting client's is). */
export function decodeLocalSockaddr(data: Uint8Array, length: number): string {
  const path = Buffer.from(data.buffer, data.byteOffset + SUN_PATH_OFFSET, Math.max(0, Math.min(length, SOCKADDR_MAX) - SUN_PATH_OFFSET));
  if (path[0] === 0) return path.toString('utf8');
  const end = path.indexOf(0);
  return path.subarray(0, end < 0 ? path.length : end).toString('utf8');
}
