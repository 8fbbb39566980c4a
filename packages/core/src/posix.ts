/**
 * `@wsaloop/core/posix`: the libc bindings and Linux constants used to run
 * wsaloop natively on Linux.
 * @module @wsaloop/core/posix
 */
export { libc, errno, type Libc } from './sys/posix/library.js';
export { addressOf, writePointer, writeSize } from './sys/posix/pointers.js';
export * as PosixConstants from './sys/posix/constants.js';
export * as IoUringAbi from './sys/posix/io-uring.js';
export { errnoCode, errnoMessage } from './sys/posix/errors.js';
export { NodeLoopWait, NodeLoopWatch, type NodeLoopWatchListener } from './sys/posix/node-loop-wait.js';
