/**
 * Errors raised by wsaloop. Every failure of a socket or loop operation is a
 * {@link WsaloopError} with a Node-style `code`; bad arguments are plain
 * `TypeError` / `RangeError` thrown at the call site.
 * @module
 */

/** Fields shared by every operational error wsaloop reports. */
export interface WsaloopErrorInfo {
  /** Node-style error code, e.g. `ECONNREFUSED`. */
  code: string;
  /** The native error number: a WSA / Win32 code on Windows, an errno on POSIX. */
  errno?: number | undefined;
  /** The call that failed, e.g. `connect`. */
  syscall?: string | undefined;
  /** Remote or local address involved, when there is one. */
  address?: string | undefined;
  /** Port involved, when there is one. */
  port?: number | undefined;
}

/**
 * An operational error with a Node-style `code`, shaped like Node's own
 * system errors so existing `err.code === 'ECONNRESET'` checks keep working.
 */
export class WsaloopError extends Error implements WsaloopErrorInfo {
  /** Node-style error code, e.g. `ECONNREFUSED`. */
  readonly code: string;
  /** Native error number (WSA / Win32 code on Windows, errno on POSIX). */
  readonly errno: number | undefined;
  /** The WSA or Win32 error number when the error came from Windows. */
  readonly wsaError: number | undefined;
  /** The call that failed. */
  readonly syscall: string | undefined;
  /** Address involved, when there is one. */
  readonly address: string | undefined;
  /** Port involved, when there is one. */
  readonly port: number | undefined;

  constructor(message: string, info: WsaloopErrorInfo & { wsaError?: number | undefined }) {
    super(message);
    this.name = 'WsaloopError';
    this.code = info.code;
    this.errno = info.errno;
    this.wsaError = info.wsaError;
    this.syscall = info.syscall;
    this.address = info.address;
    this.port = info.port;
  }
}

/** Builds an error with no native origin (state errors such as `EBADF` after close). */
export function stateError(code: string, syscall: string, detail?: string): WsaloopError {
  return new WsaloopError(`${syscall} ${code}${detail ? `: ${detail}` : ''}`, { code, syscall });
}

/** `ECANCELED`: reported to callbacks whose operation was cut short by a close. */
export function canceledError(syscall: string): WsaloopError {
  return stateError('ECANCELED', syscall, 'operation canceled');
}
