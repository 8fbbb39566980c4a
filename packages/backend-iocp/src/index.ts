/**
 * `@wsaloop/backend-iocp`: a Proactor over I/O completion ports, the fastest
 * way to drive sockets on Windows.
 *
 * ```ts
 * const loop = createLoop({ backend: 'iocp', acceptsAhead: 32, zeroByteReads: false });
 * ```
 * @module @wsaloop/backend-iocp
 */
import { BackendUnsupportedError, type BackendOptions, checkBackendOptions, type Proactor } from '@wsaloop/core/backend';
import { IOCP_OPTION_NAMES, IocpProactor, type IocpOptions } from './iocp-proactor.js';

export { IocpProactor, type IocpOptions } from './iocp-proactor.js';

/** Names of the options the iocp backend accepts (see {@link IocpOptions}). */
export const knownOptions: readonly string[] = IOCP_OPTION_NAMES;

/**
 * Creates a completion-port proactor for one loop.
 * @throws BackendUnsupportedError when not running on Windows;
 *   UnknownBackendOptionError (a TypeError) for an option not in
 *   {@link knownOptions}; RangeError for an out-of-range value.
 */
export function createBackend(options: BackendOptions = {}): Proactor {
  if (process.platform !== 'win32') {
    throw new BackendUnsupportedError('the iocp backend needs Windows (I/O completion ports); use the select backend on this platform');
  }
  checkBackendOptions('iocp', options, knownOptions);
  return new IocpProactor(options as IocpOptions);
}
