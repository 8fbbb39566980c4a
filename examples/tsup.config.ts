import { defineConfig } from 'tsup';

// Each example builds to <folder>/dist/<name>.js, runnable with plain
// `node` (Linux) or Wine's `node.exe`.
// The course's seven, and the two Linux models the same servers get there.
const models = ['blocking', 'nonblocking', 'select', 'asyncselect', 'eventselect', 'overlapped', 'iocp', 'epoll', 'iouring'];
const builds: Array<{ folder: string; entry: Record<string, string> }> = [
  // echo-connection is the module each loop of `--threads N` loads by URL.
  { folder: 'echo-server', entry: { 'echo-server': 'echo-server/echo-server.ts', 'echo-connection': 'shared/echo-connection.ts' } },
  { folder: 'echo-client', entry: { 'echo-client': 'echo-client/echo-client.ts' } },
  // app is also what each loop of `--threads N` loads by URL.
  { folder: 'http-server', entry: { 'http-server': 'http-server/http-server.ts', app: 'http-server/app.ts' } },
  {
    folder: 'models',
    entry: Object.fromEntries([
      ...models.map((m) => [`${m}-server`, `models/${m}-server.ts`]),
      ['blocking-thread', 'models/blocking-thread.ts'],
      ['echo-connection', 'shared/echo-connection.ts'],
    ]),
  },
];

export default defineConfig(
  builds.map(({ folder, entry }) => ({
    entry,
    outDir: `${folder}/dist`,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    clean: true,
    sourcemap: true,
    external: [/^@wsaloop\//, 'ws'],
  })),
);
