import { describe, expect, it } from 'vitest';
import { createLoop } from '@wsaloop/core';

describe('overlapped backend off Windows', () => {
  for (const notify of ['event', 'routine']) {
    it(`fails at once (${notify}) with an error that says it needs Windows`, () => {
      expect(() => createLoop({ backend: 'overlapped', notify })).toThrow(
        expect.objectContaining({ code: 'ERR_WSALOOP_BACKEND_UNSUPPORTED', message: expect.stringMatching(/needs Windows/) }),
      );
    });
  }
});
