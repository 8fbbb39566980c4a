/**
 * UDP handles: datagrams with sender addresses, broadcast, TTL and multicast.
 * @module
 */
import { stateError, type WsaloopError } from '../errors.js';
import type { DatagramChannel } from '../io/channel.js';
import type { Loop } from './loop.js';
import { nativeError } from '../sys/platform.js';
import { parseIPv4, parseIPv6, type SocketAddress } from '../sys/sockaddr.js';
import type { AddressFamily, IpFamily } from '../sys/socket-api.js';
import { checkCallback, checkIpHost, checkPort, toBuffers, type WriteData } from '../net/arguments.js';
import { completion, type OperationCallback, statusError } from '../net/completion.js';
import { type BindOptions, SocketHandleBase, type SocketHandleEvents } from './socket-handle.js';

/** Events of a {@link Udp} handle. */
export interface UdpEvents extends SocketHandleEvents {
  /** A datagram arrived while receiving. */
  message: [data: Buffer, sender: SocketAddress];
}

/** Receive callback: a datagram and its sender, or an error for one datagram. */
export type MessageCallback = (error: WsaloopError | null, data: Buffer | null, sender: SocketAddress | null) => void;

function checkTtl(ttl: unknown): number {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl)) throw new TypeError(`The "ttl" argument must be an integer, received ${String(ttl)}`);
  if (ttl < 1 || ttl > 255) throw new RangeError(`The "ttl" argument must be >= 1 and <= 255, received ${ttl}`);
  return ttl;
}

/** A UDP socket: create with {@link Loop.udp}. */
export class Udp extends SocketHandleBase<UdpEvents, DatagramChannel> {
  /** Always `'udp'`. */
  readonly type = 'udp' as const;
  #receiving = false;
  #onMessage: MessageCallback | undefined;

  /** @internal Use {@link Loop.udp}. */
  constructor(loop: Loop) {
    super(loop);
  }

  protected openChannel(family: AddressFamily, ipv6Only: boolean): DatagramChannel | number {
    return this.loop._io.openDatagram(family, ipv6Only);
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
   * @throws WsaloopError `EBADF` before bind or after close.
   */
  address(): SocketAddress {
    return this.ipAddress();
  }

  /** The channel of a handle that has a socket (every caller made sure). */
  #datagram(): DatagramChannel {
    return this.channel!;
  }

