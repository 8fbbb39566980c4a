import { describe, expect, it } from 'vitest';
import { decodeLocalSockaddr, decodeSockaddr, encodeLocalSockaddr, encodeSockaddr, familyOf, formatIPv6, parseIPv6, SOCKADDR_MAX, sockaddrFamily } from '../src/sys/sockaddr.js';

const windows = { AF_INET: 2, AF_INET6: 23, AF_UNIX: 1 };
const linux = { AF_INET: 2, AF_INET6: 10, AF_UNIX: 1 };

describe('sockaddr codec', () => {
  it('encodes sockaddr_in in network order', () => {
    const out = Buffer.alloc(SOCKADDR_MAX);
    expect(encodeSockaddr(windows, 'ipv4', '192.168.1.20', 8080, out)).toBe(16);
    expect([...out.subarray(0, 8)]).toEqual([2, 0, 0x1f, 0x90, 192, 168, 1, 20]);
    expect(decodeSockaddr(windows, out)).toEqual({ address: '192.168.1.20', family: 'IPv4', port: 8080 });
  });

  it('encodes sockaddr_in6 with the platform AF_INET6 and scope id', () => {
    for (const platform of [windows, linux]) {
      const out = Buffer.alloc(SOCKADDR_MAX);
      expect(encodeSockaddr(platform, 'ipv6', 'fe80::1%7', 443, out)).toBe(28);
      expect(out.readUInt16LE(0)).toBe(platform.AF_INET6);
      expect(out.readUInt16BE(2)).toBe(443);
      expect(out.readUInt32LE(24)).toBe(7);
      expect(decodeSockaddr(platform, out)).toEqual({ address: 'fe80::1', family: 'IPv6', port: 443 });
    }
  });

  it('round-trips IPv6 text in the canonical form Node prints', () => {
    const cases: Array<[string, string]> = [
      ['::', '::'],
      ['::1', '::1'],
      ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
      ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
      ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
      ['1::', '1::'],
      ['1:0:2:0:0:3:0:4', '1:0:2::3:0:4'],
    ];
    for (const [input, canonical] of cases) {
      const bytes = new Uint8Array(16);
      parseIPv6(input, bytes);
      expect(formatIPv6(bytes)).toBe(canonical);
    }
  });

  it('tells address families apart', () => {
    expect(familyOf('127.0.0.1')).toBe('ipv4');
    expect(familyOf('::1')).toBe('ipv6');
    expect(familyOf('fe80::1%3')).toBe('ipv6');
    expect(familyOf('example.com')).toBeNull();
    expect(familyOf('300.1.1.1')).toBeNull();
  });

  it('returns null for non-IP families', () => {
    const out = Buffer.alloc(SOCKADDR_MAX);
    out.writeUInt16LE(1, 0); // AF_UNIX
    expect(decodeSockaddr(linux, out)).toBeNull();
    expect(sockaddrFamily(linux, out)).toBe('unix');
  });

  it('encodes sockaddr_un: a path with its NUL, an abstract name without, at most 107 bytes of path', () => {
    const out = Buffer.alloc(SOCKADDR_MAX);
    expect(encodeLocalSockaddr(linux, '/run/app.sock', out)).toBe(2 + 13 + 1);
    expect(out.readUInt16LE(0)).toBe(1);
    expect(out.subarray(2, 16).toString('latin1')).toBe('/run/app.sock\0');
    expect(decodeLocalSockaddr(out, 16)).toBe('/run/app.sock');
    // The kernel may report a path socket's length with trailing bytes: the path ends at its NUL.
    expect(decodeLocalSockaddr(out, SOCKADDR_MAX)).toBe('/run/app.sock');
    expect(encodeLocalSockaddr(linux, '\0wsaloop', out)).toBe(2 + 8);
    expect(decodeLocalSockaddr(out, 10)).toBe('\0wsaloop');
    expect(encodeLocalSockaddr(linux, 'x'.repeat(107), out)).toBe(110);
    expect(encodeLocalSockaddr(linux, 'x'.repeat(108), out)).toBe(-1);
    // A client's unnamed end: the family alone.
    expect(decodeLocalSockaddr(out, 2)).toBe('');
  });
});
