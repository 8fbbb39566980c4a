// Sets up a fresh clone with nothing but Node.js and npm: a pinned pnpm in a
// local tools folder, the workspace dependencies, and the build.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun } from './process.mjs';

export const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const cacheDir = join(root, '.cache');

function pnpmVersion() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return pkg.packageManager.split('@')[1];
}

/** Path of the pinned pnpm's entry script, installed on first use. */
export function ensurePnpm() {
  const version = pnpmVersion();
  const toolsDir = join(cacheDir, 'tools');
  const entry = join(toolsDir, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  const installed = existsSync(entry) && JSON.parse(readFileSync(join(toolsDir, 'node_modules', 'pnpm', 'package.json'), 'utf8')).version === version;
  if (!installed) {
    mustRun('npm', ['install', '--prefix', toolsDir, '--no-audit', '--no-fund', '--no-save', `pnpm@${version}`]);
  }
  return entry;
}

export function pnpm(args) {
  mustRun(process.execPath, [ensurePnpm(), ...args], { cwd: root });
}

/**
 * Installs dependencies (from the lockfile) and builds every package. With
 * `declarations: false`, the code only (see tsup.stage.ts): the caller then
 * builds the declarations itself, with {@link declarationsCommand}.
 */
export function setup({ declarations = true } = {}) {
  pnpm(['install', '--frozen-lockfile']);
  if (declarations) {
    pnpm(['-r', 'run', 'build']);
  } else {
    process.env.WSALOOP_BUILD = 'js';
    pnpm(['-r', 'run', 'build']);
    delete process.env.WSALOOP_BUILD;
  }
}

/** A shell command that builds the packages' declarations into the dist folders the code build made. */
export function declarationsCommand() {
  return `WSALOOP_BUILD=dts '${process.execPath}' '${ensurePnpm()}' -r --filter './packages/**' run build`;
}