  /** Binds to the wildcard address of the destination's family if not bound yet (as libuv). */
  #autoBind(family: IpFamily): void {
    if (!this.channel) this.bind(family === 'ipv4' ? '0.0.0.0' : '::', 0);
  }

  /**
   * Sends one datagram (gathered from `data`) to `host:port`.
   * @returns A Promise when no callback is given.
   * @throws TypeError / RangeError for bad data, host or port.
   */
  send(data: WriteData, host: string, port: number, callback: OperationCallback): void;
  send(data: WriteData, host: string, port: number): Promise<void>;
  send(data: WriteData, host: string, port: number, callback?: OperationCallback): Promise<void> | void {
    const buffers = toBuffers(data);
    const target = checkIpHost(host);
    checkPort(port);
    const done = completion(checkCallback<OperationCallback>(callback));
    if (this.isClosing()) {
      this.loop._defer(() => done.settle(stateError('EBADF', 'send', 'handle is closed')));
      return done.result;
    }
    this.#autoBind(target.family);
    if (this.family !== target.family && !(this.family === 'ipv6' && target.family === 'ipv4')) {
      this.loop._defer(() => done.settle(stateError('EAFNOSUPPORT', 'send', `socket is ${this.family}`)));
      return done.result;
    }
    // An IPv4 destination on a dual-stack IPv6 socket goes as a v4-mapped address.
    const mapped = this.family === 'ipv6' && target.family === 'ipv4' ? `::ffff:${target.host}` : target.host;
    const { address, length } = this.sockaddr(mapped, this.family!, port);
    this.loop._requestStarted();
    this.#datagram().send(buffers, address, length, (status) => {
      this.loop._requestFinished();
      done.settle(statusError(status, 'send', target.host, port));
    });
    return done.result;
  }

  /**
   * Starts receiving; each datagram goes to `onMessage` (if given) and the
   * `message` event. A per-datagram error (e.g. `EMSGSIZE`) is reported and
   * receiving continues.
   * @throws WsaloopError `EBADF` on a closed handle, `EINVAL` if not bound.
   */
  recvStart(onMessage?: MessageCallback): this {
    this._assertOpen('recv_start');
    checkCallback(onMessage);
    if (!this.channel) throw stateError('EINVAL', 'recv_start', 'socket is not bound');
    this.#onMessage = onMessage;
    if (this.#receiving) return this;
    this.#receiving = true;
    this._setActive(true);
    this.#datagram().recvStart((status, data, from) => {
      if (status !== 0) {
        const error = statusError(status, 'recvfrom')!;
        this.#onMessage?.(error, null, null);
        this.emit('error', error);
        return;
      }
      const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data!.buffer, data!.byteOffset, data!.byteLength);
      const sender = this.decode(from!) ?? { address: '', family: 'IPv4', port: 0 };
      this.#onMessage?.(null, chunk, sender);
      this.emit('message', chunk, sender);
    });
    return this;
  }

  /** Stops receiving. */
  recvStop(): this {
    if (!this.#receiving) return this;
    this.#receiving = false;
    this._setActive(false);
    this.channel?.recvStop();
    return this;
  }

  /** Allows or forbids sending to broadcast addresses. */
  setBroadcast(enable: boolean): this {
    this.setOption('broadcast', enable ? 1 : 0, 'setsockopt');
    return this;
  }

  /** Sets the unicast TTL (hop limit), 1..255. */
  setTTL(ttl: number): this {
    this.setOption('ttl', checkTtl(ttl), 'setsockopt');
    return this;
  }

  /** Sets the multicast TTL (hop limit), 1..255. */
  setMulticastTTL(ttl: number): this {
    this.setOption('multicastTtl', checkTtl(ttl), 'setsockopt');
    return this;
  }

  /** Whether multicast sent by this socket loops back to local receivers. */
  setMulticastLoopback(enable: boolean): this {
    this.setOption('multicastLoop', enable ? 1 : 0, 'setsockopt');
    return this;
  }

  /** Joins multicast `group` (on `interfaceAddress`, or the default interface). */
  addMembership(group: string, interfaceAddress?: string): this {
    return this.#membership(group, interfaceAddress, true);
  }

  /** Leaves multicast `group`. */
  dropMembership(group: string, interfaceAddress?: string): this {
    return this.#membership(group, interfaceAddress, false);
  }

  #membership(group: string, interfaceAddress: string | undefined, join: boolean): this {
    this._assertOpen('setsockopt');
    const target = checkIpHost(group, 'group');
    const channel = this.boundChannel('setsockopt', 'socket is not bound');
    const groupBytes = Buffer.alloc(16);
    let iface: Buffer | null = null;
    if (target.family === 'ipv4') {
      parseIPv4(target.host, groupBytes);
      if (interfaceAddress !== undefined) {
        const i = checkIpHost(interfaceAddress, 'interfaceAddress');
        iface = Buffer.alloc(4);
        parseIPv4(i.host, iface);
      }
    } else {
      parseIPv6(target.host, groupBytes);
    }
    const rc = channel.setMembership({ group: groupBytes, interfaceAddress: iface, family: target.family, interfaceIndex: 0 }, join);
    if (rc < 0) throw nativeError(rc, 'setsockopt', group);
    return this;
  }

  protected _close(): void {
    this.#receiving = false;
    if (this.channel) this.channel.close(() => this._closeDone());
    else this._closeDone();
  }
}
