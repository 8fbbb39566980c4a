/**
 * `server.listen()`'s argument forms, read as node:net reads them:
 * `(port?, host?, backlog?, cb?)`, `(path, backlog?, cb?)`, `(options, cb?)`;
 * a missing or null port means any free port; fds and handles are refused
 * with a clear error.
 * @module
 */
import { checkPort, isPipeName } from './arguments.js';
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
  /** A pipe to listen on instead of a port: a Unix domain socket's path on Linux. */
  path?: string;
  /** Makes the pipe readable by every user (adds read permission for all to its file). */
  readableAll?: boolean;
  /** Makes the pipe writable by every user, so anyone can connect (adds write permission for all). */
  writableAll?: boolean;
  /** Closes the server when aborted. */
  signal?: AbortSignal;
}

/** What listen() was asked for: a port, or a pipe's path. */
export interface ListenRequest {
  options: ListenOptions & Record<string, unknown>;
  port: number;
  path?: string;
  backlog: number;
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
  else if (isPipeName(first)) options = { path: first };
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
  // As node:net: a port wins over a path.
  if (options.path && isPipeName(options.path)) {
    return { options, port: 0, path: options.path, backlog: Number(options.backlog || backlogFromArgs || 511) };
  }
  if (!('port' in options || 'path' in options)) {
    throw invalidArgValue('options', options, 'must have the property "port" or "path"');
  }
  throw invalidArgValue('options', options);
}
