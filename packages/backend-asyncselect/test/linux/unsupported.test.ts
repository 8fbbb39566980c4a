import { describe, expect, it } from 'vitest';
import { createLoop } from '@wsaloop/core';

describe('asyncselect backend off Windows', () => {
  it('fails at once with an error that says it needs Windows', () => {
    expect(() => createLoop({ backend: 'asyncselect' })).toThrow(
      expect.objectContaining({ code: 'ERR_WSALOOP_BACKEND_UNSUPPORTED', message: expect.stringMatching(/needs Windows/) }),
    );
  });
});
