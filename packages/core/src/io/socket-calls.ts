/**
 * The calls a channel makes on its own socket, written once for both
 * adapters' channels, and the steps that open or adopt a socket.
 * @module
 */
import type { AddressFamily, MulticastMembership, SocketApi, SocketHandle, SocketKind, SocketOption } from '../sys/socket-api.js';
import { SOCKADDR_MAX, sockaddrFamily } from '../sys/sockaddr.js';
import type { SocketChannel } from './channel.js';

/** Base of every channel: the socket, its family, and the plain calls on it. */
export abstract class SocketCalls implements SocketChannel {
  /** @internal */ protected readonly api: SocketApi;
  #fd: SocketHandle;
  readonly family: AddressFamily;

  constructor(api: SocketApi, fd: SocketHandle, family: AddressFamily) {
    this.api = api;
    this.#fd = fd;
    this.family = family;
  }

  get fd(): SocketHandle {
    return this.#fd;
  }

  /** Takes the handle a channel opened after it was made (a named pipe's, at bind or connect). */
  protected setHandle(fd: SocketHandle): void {
    this.#fd = fd;
  }

  bind(address: Buffer, length: number): number {
    return this.api.bind(this.fd, address, length);
  }

  listen(backlog: number): number {
    return this.api.listen(this.fd, backlog);
  }

  setOption(option: SocketOption, value: number): number {
    return this.api.setOption(this.fd, option, value, this.family);
  }

  setKeepAlive(enable: boolean, delayMs: number): number {
    return this.api.setKeepAlive(this.fd, enable, delayMs);
  }

  setMembership(membership: MulticastMembership, join: boolean): number {
    return this.api.setMembership(this.fd, membership, join);
  }

  localAddress(out: Buffer): number {
    return this.api.localAddress(this.fd, out);
  }

  peerAddress(out: Buffer): number {
    return this.api.peerAddress(this.fd, out);
  }
}

/**
 * Opens a non-blocking socket and ties it to the backend with `attach`;
 * returns it, or a negated error (and then no socket is left open).
 */
export function openSocket(api: SocketApi, family: AddressFamily, kind: SocketKind, ipv6Only: boolean, attach: (socket: SocketHandle) => number): number {
  const socket = api.open(family, kind);
  if (socket < 0) return socket;
  // Dual-stack unless asked otherwise, as libuv: Windows defaults to v6-only.
  if (family === 'ipv6') api.setOption(socket, 'ipv6Only', ipv6Only ? 1 : 0, family);
  const rc = attach(socket);
  if (rc < 0) {
    api.close(socket);
    return rc;
  }
  return socket;
}

/**
 * Takes over a connected stream socket from elsewhere in the process:
 * checks it is connected, learns its family, makes it non-blocking and ties
 * it to the backend. Returns its family, or a negated error (the socket is
 * then left to the caller).
 */
export function adoptSocket(api: SocketApi, socket: SocketHandle, attach: (socket: SocketHandle, family: AddressFamily) => number): AddressFamily | number {
  const address = Buffer.alloc(SOCKADDR_MAX);
  let rc = api.peerAddress(socket, address);
  if (rc < 0) return rc;
  const family: AddressFamily = sockaddrFamily(api, address) ?? 'ipv4';
  rc = api.setBlocking(socket, false);
  if (rc >= 0) rc = attach(socket, family);
  return rc < 0 ? rc : family;
}
