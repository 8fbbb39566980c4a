/**
 * `@wsaloop/backend-iocp`: a Proactor over I/O completion ports, the fastest
 * way to drive sockets on Windows.
 *
 * ```ts
 * const loop = createLoop({ backend: 'iocp', acceptsAhead: 32, zeroByteReads: false });
 * ```
 * @module @wsaloop/backend-iocp
 */
import { BackendUnsupportedError, type BackendOptions, type Proactor } from '@wsaloop/core/backend';
import { IocpProactor, type IocpOptions } from './iocp-proactor.js';

export { IocpProactor, type IocpOptions } from './iocp-proactor.js';

/**
 * Creates a completion-port proactor for one loop.
 * @throws BackendUnsupportedError when not running on Windows.
 */
export function createBackend(options: BackendOptions = {}): Proactor {
  if (process.platform !== 'win32') {
    throw new BackendUnsupportedError('the iocp backend needs Windows (I/O completion ports); use the select backend on this platform');
  }
  return new IocpProactor(options as IocpOptions);
}
