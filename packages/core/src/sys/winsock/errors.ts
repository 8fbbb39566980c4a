/**
 * Translation of WSA and Win32 error numbers to Node-style codes. Winsock
 * reports WSA codes from synchronous calls and Win32 codes (mapped from
 * NTSTATUS) from overlapped completions, so both spaces are covered here.
 * @module
 */

const table = new Map<number, [code: string, message: string]>([
  // Win32 codes seen in overlapped completions.
  [2, ['ENOENT', 'no such pipe or file']],
  [3, ['ENOENT', 'path not found']],
  [5, ['EACCES', 'access denied']],
  [6, ['EBADF', 'invalid handle']],
  [8, ['ENOMEM', 'not enough memory']],
  [64, ['ECONNRESET', 'the network name is no longer available']],
  [87, ['EINVAL', 'invalid parameter']],
  [109, ['EPIPE', 'broken pipe']],
  [121, ['ETIMEDOUT', 'semaphore timeout']],
  [123, ['ENOENT', 'invalid name']],
  [161, ['ENOENT', 'bad path name']],
  [230, ['EPIPE', 'bad pipe']],
  [231, ['EBUSY', 'every instance of the pipe is busy']],
  [232, ['EPIPE', 'the pipe is being closed']],
  [233, ['EPIPE', 'no process is on the other end of the pipe']],
  [234, ['EMSGSIZE', 'more data is available']],
  [995, ['ECANCELED', 'operation canceled']],
  [1168, ['ENOENT', 'element not found']],
  [1214, ['EADDRNOTAVAIL', 'invalid network name']],
  [1225, ['ECONNREFUSED', 'connection refused']],
  [1226, ['EPIPE', 'graceful disconnect']],
  [1227, ['EADDRINUSE', 'address already associated']],
  [1228, ['ENOTCONN', 'address not associated']],
  [1229, ['ENOTCONN', 'connection invalid']],
  [1231, ['ENETUNREACH', 'network unreachable']],
  [1232, ['EHOSTUNREACH', 'host unreachable']],
  [1233, ['ECONNREFUSED', 'protocol unreachable']],
  [1234, ['ECONNREFUSED', 'port unreachable']],
  [1235, ['ECANCELED', 'request aborted']],
  [1236, ['ECONNABORTED', 'connection aborted']],
  // WSA codes.
  [10004, ['ECANCELED', 'interrupted function call']],
  [10009, ['EBADF', 'bad file descriptor']],
  [10013, ['EACCES', 'permission denied']],
  [10014, ['EFAULT', 'bad address']],
  [10022, ['EINVAL', 'invalid argument']],
  [10024, ['EMFILE', 'too many open sockets']],
  [10035, ['EAGAIN', 'resource temporarily unavailable']],
  [10036, ['EINPROGRESS', 'operation now in progress']],
  [10037, ['EALREADY', 'operation already in progress']],
  [10038, ['ENOTSOCK', 'socket operation on non-socket']],
  [10039, ['EDESTADDRREQ', 'destination address required']],
  [10040, ['EMSGSIZE', 'message too long']],
  [10041, ['EPROTOTYPE', 'protocol wrong type for socket']],
  [10042, ['ENOPROTOOPT', 'bad protocol option']],
  [10043, ['EPROTONOSUPPORT', 'protocol not supported']],
  [10044, ['ESOCKTNOSUPPORT', 'socket type not supported']],
  [10045, ['ENOTSUP', 'operation not supported']],
  [10046, ['EPFNOSUPPORT', 'protocol family not supported']],
  [10047, ['EAFNOSUPPORT', 'address family not supported']],
  [10048, ['EADDRINUSE', 'address already in use']],
  [10049, ['EADDRNOTAVAIL', 'address not available']],
  [10050, ['ENETDOWN', 'network is down']],
  [10051, ['ENETUNREACH', 'network is unreachable']],
  [10052, ['ENETRESET', 'network dropped connection on reset']],
  [10053, ['ECONNABORTED', 'software caused connection abort']],
  [10054, ['ECONNRESET', 'connection reset by peer']],
  [10055, ['ENOBUFS', 'no buffer space available']],
  [10056, ['EISCONN', 'socket is already connected']],
  [10057, ['ENOTCONN', 'socket is not connected']],
  [10058, ['EPIPE', 'cannot send after socket shutdown']],
  [10060, ['ETIMEDOUT', 'connection timed out']],
  [10061, ['ECONNREFUSED', 'connection refused']],
  [10063, ['ENAMETOOLONG', 'name too long']],
  [10064, ['EHOSTDOWN', 'host is down']],
  [10065, ['EHOSTUNREACH', 'no route to host']],
  [10091, ['ENETDOWN', 'network subsystem is unavailable']],
  [10093, ['EINVAL', 'WSAStartup not yet performed']],
  [10101, ['EPIPE', 'graceful shutdown in progress']],
  [10109, ['ESOCKTNOSUPPORT', 'class type not found']],
]);

/** Node-style code for a WSA / Win32 error number (`UNKNOWN` if unmapped). */
export function wsaErrorCode(code: number): string {
  return table.get(code)?.[0] ?? 'UNKNOWN';
}

/** Short description of a WSA / Win32 error number. */
export function wsaErrorMessage(code: number): string {
  return table.get(code)?.[1] ?? `Windows error ${code}`;
}
