import { defineConfig } from 'tsup';
import { staged } from '../../tsup.stage.js';

export default defineConfig(
  staged({
    entry: {
      index: 'src/index.ts',
      backend: 'src/backend.ts',
      winsock: 'src/winsock.ts',
      posix: 'src/posix.ts',
      // The accept thread of AcceptThread, likewise.
      'accept-thread-worker': 'src/threads/accept-thread-worker.ts',
      'server-pool-worker': 'src/threads/server-pool-worker.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    // One copy of shared module state (the Winsock library, error classes) per format.
    splitting: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    // import.meta.url in the CommonJS build (backend resolution uses it).
    shims: true,
  }),
);
