/**
 * `server.listen()`'s argument forms, read as node:net reads them:
 * `(port?, host?, backlog?, cb?)`, `(options, cb?)`; a missing or null port
 * means any free port; pipes, fds and handles are refused with a clear error.
 * @module
 */
import { checkPort } from './arguments.js';
import { invalidArgValue, notSupported } from './errors.js';

/** Options of {@link Server.listen}. */
export interface ListenOptions {
  /** Port (0, null or omitted: a free port). */
  port?: number | string | null;
  /** Host name or IP address to bind (default `'0.0.0.0'`). */
  host?: string;
  /** Pending-connection queue length (default 511). */
  backlog?: number;
  /** For an IPv6 host: accept IPv6 only (default false: dual-stack). */
  ipv6Only?: boolean;
  /** Closes the server when aborted. */
  signal?: AbortSignal;
}

/** What listen() was asked for. */
export interface ListenRequest {
  options: ListenOptions & Record<string, unknown>;
  port: number;
  backlog: number;
}

/** A string that is not a number names a pipe in node:net. */
function isPipeName(value: unknown): boolean {
  return typeof value === 'string' && !(Number(value) >= 0);
}

/** Number(x) when it is a non-negative number, as node:net's backlog arguments. */
function toNumber(value: unknown): number | false {
  const n = Number(value);
  return n >= 0 ? n : false;
}

/**
 * Reads listen()'s arguments (a trailing callback is left to the caller).
 * @throws RangeError `ERR_SOCKET_BAD_PORT`, TypeError `ERR_INVALID_ARG_VALUE` as node:net.
 */
export function listenArguments(args: unknown[]): ListenRequest {
  const first = args[0];
  let options: ListenOptions & Record<string, unknown>;
  if (typeof first === 'object' && first !== null) options = first as ListenOptions & Record<string, unknown>;
  else if (isPipeName(first)) throw notSupported('path', first, 'pipes and Unix sockets');
  else {
    options = { port: first as number };
    if (args.length > 1 && typeof args[1] === 'string') options.host = args[1];
  }
  if ('_handle' in options || (options.handle !== undefined && options.handle !== null)) {
    throw notSupported('handle', options, 'listening on a native handle');
  }
  if (typeof options.fd === 'number' && options.fd >= 0) throw notSupported('options.fd', options.fd, 'file descriptors');
  const backlogFromArgs = toNumber(args.length > 1 && args[1]) || toNumber(args.length > 2 && args[2]);
  const anyPort =
    args.length === 0 || typeof first === 'function' || (options.port === undefined && 'port' in options) || options.port === null;
  const port = anyPort ? 0 : options.port;
  if (typeof port === 'number' || typeof port === 'string') {
    return { options, port: checkPort(port, 'options.port'), backlog: Number(options.backlog || backlogFromArgs || 511) };
  }
  if (options.path && isPipeName(options.path)) throw notSupported('options.path', options.path, 'pipes and Unix sockets');
  if (!('port' in options || 'path' in options)) {
    throw invalidArgValue('options', options, 'must have the property "port" or "path"');
  }
  throw invalidArgValue('options', options);
}
