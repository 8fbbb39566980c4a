/**
 * `@wsaloop/backend-iouring`: a Proactor over Linux io_uring, the
 * completion model in the IOCP mould: operations go into a submission
 * queue, results come back in a completion queue, cancellation is an
 * operation too.
 *
 * ```ts
 * const loop = createLoop({ backend: 'iouring', ringEntries: 4096 });
 * ```
 * @module @wsaloop/backend-iouring
 */
import { BackendUnsupportedError, type BackendOptions, checkBackendOptions, type Proactor } from '@wsaloop/core/backend';
import { IOURING_OPTION_NAMES, IoUringProactor, type IoUringOptions } from './iouring-proactor.js';

export { IoUringProactor, type IoUringOptions } from './iouring-proactor.js';

/** Names of the options the iouring backend accepts (see {@link IoUringOptions}). */
export const knownOptions: readonly string[] = IOURING_OPTION_NAMES;

/**
 * Creates an io_uring proactor for one loop.
 * @throws BackendUnsupportedError when not on Linux, or when the kernel
 *   refuses io_uring (a seccomp filter, `kernel.io_uring_disabled`, a kernel
 *   older than 5.7): the message names the cause;
 *   UnknownBackendOptionError (a TypeError) for an option not in
 *   {@link knownOptions}; RangeError for an out-of-range value.
 */
export function createBackend(options: BackendOptions = {}): Proactor {
  if (process.platform !== 'linux') {
    throw new BackendUnsupportedError('the iouring backend needs Linux; on Windows use iocp, eventselect, overlapped, asyncselect or select');
  }
  checkBackendOptions('iouring', options, knownOptions);
  return new IoUringProactor(options as IoUringOptions);
}
