/**
 * {@link SocketApi} over Winsock. Sockets are created overlapped (so the
 * completion backends can use them) and non-blocking (so the readiness
 * backends can), and never inheritable by child processes.
 * @module
 */
import type { AddressFamily, MulticastMembership, SocketApi, SocketHandle, SocketKind, SocketOption } from '../socket-api.js';
import * as C from './constants.js';
import { wsaErrorCode, wsaErrorMessage } from './errors.js';
import { windows } from './library.js';
import { addressOf, WSABUF_SIZE, writeWsabuf } from './structs.js';

const MAX_GATHER = 64;

function optionTarget(option: SocketOption, family: AddressFamily): [level: number, name: number] {
  const v6 = family === 'ipv6';
  switch (option) {
    case 'reuseAddress': return [C.SOL_SOCKET, C.SO_REUSEADDR];
    case 'exclusiveAddress': return [C.SOL_SOCKET, C.SO_EXCLUSIVEADDRUSE];
    case 'noDelay': return [C.IPPROTO_TCP, C.TCP_NODELAY];
    case 'keepAlive': return [C.SOL_SOCKET, C.SO_KEEPALIVE];
    case 'broadcast': return [C.SOL_SOCKET, C.SO_BROADCAST];
    case 'ttl': return v6 ? [C.IPPROTO_IPV6, C.IPV6_UNICAST_HOPS] : [C.IPPROTO_IP, C.IP_TTL];
    case 'multicastTtl': return v6 ? [C.IPPROTO_IPV6, C.IPV6_MULTICAST_HOPS] : [C.IPPROTO_IP, C.IP_MULTICAST_TTL];
    case 'multicastLoop': return v6 ? [C.IPPROTO_IPV6, C.IPV6_MULTICAST_LOOP] : [C.IPPROTO_IP, C.IP_MULTICAST_LOOP];
    case 'ipv6Only': return [C.IPPROTO_IPV6, C.IPV6_V6ONLY];
    case 'sendBufferSize': return [C.SOL_SOCKET, C.SO_SNDBUF];
    case 'receiveBufferSize': return [C.SOL_SOCKET, C.SO_RCVBUF];
    case 'lingerZero': return [C.SOL_SOCKET, C.SO_LINGER];
  }
}

