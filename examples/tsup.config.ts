import { defineConfig } from 'tsup';

// Each example builds to <example>/dist/<example>.js, runnable with plain
// `node` (Linux) or Wine's `node.exe`.
const examples = ['echo-server', 'echo-client'];

export default defineConfig(
  examples.map((name) => ({
    entry: { [name]: `${name}/${name}.ts` },
    outDir: `${name}/dist`,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    clean: true,
    sourcemap: true,
    external: [/^@wsaloop\//],
  })),
);
