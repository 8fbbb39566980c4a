/**
 * What TCP, pipe and UDP handles share: opening a channel (a socket the io
 * layer owns) for the family their first bind/connect asks for, binding, and
 * reading addresses. Handles never touch a native socket themselves.
 * @module
 */
import { stateError, type WsaloopError } from '../errors.js';
import { Handle, type HandleEvents } from './handle.js';
import type { Loop } from './loop.js';
import { nativeError } from '../sys/platform.js';
import { decodeSockaddr, encodeSockaddr, SOCKADDR_MAX, type SocketAddress } from '../sys/sockaddr.js';
import type { AddressFamily, IpFamily, SocketOption } from '../sys/socket-api.js';
import type { SocketChannel } from '../io/channel.js';
import { checkIpHost, checkPort } from '../net/arguments.js';

/** Options of `bind`. */
export interface BindOptions {
  /** For IPv6 addresses: accept IPv6 only (default false: dual-stack, as libuv). */
  ipv6Only?: boolean;
  /** Allow several sockets on the same address (UDP multicast receivers). */
  reuseAddress?: boolean;
}

/** Events shared by socket handles. */
export interface SocketHandleEvents extends HandleEvents {
  /** An error not tied to a call's callback (a read or accept failure). */
  error: [error: WsaloopError];
}

/**
 * Base of {@link Tcp}, {@link Pipe} and {@link Udp}. The IP helpers
 * (`bindIp`, `ipAddress`) serve the two IP handles, which name their own
 * public `bind` and `address`: a pipe is named by a path instead.
 */
export abstract class SocketHandleBase<Events extends SocketHandleEvents, Channel extends SocketChannel = SocketChannel> extends Handle<Events> {
  /** @internal The socket, once the first bind/connect/open made one. */
  protected channel: Channel | null = null;

  protected constructor(loop: Loop) {
    super(loop);
  }

  /** The native socket (SOCKET or fd), or -1 before bind/connect. */
  get fd(): number {
    return this.channel?.fd ?? -1;
  }

  /** @internal The family of the socket, or null before there is one. */
  protected get family(): AddressFamily | null {
    return this.channel?.family ?? null;
  }

  /** Opens this handle's kind of channel through the loop's io: the channel, or a negated error. */
  protected abstract openChannel(family: AddressFamily, ipv6Only: boolean): Channel | number;

  /**
   * Opens the socket for `family` if there is none yet, and returns it.
   * @throws WsaloopError if the socket cannot be created or the family differs.
   */
  protected ensureSocket(family: AddressFamily, syscall: string, options?: BindOptions): Channel {
    if (this.channel) {
      if (this.channel.family !== family) throw stateError('EINVAL', syscall, `socket is ${this.channel.family}, address is ${family}`);
      return this.channel;
    }
    const channel = this.openChannel(family, options?.ipv6Only === true);
    if (typeof channel === 'number') throw nativeError(channel, 'socket');
    this.channel = channel;
    return channel;
  }

  /**
   * Binds to `host:port` (an IP literal; port 0 picks a free port): the
   * public `bind` of the IP handles.
   * @throws TypeError / RangeError for a bad host or port; WsaloopError (e.g. `EADDRINUSE`) if the bind fails.
   */
  protected bindIp(host: string, port: number, options: BindOptions): this {
    this._assertOpen('bind');
    const target = checkIpHost(host);
    checkPort(port);
    const channel = this.ensureSocket(target.family, 'bind', options);
    if (options.reuseAddress) channel.setOption('reuseAddress', 1);
    const { address, length } = this.sockaddr(target.host, target.family, port);
    const rc = channel.bind(address, length);
    if (rc < 0) throw nativeError(rc, 'bind', target.host, port);
    return this;
  }

  /**
   * The local IP address: the public `address` of the IP handles.
   * @throws WsaloopError `EBADF` before bind/connect or after close.
   */
  protected ipAddress(): SocketAddress {
    return this.readAddress('getsockname', (channel, out) => channel.localAddress(out));
  }

  /** An IP address read with `read` (the local or the peer's). */
  protected readAddress(syscall: string, read: (channel: Channel, out: Buffer) => number): SocketAddress {
    const { sockaddr } = this.readSockaddr(syscall, read);
    const decoded = this.decode(sockaddr);
    if (!decoded) throw stateError('EAFNOSUPPORT', syscall);
    return decoded;
  }

  /** A raw sockaddr (of at most `size` bytes) read with `read`, and its length. */
  protected readSockaddr(syscall: string, read: (channel: Channel, out: Buffer) => number, size = SOCKADDR_MAX): { sockaddr: Buffer; length: number } {
    const channel = this.boundChannel(syscall);
    const sockaddr = Buffer.alloc(size);
    const length = read(channel, sockaddr);
    if (length < 0) throw nativeError(length, syscall);
    return { sockaddr, length };
  }

  /** Encodes a validated destination into a new sockaddr buffer. */
  protected sockaddr(host: string, family: IpFamily, port: number): { address: Buffer; length: number } {
    const address = Buffer.alloc(SOCKADDR_MAX);
    const length = encodeSockaddr(this.loop._io.families, family, host, port, address);
    return { address, length };
  }

  /** Decodes a sockaddr this handle's io wrote. */
  protected decode(sockaddr: Buffer): SocketAddress | null {
    return decodeSockaddr(this.loop._io.families, sockaddr);
  }

  /**
   * The channel, for a call that needs a socket.
   * @throws WsaloopError `EBADF` after close, or before bind/connect.
   */
  protected boundChannel(syscall: string, what = 'socket is not bound or connected'): Channel {
    this._assertOpen(syscall);
    if (!this.channel) throw stateError('EBADF', syscall, what);
    return this.channel;
  }

  /** @throws WsaloopError when a socket option cannot be set. */
  protected setOption(option: SocketOption, value: number, syscall: string): void {
    const rc = this.boundChannel(syscall).setOption(option, value);
    if (rc < 0) throw nativeError(rc, syscall);
  }
}
