import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    backend: 'src/backend.ts',
    winsock: 'src/winsock.ts',
    posix: 'src/posix.ts',
    // Wait threads of the event-group waiter: loaded with new Worker(url).
    'event-wait-thread': 'src/sys/winsock/event-groups/wait-thread.ts',
    // The accept thread of AcceptThread, likewise.
    'accept-thread-worker': 'src/net/accept-thread-worker.ts',
    'server-pool-worker': 'src/net/server-pool-worker.ts',
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
});
