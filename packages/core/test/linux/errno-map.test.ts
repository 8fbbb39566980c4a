import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { errnoCode } from '../../src/sys/posix/errors.js';

describe('errno map', () => {
  it('uses Node names for this platform', () => {
    expect(errnoCode(constants.errno.ECONNREFUSED)).toBe('ECONNREFUSED');
    expect(errnoCode(constants.errno.EAGAIN)).toBe('EAGAIN');
    expect(errnoCode(constants.errno.EPIPE)).toBe('EPIPE');
    expect(errnoCode(99999)).toBe('UNKNOWN');
  });
});
