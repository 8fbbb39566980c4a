import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { bench: 'src/bench.ts', server: 'src/server.ts', load: 'src/load.ts', 'churn-load': 'src/churn-load.ts', reliability: 'src/reliability.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: true,
  external: [/^@wsaloop\//],
});