/** Creates the Winsock implementation of {@link SocketApi}. */
export function createWinsockApi(): SocketApi {
  const { ws2, ws2Overlapped } = windows();
  const lastError = (): number => -ws2.WSAGetLastError();
  const intArg = Buffer.alloc(8);
  const intLen = new Int32Array(1);
  const addrLen = new Int32Array(1);
  const gather = Buffer.alloc(MAX_GATHER * WSABUF_SIZE);
  const sent = new Uint32Array(1);
  // The I/O calls take addresses (see Ws2Overlapped in library.ts).
  const gatherAddress = addressOf(gather);
  const sentAddress = addressOf(sent);
  const nonBlocking = new Uint32Array([1]);

  const result = (rc: number): number => (rc === C.SOCKET_ERROR ? lastError() : rc);

  /** Fills the shared WSABUF array from `buffers`; returns the entry count. */
  const fillGather = (buffers: readonly Uint8Array[], first: number, firstOffset: number): number => {
    let count = 0;
    for (let i = first; i < buffers.length && count < MAX_GATHER; i++) {
      const b = buffers[i]!;
      const skip = i === first ? firstOffset : 0;
      if (b.byteLength - skip <= 0) continue;
      writeWsabuf(gather, count++, addressOf(b) + skip, b.byteLength - skip);
    }
    return count;
  };

  const api: SocketApi = {
    platform: 'winsock',
    AF_INET: C.AF_INET,
    AF_INET6: C.AF_INET6,
    AF_UNIX: C.AF_UNIX,

    open(family: AddressFamily, kind: SocketKind): number {
      const af = family === 'ipv4' ? C.AF_INET : family === 'ipv6' ? C.AF_INET6 : C.AF_UNIX;
      const type = kind === 'stream' ? C.SOCK_STREAM : C.SOCK_DGRAM;
      const proto = family === 'unix' ? 0 : kind === 'stream' ? C.IPPROTO_TCP : C.IPPROTO_UDP;
      const s = ws2.WSASocketW(af, type, proto, null, 0, C.WSA_FLAG_OVERLAPPED | C.WSA_FLAG_NO_HANDLE_INHERIT);
      if (s === C.INVALID_SOCKET) return lastError();
      if (ws2.ioctlsocket(s, C.FIONBIO, nonBlocking) !== 0) {
        const err = lastError();
        ws2.closesocket(s);
        return err;
      }
      if (kind === 'dgram') {
        // An ICMP port-unreachable would otherwise fail the next recvfrom with
        // WSAECONNRESET; a UDP socket must keep receiving from other peers.
        intArg.writeUInt32LE(0, 0);
        ws2.WSAIoctl(s, C.SIO_UDP_CONNRESET, intArg, 4, null, 0, sent, null, null);
      }
      return s;
    },
    close: (s) => result(ws2.closesocket(s)),
    bind: (s, addr, len) => result(ws2.bind(s, addr, len)),
    listen: (s, backlog) => result(ws2.listen(s, backlog)),
    accept(s: SocketHandle): number {
      // The new socket has "the same properties as" the listener (Microsoft's
      // accept docs; Wine copies its non-blocking flag too), so it is
      // non-blocking when the listener is: no ioctlsocket per connection.
      const c = ws2.accept(s, null, null);
      return c === C.INVALID_SOCKET ? lastError() : c;
    },
    connect(s: SocketHandle, addr: Buffer, len: number): number {
      if (isLoopback(addr)) {
        // Windows retransmits a SYN answered by RST for about two seconds
        // before reporting a refusal; on loopback that only hides the error.
        const rto = Buffer.alloc(4);
        rto.writeUInt16LE(C.TCP_INITIAL_RTO_UNSPECIFIED_RTT, 0);
        rto.writeUInt8(C.TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS, 2);
        ws2.WSAIoctl(s, C.SIO_TCP_INITIAL_RTO, rto, 4, null, 0, sent, null, null);
      }
      return result(ws2.connect(s, addr, len));
    },
    recv(s, buffer, offset, length) {
      const n = ws2.recv(s, addressOf(buffer) + offset, length, 0);
      return n >= 0 ? n : lastError();
    },
    send(s, buffer, offset, length) {
      const n = ws2.send(s, addressOf(buffer) + offset, length, 0);
      return n >= 0 ? n : lastError();
    },
    sendv(s, buffers, first, firstOffset) {
      const count = fillGather(buffers, first, firstOffset);
      if (count === 0) return 0;
      const rc = ws2Overlapped.WSASend(s, gatherAddress, count, sentAddress, 0, 0, 0);
      return rc === 0 ? sent[0]! : lastError();
    },
    recvFrom(s, buffer, offset, length, from, fromLength) {
      fromLength[0] = from.byteLength;
      const n = ws2.recvfrom(s, addressOf(buffer) + offset, length, 0, addressOf(from), addressOf(fromLength));
      return n >= 0 ? n : lastError();
    },
    sendTo(s, buffers, to, toLength) {
      const count = fillGather(buffers, 0, 0);
      if (count === 0) {
        // A zero-length datagram is legal; WSASendTo needs one (empty) entry.
        writeWsabuf(gather, 0, 0, 0);
      }
      const rc = ws2Overlapped.WSASendTo(s, gatherAddress, Math.max(count, 1), sentAddress, 0, addressOf(to), toLength, 0, 0);
      return rc === 0 ? sent[0]! : lastError();
    },
    setBlocking: (s, blocking) => result(ws2.ioctlsocket(s, C.FIONBIO, new Uint32Array([blocking ? 0 : 1]))),
    shutdownSend: (s) => result(ws2.shutdown(s, C.SD_SEND)),
    setOption(s, option, value, family) {
      const [level, name] = optionTarget(option, family);
      if (option === 'lingerZero') {
        // struct linger on Windows is two u_shorts: l_onoff, l_linger.
        intArg.writeUInt16LE(value ? 1 : 0, 0);
        intArg.writeUInt16LE(0, 2);
        return result(ws2.setsockopt(s, level, name, intArg, 4));
      }
      intArg.writeInt32LE(value, 0);
      return result(ws2.setsockopt(s, level, name, intArg, 4));
    },
    setKeepAlive(s, enable, delayMs) {
      // tcp_keepalive { onoff, keepalivetime (ms), keepaliveinterval (ms) }.
      const vals = Buffer.alloc(12);
      vals.writeUInt32LE(enable ? 1 : 0, 0);
      vals.writeUInt32LE(Math.max(1, delayMs), 4);
      vals.writeUInt32LE(1000, 8);
      return result(ws2.WSAIoctl(s, C.SIO_KEEPALIVE_VALS, vals, 12, null, 0, sent, null, null));
    },
    setMembership(s, m: MulticastMembership, join) {
      if (m.family === 'ipv4') {
        const mreq = Buffer.alloc(8);
        m.group.copy(mreq, 0, 0, 4);
        if (m.interfaceAddress) m.interfaceAddress.copy(mreq, 4, 0, 4);
        return result(ws2.setsockopt(s, C.IPPROTO_IP, join ? C.IP_ADD_MEMBERSHIP : C.IP_DROP_MEMBERSHIP, mreq, 8));
      }
      const mreq = Buffer.alloc(20);
      m.group.copy(mreq, 0, 0, 16);
      mreq.writeUInt32LE(m.interfaceIndex, 16);
      return result(ws2.setsockopt(s, C.IPPROTO_IPV6, join ? C.IPV6_ADD_MEMBERSHIP : C.IPV6_DROP_MEMBERSHIP, mreq, 20));
    },
    pendingError(s) {
      intLen[0] = 4;
      intArg.writeInt32LE(0, 0);
      const rc = ws2.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR, intArg, intLen);
      return rc === 0 ? intArg.readInt32LE(0) : -lastError();
    },
    localAddress(s, out) {
      addrLen[0] = out.byteLength;
      return ws2.getsockname(s, out, addrLen) === 0 ? addrLen[0]! : lastError();
    },
    peerAddress(s, out) {
      addrLen[0] = out.byteLength;
      return ws2.getpeername(s, out, addrLen) === 0 ? addrLen[0]! : lastError();
    },
    isWouldBlock: (code) => code === C.WSAEWOULDBLOCK,
    isConnectInProgress: (code) => code === C.WSAEWOULDBLOCK || code === C.WSAEINPROGRESS || code === C.WSAEALREADY,
    errorCode: wsaErrorCode,
    errorMessage: wsaErrorMessage,
  };
  return api;
}

/** True for 127.0.0.0/8 and ::1 sockaddrs. */
function isLoopback(addr: Buffer): boolean {
  const af = addr.readUInt16LE(0);
  if (af === C.AF_INET) return addr[4] === 127;
  if (af === C.AF_INET6) {
    for (let i = 8; i < 23; i++) if (addr[i] !== 0) return false;
    return addr[23] === 1;
  }
  return false;
}
