/**
 * `createLoop`: picks a backend by name (the package `@wsaloop/backend-<name>`),
 * by object, by the `WSALOOP_BACKEND` environment variable, or by platform
 * default, and builds a {@link Loop} over it.
 * @module
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Backend, BackendModule, BackendOptions } from '../backend/backend.js';
import { Loop } from './loop.js';

/** Options of {@link createLoop}. Keys other than `backend` go to the backend's factory. */
export interface LoopOptions {
  /**
   * A backend name (`'select'`, `'iocp'`, ...: the installed package
   * `@wsaloop/backend-<name>`) or a backend object. Default: the
   * `WSALOOP_BACKEND` environment variable, else the platform's best
   * installed backend.
   */
  backend?: string | Backend;
  /** Backend-specific options, e.g. `notify` for `overlapped`. */
  [option: string]: unknown;
}

/** Best-first backend preference of each platform. */
const PREFERENCE: Record<string, readonly string[]> = {
  win32: ['iocp', 'eventselect', 'overlapped', 'asyncselect', 'select'],
  linux: ['epoll', 'select'],
};

/** Package name of the backend called `name`. */
export function backendPackage(name: string): string {
  return `@wsaloop/backend-${name}`;
}

/** Thrown when a named backend's package is not installed. */
export class BackendNotInstalledError extends Error {
  /** Always `ERR_WSALOOP_BACKEND_NOT_INSTALLED`. */
  readonly code = 'ERR_WSALOOP_BACKEND_NOT_INSTALLED';
  /** The package that would provide the backend. */
  readonly packageName: string;
  constructor(name: string) {
    const pkg = backendPackage(name);
    super(`wsaloop backend '${name}' is not installed: add the package ${pkg} (npm install ${pkg})`);
    this.name = 'BackendNotInstalledError';
    this.packageName = pkg;
  }
}

/** Places a backend package may be installed: beside the app, the working directory, and core. */
function resolvers(): NodeRequire[] {
  const bases = [process.argv[1], join(process.cwd(), 'noop.js'), import.meta.url].filter((b): b is string => !!b);
  return bases.map((base) => createRequire(base));
}

function findBackend(name: string): string | null {
  for (const r of resolvers()) {
    try {
      return r.resolve(backendPackage(name));
    } catch {
      // not installed relative to this base
    }
  }
  return null;
}

/** Loads the backend package `name` synchronously. */
function loadBackend(name: string): BackendModule {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new TypeError(`The "backend" option must be a backend name such as 'select' or 'iocp', received '${name}'`);
  }
  const path = findBackend(name);
  if (!path) throw new BackendNotInstalledError(name);
  const mod = createRequire(import.meta.url)(path) as Partial<BackendModule>;
  if (typeof mod.createBackend !== 'function') {
    throw new TypeError(`${backendPackage(name)} does not export createBackend()`);
  }
  return mod as BackendModule;
}

/** The backend `createLoop` uses when none is named: the platform's best installed one. */
export function defaultBackendName(): string {
  const env = process.env.WSALOOP_BACKEND;
  if (env) return env;
  for (const name of PREFERENCE[process.platform] ?? ['select']) if (findBackend(name)) return name;
  return 'select';
}

function checkBackend(value: unknown): Backend {
  const b = value as Partial<Backend> | null;
  if (!b || (b.kind !== 'reactor' && b.kind !== 'proactor') || typeof b.poll !== 'function' || typeof b.wake !== 'function') {
    throw new TypeError('The "backend" option must be a backend name or an object implementing Reactor or Proactor');
  }
  return b as Backend;
}

/**
 * Creates an event loop. Synchronous: the backend package is loaded with
 * `require`.
 * @throws BackendNotInstalledError when the named backend's package is missing;
 *   `BackendUnsupportedError` when the backend cannot run on this platform;
 *   TypeError for a malformed option.
 */
export function createLoop(options: LoopOptions = {}): Loop {
  if (typeof options !== 'object' || options === null) throw new TypeError('The "options" argument must be an object');
  const { backend, ...rest } = options;
  if (backend !== undefined && typeof backend !== 'string' && typeof backend !== 'object') {
    throw new TypeError('The "backend" option must be a backend name or a backend object');
  }
  const chosen = backend ?? defaultBackendName();
  const instance = typeof chosen === 'string' ? loadBackend(chosen).createBackend(rest as BackendOptions) : chosen;
  return new Loop(checkBackend(instance));
}
