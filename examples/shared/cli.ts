/**
 * Tiny argument parser shared by the examples: `--name value` pairs. Flags
 * the example does not know are passed to the backend as options (so
 * `--notify routine` reaches the overlapped backend). `--help` (or `-h`)
 * prints the example's flags and the backends' options, and exits.
 */
import { createRequire } from 'node:module';
import { defaultBackendName } from '@wsaloop/core';

export interface ParsedArgs {
  values: Map<string, string>;
}

/** One flag an example takes, as `--help` shows it. */
export interface FlagHelp {
  /** The flag and its value, e.g. `--port N`. */
  flag: string;
  /** What it does, and its default. */
  help: string;
}

/** `--backend NAME`, as every example that takes it shows it. */
export const BACKEND_FLAG: FlagHelp = { flag: '--backend NAME', help: 'the backend (default: WSALOOP_BACKEND, else the best installed one)' };

/** `--host HOST` and `--port N` of a server listening on `defaultPort` by default. */
export function listenFlags(defaultPort: number): FlagHelp[] {
  return [
    { flag: '--host HOST', help: 'address to listen on (default 127.0.0.1)' },
    { flag: '--port N', help: `port to listen on, 0 for any (default ${defaultPort})` },
  ];
}

/** `--path NAME` of a server that can listen on a pipe instead of a port. */
export const PATH_FLAG: FlagHelp = {
  flag: '--path NAME',
  help: 'listen on a pipe instead of host and port: a Unix domain socket path on Linux, \\\\.\\pipe\\NAME on Windows',
};

/** `--threads N` of a server that can spread over loops. */
export const THREADS_FLAG: FlagHelp = { flag: '--threads N', help: 'loops, each on a Worker thread of its own (default 1)' };

/** What an example's `--help` prints. */
export interface Usage {
  /** The command, e.g. `node examples/echo-server/dist/echo-server.js`. */
  command: string;
  /** One sentence: what the example does. */
  summary: string;
  flags: readonly FlagHelp[];
  /**
   * Whose options other flags may be: `'any'` (an example with
   * `--backend`), one backend's name (a model server), or null (an example
   * that drives its sockets itself and takes no backend options).
   */
  backends: 'any' | string | null;
}

/** Every backend package of the project, and where it runs. */
const BACKENDS: ReadonlyArray<readonly [name: string, platforms: string]> = [
  ['select', 'Windows, Linux'],
  ['epoll', 'Linux'],
  ['iouring', 'Linux'],
  ['asyncselect', 'Windows'],
  ['eventselect', 'Windows'],
  ['overlapped', 'Windows'],
  ['iocp', 'Windows'],
];

/** The option names backend `name` exports, or null when its package is not installed. */
function backendOptionNames(name: string): readonly string[] | null {
  try {
    const module = createRequire(import.meta.url)(`@wsaloop/backend-${name}`) as { knownOptions?: readonly string[] };
    return module.knownOptions ?? [];
  } catch {
    return null;
  }
}

/** The text `--help` prints for `usage`. */
export function helpText(usage: Usage): string {
  const width = Math.max(...usage.flags.map((f) => f.flag.length), 12) + 2;
  const lines = [`usage: ${usage.command} [flags]${usage.backends ? ' [backend options]' : ''}`, '', usage.summary, '', 'flags:'];
  for (const f of usage.flags) lines.push(`  ${f.flag.padEnd(width)}${f.help}`);
  lines.push(`  ${'--help'.padEnd(width)}print this and exit`);
  if (usage.backends) {
    lines.push('', 'backend options (any other --name value goes to the backend; see README, "Backends"):');
    const shown = usage.backends === 'any' ? BACKENDS : BACKENDS.filter(([name]) => name === usage.backends);
    for (const [name, platforms] of shown) {
      const names = backendOptionNames(name);
      const options = names === null ? '(not installed)' : names.length === 0 ? '(none)' : names.map((n) => `--${n}`).join(' ');
      lines.push(`  ${name.padEnd(12)}${options}  [${platforms}]`);
    }
    if (usage.backends === 'any') lines.push('', `default backend here: ${defaultBackendName()}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Parses `argv`; with `--help` or `-h` anywhere, prints {@link helpText}
 * and exits 0 instead.
 */
export function parseArgs(argv: string[], usage: Usage): ParsedArgs {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText(usage));
    process.exit(0);
  }
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    if (eq > 0) values.set(arg.slice(2, eq), arg.slice(eq + 1));
    else values.set(arg.slice(2), argv[++i] ?? '');
  }
  return { values };
}

/** Backend options: every flag not in `known`. */
export function backendOptions(args: ParsedArgs, known: readonly string[]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of args.values) {
    if (known.includes(key)) continue;
    options[key] = /^\d+$/.test(value) ? Number(value) : value === 'true' ? true : value === 'false' ? false : value;
  }
  return options;
}

export function intArg(args: ParsedArgs, name: string, fallback: number): number {
  const raw = args.values.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${raw}'`);
  return n;
}
