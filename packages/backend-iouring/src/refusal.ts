/**
 * Why io_uring cannot be used here, in words an operator can act on:
 * containers block it with seccomp, distributions switch it off with
 * `kernel.io_uring_disabled`, old kernels lack what the backend needs.
 * @module
 */
import { readFileSync } from 'node:fs';
import { BackendUnsupportedError } from '@wsaloop/core/backend';
import { errnoCode, PosixConstants as C } from '@wsaloop/core/posix';

const { EPERM, ENOMEM, EACCES, EINVAL, ENOSYS } = C;

const FALLBACK = 'use the epoll backend (the default on Linux)';

/** The value of the `kernel.io_uring_disabled` sysctl (Linux 6.6+), or null where the kernel has none. */
function disabledSetting(): number | null {
  try {
    return Number(readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8').trim());
  } catch {
    return null;
  }
}

/**
 * The error `createBackend` throws: which step failed (`setup`, `probe`,
 * `mmap`, a missing `feature` or `operation`), with the errno or the name of
 * what is missing.
 */
export function ringRefusal(step: 'setup' | 'probe' | 'mmap' | 'feature' | 'operation', code: number, missing = ''): BackendUnsupportedError {
  return new BackendUnsupportedError(`io_uring is not available: ${cause(step, code, missing)}; ${FALLBACK}`);
}

function cause(step: string, code: number, missing: string): string {
  if (step === 'feature') return `this kernel's io_uring lacks ${missing} (the backend needs Linux 5.7 or later)`;
  if (step === 'operation') return `this kernel's io_uring does not support ${missing} (the backend needs Linux 5.7 or later)`;
  if (step === 'probe' && code === EINVAL) return 'this kernel cannot list its io_uring operations (IORING_REGISTER_PROBE needs Linux 5.6 or later)';
  const call = step === 'setup' ? 'io_uring_setup' : step === 'probe' ? 'io_uring_register' : 'mmap of the rings';
  const failed = `${call} failed with ${errnoCode(code)}`;
  if (step === 'setup' && (code === EPERM || code === EACCES)) {
    const disabled = disabledSetting();
    if (disabled === 2) return `${failed}: the kernel.io_uring_disabled sysctl is 2 (io_uring switched off for every process)`;
    if (disabled === 1) return `${failed}: the kernel.io_uring_disabled sysctl is 1 (only members of kernel.io_uring_group may create rings)`;
    return `${failed}: a seccomp filter refuses it (container runtimes' default profiles block io_uring)`;
  }
  if (step === 'setup' && code === ENOSYS) return `${failed}: this kernel has no io_uring (built without it, or older than 5.1), or a seccomp filter hides it`;
  if (code === ENOMEM) return `${failed}: no memory for the rings (kernels before 5.12 charge them to RLIMIT_MEMLOCK)`;
  return failed;
}
