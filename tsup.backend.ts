import { defineConfig } from 'tsup';
import { staged } from './tsup.stage.js';

/**
 * The build of every backend package: ESM + CJS + .d.ts of src/index.ts, plus
 * any worker-thread scripts the backend loads with `new Worker(url)`. Core is
 * external: a backend uses the app's installed @wsaloop/core.
 */
export function backendBuild(workerScripts: Record<string, string> = {}) {
  return defineConfig(
    staged({
      entry: { index: 'src/index.ts', ...workerScripts },
      format: ['esm', 'cjs'],
      // Worker scripts are loaded by URL, never imported: only index has types.
      dts: { entry: { index: 'src/index.ts' } },
      sourcemap: true,
      clean: true,
      target: 'node20',
      platform: 'node',
      // import.meta.url in the CommonJS build (worker scripts are found with it).
      shims: true,
      external: [/^@wsaloop\//],
    }),
  );
}
