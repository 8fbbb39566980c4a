/**
 * What TCP and UDP handles share: lazily creating the native socket for the
 * family their first bind/connect asks for, binding, and reading addresses.
 * @module
 */
import { stateError, type WsaloopError } from '../errors.js';
import { Handle, type HandleEvents } from './handle.js';
import type { Loop } from './loop.js';
import { nativeError } from '../sys/platform.js';
import { decodeSockaddr, encodeSockaddr, SOCKADDR_MAX, type SocketAddress } from '../sys/sockaddr.js';
import type { AddressFamily, SocketApi, SocketHandle, SocketKind } from '../sys/socket-api.js';
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

/** Base of {@link Tcp} and {@link Udp}. */
export abstract class SocketHandleBase<Events extends SocketHandleEvents> extends Handle<Events> {
  /** @internal */ protected readonly api: SocketApi;
  /** @internal */ protected socket: SocketHandle = -1;
  /** @internal */ protected family: AddressFamily | null = null;
  protected abstract readonly socketKind: SocketKind;

  protected constructor(loop: Loop) {
    super(loop);
    this.api = loop._sockets;
  }

  /** The native socket (SOCKET or fd), or -1 before bind/connect. */
  get fd(): number {
    return this.socket;
  }

  /**
   * Creates the native socket for `family` if there is none yet.
   * @throws WsaloopError if the socket cannot be created or the family differs.
   */
  protected ensureSocket(family: AddressFamily, syscall: string, options?: BindOptions): void {
    if (this.socket >= 0) {
      if (this.family !== family) throw stateError('EINVAL', syscall, `socket is ${this.family}, address is ${family}`);
      return;
    }
    const s = this.api.open(family, this.socketKind);
    if (s < 0) throw nativeError(s, 'socket');
    if (family === 'ipv6') this.api.setOption(s, 'ipv6Only', options?.ipv6Only ? 1 : 0, family);
    const rc = this.loop._io.prepare(s, family, this.socketKind);
    if (rc < 0) {
      this.api.close(s);
      throw nativeError(rc, syscall);
    }
    this.socket = s;
    this.family = family;
  }

  /**
   * Binds to `host:port` (an IP literal; port 0 picks a free port).
   * @throws TypeError / RangeError for a bad host or port; WsaloopError (e.g. `EADDRINUSE`) if the bind fails.
   */
  bind(host: string, port: number, options: BindOptions = {}): this {
    this._assertOpen('bind');
    const target = checkIpHost(host);
    checkPort(port);
    this.ensureSocket(target.family, 'bind', options);
    if (options.reuseAddress) this.api.setOption(this.socket, 'reuseAddress', 1, target.family);
    const addr = Buffer.alloc(SOCKADDR_MAX);
    const len = encodeSockaddr(this.api, target.family, target.host, port, addr);
    const rc = this.api.bind(this.socket, addr, len);
    if (rc < 0) throw nativeError(rc, 'bind', target.host, port);
    return this;
  }

  /**
   * The local address.
   * @throws WsaloopError `EBADF` before bind/connect or after close.
   */
  address(): SocketAddress {
    return this.readAddress('getsockname', (out) => this.api.localAddress(this.socket, out));
  }

  protected readAddress(syscall: string, read: (out: Buffer) => number): SocketAddress {
    this._assertOpen(syscall);
    if (this.socket < 0) throw stateError('EBADF', syscall, 'socket is not bound or connected');
    const out = Buffer.alloc(SOCKADDR_MAX);
    const rc = read(out);
    if (rc < 0) throw nativeError(rc, syscall);
    const decoded = decodeSockaddr(this.api, out);
    if (!decoded) throw stateError('EAFNOSUPPORT', syscall);
    return decoded;
  }

  /** Encodes a validated destination into a new sockaddr buffer. */
  protected sockaddr(host: string, family: AddressFamily, port: number): { address: Buffer; length: number } {
    const address = Buffer.alloc(SOCKADDR_MAX);
    const length = encodeSockaddr(this.api, family, host, port, address);
    return { address, length };
  }

  /** @throws WsaloopError when a socket option cannot be set. */
  protected setOption(option: Parameters<SocketApi['setOption']>[1], value: number, syscall: string): void {
    this._assertOpen(syscall);
    if (this.socket < 0) throw stateError('EBADF', syscall, 'socket is not bound or connected');
    const rc = this.api.setOption(this.socket, option, value, this.family ?? 'ipv4');
    if (rc < 0) throw nativeError(rc, syscall);
  }
}
