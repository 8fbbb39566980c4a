import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { bench: 'src/bench.ts', server: 'src/server.ts', load: 'src/load.ts', 'http-bench': 'src/http-bench.ts', 'http-server': 'src/http-server.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: true,
  external: [/^@wsaloop\//],
});
