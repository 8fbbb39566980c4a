import { defineConfig } from 'tsup';

export default defineConfig({
  // echo-loop is loaded by URL on each loop of a `--threads N` server.
  entry: {
    bench: 'src/bench.ts',
    server: 'src/server.ts',
    load: 'src/load.ts',
    'echo-loop': 'src/echo-loop.ts',
    memory: 'src/memory.ts',
    'idle-clients': 'src/idle-clients.ts',
    'heap-diff': 'src/heap-diff.ts',
    'http-bench': 'src/http-bench.ts',
    'http-server': 'src/http-server.ts',
    'http-app': 'src/http-app.ts',
    'churn-load': 'src/churn-load.ts',
    'hostile-load': 'src/hostile-load.ts',
    reliability: 'src/reliability.ts',
    tour: 'src/tour.ts',
    // Runs a model server of examples/models with the control port beside it.
    'tour-server': 'src/tour-server.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: true,
  external: [/^@wsaloop\//],
});
