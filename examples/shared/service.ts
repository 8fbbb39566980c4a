/**
 * What makes an example server behave like a real service. It runs until a
 * signal asks it to stop, never until end of stdin: a service manager,
 * `nohup`, a container or a CI step starts it with stdin closed or
 * /dev/null. A startup failure is one line on stderr and a non-zero exit,
 * not a stack trace.
 */

/**
 * Signals that stop a server: Ctrl+C (SIGINT), a service manager (SIGTERM),
 * a closed terminal (SIGHUP; on Windows also a closed console window), and
 * Ctrl+Break (SIGBREAK, Windows only).
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * Calls `stop` once on the first stop signal. A second signal while stopping
 * exits at once, so a stuck shutdown can always be interrupted.
 */
export function onStopSignal(stop: (signal: string) => void): void {
  let stopping = false;
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      stopping = true;
      stop(signal);
    });
  }
}

/** Plain words for the errors a server meets at startup. */
const DESCRIPTIONS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
  EAFNOSUPPORT: 'address family not supported',
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  ETIMEDOUT: 'timed out',
};

/** One line saying what went wrong: `address already in use (EADDRINUSE)`. */
export function describeError(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && DESCRIPTIONS[code]) return `${DESCRIPTIONS[code]} (${code})`;
  const text = typeof message === 'string' && message ? message.split('\n')[0]! : String(error);
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}

/** Prints `cannot <what>: <reason>` and exits with status 1. */
export function failStartup(what: string, error: unknown): never {
  console.error(`cannot ${what}: ${describeError(error)}`);
  process.exit(1);
}

/** Runs one startup step; if it throws, fails the startup with one line. */
export function startupStep<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    failStartup(what, error);
  }
}

/** {@link startupStep} for a step that completes later. */
export async function startupStepAsync<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    failStartup(what, error);
  }
}
