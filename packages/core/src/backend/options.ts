/**
 * Backend options are checked against the names each backend declares, so a
 * misspelt or misplaced option fails loudly instead of being dropped while a
 * deployment believes it tuned something.
 * @module
 */
import type { BackendOptions } from './backend.js';

/**
 * Thrown when a backend is given an option it does not know. A TypeError,
 * like every malformed argument; the message names the backend's options.
 */
export class UnknownBackendOptionError extends TypeError {
  /** Always `ERR_WSALOOP_UNKNOWN_BACKEND_OPTION`. */
  readonly code = 'ERR_WSALOOP_UNKNOWN_BACKEND_OPTION';
  /** The backend's name. */
  readonly backend: string;
  /** The option it does not know. */
  readonly option: string;
  /** The options it knows. */
  readonly knownOptions: readonly string[];

  constructor(backend: string, option: string, knownOptions: readonly string[]) {
    const near = knownOptions.find((k) => k.toLowerCase() === option.toLowerCase());
    const hint = near ? ` (did you mean "${near}"?)` : '';
    const list = knownOptions.length > 0 ? `its options are ${knownOptions.map((k) => `"${k}"`).join(', ')}` : 'it takes no options';
    super(`The ${backend} backend has no "${option}" option${hint}: ${list}`);
    this.name = 'UnknownBackendOptionError';
    this.backend = backend;
    this.option = option;
    this.knownOptions = knownOptions;
  }
}

/**
 * Checks that every option given to a backend is one it declares. An option
 * whose value is `undefined` counts as absent.
 * @param backend The backend's name, for the message.
 * @param options What the backend's factory received.
 * @param knownOptions The names the backend accepts.
 * @throws UnknownBackendOptionError (a TypeError) naming the first unknown option and every known one.
 */
export function checkBackendOptions(backend: string, options: BackendOptions, knownOptions: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (options[key] !== undefined && !knownOptions.includes(key)) throw new UnknownBackendOptionError(backend, key, knownOptions);
  }
}
