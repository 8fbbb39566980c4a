import { describe, expect, it } from 'vitest';
import { createLoop } from '@wsaloop/core';

describe('iouring backend off Linux', () => {
  it('fails at once with an error that says it needs Linux', () => {
    expect(() => createLoop({ backend: 'iouring' })).toThrow(
      expect.objectContaining({ code: 'ERR_WSALOOP_BACKEND_UNSUPPORTED', message: expect.stringMatching(/needs Linux/) }),
    );
  });
});
