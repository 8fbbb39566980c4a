/**
 * TCP handles: listening servers and connected streams, named by IP address
 * and port. The stream itself is {@link StreamHandle}'s, shared with pipes.
 * @module
 */
import { stateError } from '../errors.js';
import type { StreamChannel } from '../io/channel.js';
import type { Loop } from './loop.js';
import { nativeError } from '../sys/platform.js';
import type { SocketAddress } from '../sys/sockaddr.js';
import { checkHostName, checkPort } from '../net/arguments.js';
import type { OperationCallback } from '../net/completion.js';
import { resolveHost } from '../net/resolve.js';
import type { BindOptions } from './socket-handle.js';
import { StreamHandle, type StreamConnectionCallback, type StreamEvents } from './stream-handle.js';


/** Events of a {@link Tcp} handle. */
export type TcpEvents = StreamEvents<Tcp>;

/** Connection callback of {@link Tcp.listen}. */
export type ConnectionCallback = StreamConnectionCallback<Tcp>;

/**
 * A TCP socket: create with {@link Loop.tcp}.
 *
 * `close()` cancels writes still queued (their callbacks see `ECANCELED`,
 * their bytes may never be sent), as `uv_close` does: to end a connection
 * after the last write, {@link Tcp.shutdown} first and close in its callback.
 */
export class Tcp extends StreamHandle<Tcp> {
  /** Always `'tcp'`. */
  readonly type = 'tcp' as const;

  /** @internal Use {@link Loop.tcp}. */
  constructor(loop: Loop) {
    super(loop);
  }

  protected acceptedClient(channel: StreamChannel): Tcp {
    const tcp = new Tcp(this.loop);
    tcp.setConnected(channel);
    return tcp;
  }

  protected bindForListen(): void {
    this.bind('0.0.0.0', 0);
  }

  /**
   * Binds to `host:port` (an IP literal; port 0 picks a free port).
   * @throws TypeError / RangeError for a bad host or port; WsaloopError (e.g. `EADDRINUSE`) if the bind fails.
   */
  bind(host: string, port: number, options: BindOptions = {}): this {
    return this.bindIp(host, port, options);
  }

  /**
   * The local address.
   * @throws WsaloopError `EBADF` before bind/connect or after close.
   */
  address(): SocketAddress {
    return this.ipAddress();
  }

  /**
   * Connects to `host:port`. `host` may be an IP literal or a name (resolved
   * with `dns.lookup`, off the main thread).
   * @returns A Promise when no callback is given.
   * @throws TypeError / RangeError for a bad host, port or callback.
   */
  connect(host: string, port: number, callback: OperationCallback): void;
  connect(host: string, port: number): Promise<void>;
  connect(host: string, port: number, callback?: OperationCallback): Promise<void> | void {
    checkHostName(host);
    checkPort(port);
    return this.connectWith(callback, (finish) => {
      // A literal resolves at once (this call); a name after a lookup.
      resolveHost(host, (err, resolved) => {
        if (this.isClosing()) return finish(stateError('ECANCELED', 'connect', 'handle closed during lookup'));
        if (err) return finish(stateError(err.code ?? 'ENOTFOUND', 'getaddrinfo', host));
        const { address, length } = this.sockaddr(resolved!.host, resolved!.family, port);
        this.connectTo(resolved!.family, address, length, finish, resolved!.host, port);
      });
    });
  }

  /** Enables or disables Nagle's algorithm (`TCP_NODELAY`). */
  setNoDelay(enable = true): this {
    this.setOption('noDelay', enable ? 1 : 0, 'setsockopt');
    return this;
  }

  /**
   * Enables or disables TCP keep-alive probes, starting after `initialDelayMs` of idleness.
   * @throws RangeError for a negative delay.
   */
  setKeepAlive(enable = true, initialDelayMs = 60_000): this {
    if (typeof initialDelayMs !== 'number' || !(initialDelayMs >= 0)) {
      throw new RangeError(`The "initialDelayMs" argument must be >= 0, received ${String(initialDelayMs)}`);
    }
    const rc = this.boundChannel('setsockopt').setKeepAlive(enable, initialDelayMs);
    if (rc < 0) throw nativeError(rc, 'setsockopt');
    return this;
  }

  /** The peer's address. @throws WsaloopError `ENOTCONN` when not connected. */
  remoteAddress(): SocketAddress {
    return this.readAddress('getpeername', (channel, out) => channel.peerAddress(out));
  }
}
