import { describe, expect, it } from 'vitest';
import { wsaErrorCode, wsaErrorMessage } from '../src/sys/winsock/errors.js';

describe('WSA / Win32 error map', () => {
  it('maps the Winsock codes apps check for', () => {
    expect(wsaErrorCode(10061)).toBe('ECONNREFUSED');
    expect(wsaErrorCode(10054)).toBe('ECONNRESET');
    expect(wsaErrorCode(10048)).toBe('EADDRINUSE');
    expect(wsaErrorCode(10060)).toBe('ETIMEDOUT');
    expect(wsaErrorCode(10035)).toBe('EAGAIN');
    expect(wsaErrorCode(10058)).toBe('EPIPE');
    expect(wsaErrorCode(10038)).toBe('ENOTSOCK');
  });

  it('maps the Win32 codes overlapped completions report', () => {
    expect(wsaErrorCode(995)).toBe('ECANCELED');
    expect(wsaErrorCode(1225)).toBe('ECONNREFUSED');
    expect(wsaErrorCode(64)).toBe('ECONNRESET');
    expect(wsaErrorCode(1236)).toBe('ECONNABORTED');
    expect(wsaErrorCode(121)).toBe('ETIMEDOUT');
  });

  it('says UNKNOWN for codes it does not know, with the number in the message', () => {
    expect(wsaErrorCode(123456)).toBe('UNKNOWN');
    expect(wsaErrorMessage(123456)).toContain('123456');
  });
});
