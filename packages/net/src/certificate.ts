/**
 * A throw-away self-signed certificate made in code with node:crypto (an EC
 * P-256 key and a minimal X.509 v3 certificate), for examples and tests that
 * serve TLS: no private key is ever committed, and nothing but Node itself is
 * needed (it works the same under Linux node and Windows node.exe).
 * @module
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

/** Options of {@link selfSignedCertificate}. */
export interface SelfSignedOptions {
  /** Subject and issuer common name (default `'localhost'`). */
  commonName?: string;
  /** DNS names and IP addresses the certificate is valid for (default `['localhost', '127.0.0.1', '::1']`). */
  altNames?: string[];
  /** Days of validity from now (default 30). */
  days?: number;
}

/** A PEM private key and its PEM certificate, ready for `tls.createServer` / `https.createServer`. */
export interface SelfSignedCertificate {
  /** PKCS#8 private key, PEM. */
  key: string;
  /** X.509 certificate, PEM; also usable as the client's `ca`. */
  cert: string;
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let header: Buffer;
  if (n < 0x80) header = Buffer.from([tag, n]);
  else if (n < 0x100) header = Buffer.from([tag, 0x81, n]);
  else header = Buffer.from([tag, 0x82, n >> 8, n & 0xff]);
  return Buffer.concat([header, content]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const base128 = [part & 0x7f];
    for (let v = part >>> 7; v > 0; v >>>= 7) base128.unshift((v & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const two = (n: number): string => String(n).padStart(2, '0');
  const text =
    two(date.getUTCFullYear() % 100) +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    'Z';
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  // IPv6: expand '::' and write eight 16-bit groups.
  const [head = '', tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Makes a new EC P-256 key and a self-signed certificate for it, valid for
 * `localhost`, 127.0.0.1 and ::1 by default. For examples and tests only.
 */
export function selfSignedCertificate(options: SelfSignedOptions = {}): SelfSignedCertificate {
  const commonName = options.commonName ?? 'localhost';
  const altNames = options.altNames ?? ['localhost', '127.0.0.1', '::1'];
  const days = options.days ?? 30;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'));
  const name = sequence(set(sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
  const serial = randomBytes(8);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, and minimal DER (no leading zero byte)
  const now = Date.now();
  const validity = sequence(utcTime(new Date(now - 86_400_000)), utcTime(new Date(now + days * 86_400_000)));
  const sanEntries = altNames.map((n) => (isIP(n) ? tlv(0x87, ipBytes(n)) : tlv(0x82, Buffer.from(n, 'ascii'))));
  const subjectAltName = sequence(oid('2.5.29.17'), tlv(0x04, sequence(...sanEntries)));
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // version v3
    tlv(0x02, serial),
    ecdsaWithSha256,
    name,
    validity,
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, sequence(subjectAltName)),
  );
  const signature = sign('sha256', tbs, privateKey); // DER ECDSA-Sig-Value, as X.509 wants
  const certificate = sequence(tbs, ecdsaWithSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: pem('CERTIFICATE', certificate),
  };
}
