/**
 * Tiny argument parser shared by the examples: `--name value` pairs. Flags
 * the example does not know are passed to the backend as options (so
 * `--notify routine` reaches the overlapped backend).
 */
export interface ParsedArgs {
  values: Map<string, string>;
}

export function parseArgs(argv: string[]): ParsedArgs {
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
