/**
 * {@link SocketApi} over Linux libc, so the loop, the select backend (via
 * poll) and the conformance suite also run natively.
 * @module
 */
import type { AddressFamily, MulticastMembership, SocketApi, SocketOption } from '../socket-api.js';
import * as C from './constants.js';
import { errnoCode, errnoMessage } from './errors.js';
import { errno, libc } from './library.js';
import { addressOf, writePointer, writeSize } from './pointers.js';

const MAX_GATHER = 64;

function optionTarget(option: SocketOption, family: AddressFamily): [level: number, name: number] {
  const v6 = family === 'ipv6';
  switch (option) {
    case 'reuseAddress': return [C.SOL_SOCKET, C.SO_REUSEADDR];
    // Linux has no exclusive-bind option; an ordinary bind is already exclusive.
    case 'exclusiveAddress': return [-1, -1];
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

/** Creates the Linux implementation of {@link SocketApi}. */
export function createPosixApi(): SocketApi {
  const lib = libc();
  const fail = (): number => -errno();
  const result = (rc: number): number => (rc < 0 ? fail() : rc);
  const intArg = Buffer.alloc(8);
  const intLen = new Int32Array(1);
  const addrLen = new Int32Array(1);
  const iov = Buffer.alloc(MAX_GATHER * C.IOVEC_SIZE);
  const msg = Buffer.alloc(C.MSGHDR_SIZE);
  const iovAddress = addressOf(iov);
  const msgAddress = addressOf(msg);

  /** Builds a msghdr over `buffers` (and optional destination); returns the iovec count. */
  const fillMessage = (buffers: readonly Uint8Array[], first: number, firstOffset: number, to: Buffer | null, toLength: number): number => {
    let count = 0;
    for (let i = first; i < buffers.length && count < MAX_GATHER; i++) {
      const b = buffers[i]!;
      const skip = i === first ? firstOffset : 0;
      if (b.byteLength - skip <= 0) continue;
      writePointer(iov, count * C.IOVEC_SIZE, addressOf(b) + skip);
      writeSize(iov, count * C.IOVEC_SIZE + C.IOVEC_LEN, b.byteLength - skip);
      count++;
    }
    // Only the name changes between messages: the control fields stay 0
    // (the kernel never writes a msghdr a send passes it), and a fill per
    // send was a call into Node's C++.
    writePointer(msg, C.MSGHDR_NAME, to ? addressOf(to) : 0);
    msg.writeUInt32LE(to ? toLength : 0, C.MSGHDR_NAMELEN);
    writePointer(msg, C.MSGHDR_IOV, iovAddress);
    writeSize(msg, C.MSGHDR_IOVLEN, count);
    return count;
  };

  return {
    platform: 'posix',
    AF_INET: C.AF_INET,
    AF_INET6: C.AF_INET6,
    AF_UNIX: C.AF_UNIX,

    open(family, kind) {
      const af = family === 'ipv4' ? C.AF_INET : family === 'ipv6' ? C.AF_INET6 : C.AF_UNIX;
      const type = (kind === 'stream' ? C.SOCK_STREAM : C.SOCK_DGRAM) | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC;
      const fd = lib.socket(af, type, 0);
      if (fd < 0) return fail();
      if (kind === 'stream' && family !== 'unix') {
        // As libuv on Unix: a restarted server can rebind while old
        // connections sit in TIME_WAIT (on Linux this never shares a listener).
        intArg.writeInt32LE(1, 0);
        lib.setsockopt(fd, C.SOL_SOCKET, C.SO_REUSEADDR, intArg, 4);
      }
      return fd;
    },
    close: (fd) => result(lib.close(fd)),
    bind: (fd, addr, len) => result(lib.bind(fd, addr, len)),
    listen: (fd, backlog) => result(lib.listen(fd, backlog)),
    accept: (fd) => result(lib.accept4(fd, null, null, C.SOCK_NONBLOCK | C.SOCK_CLOEXEC)),
    connect: (fd, addr, len) => result(lib.connect(fd, addr, len)),
    recv(fd, buffer, offset, length) {
      const n = lib.recv(fd, addressOf(buffer) + offset, length, 0);
      return n >= 0 ? n : fail();
    },
    send(fd, buffer, offset, length) {
      const n = lib.send(fd, addressOf(buffer) + offset, length, C.MSG_NOSIGNAL);
      return n >= 0 ? n : fail();
    },
    sendv(fd, buffers, first, firstOffset) {
      if (fillMessage(buffers, first, firstOffset, null, 0) === 0) return 0;
      return result(lib.sendmsg(fd, msgAddress, C.MSG_NOSIGNAL));
    },
    recvFrom(fd, buffer, offset, length, from, fromLength) {
      fromLength[0] = from.byteLength;
      const n = lib.recvfrom(fd, addressOf(buffer) + offset, length, 0, addressOf(from), addressOf(fromLength));
      return n >= 0 ? n : fail();
    },
    sendTo(fd, buffers, to, toLength) {
      fillMessage(buffers, 0, 0, to, toLength);
      return result(lib.sendmsg(fd, msgAddress, C.MSG_NOSIGNAL));
    },
    setBlocking: (fd, blocking) => result(lib.ioctl(fd, C.FIONBIO, new Int32Array([blocking ? 0 : 1]))),
    shutdownSend: (fd) => result(lib.shutdown(fd, C.SHUT_WR)),
    setOption(fd, option, value, family) {
      const [level, name] = optionTarget(option, family);
      if (level < 0) return 0;
      if (option === 'lingerZero') {
        const linger = Buffer.alloc(8);
        linger.writeInt32LE(value ? 1 : 0, 0);
        return result(lib.setsockopt(fd, level, name, linger, 8));
      }
      intArg.writeInt32LE(value, 0);
      return result(lib.setsockopt(fd, level, name, intArg, 4));
    },
    setKeepAlive(fd, enable, delayMs) {
      intArg.writeInt32LE(enable ? 1 : 0, 0);
      if (lib.setsockopt(fd, C.SOL_SOCKET, C.SO_KEEPALIVE, intArg, 4) < 0) return fail();
      if (!enable) return 0;
      intArg.writeInt32LE(Math.max(1, Math.round(delayMs / 1000)), 0);
      if (lib.setsockopt(fd, C.IPPROTO_TCP, C.TCP_KEEPIDLE, intArg, 4) < 0) return fail();
      intArg.writeInt32LE(1, 0);
      return result(lib.setsockopt(fd, C.IPPROTO_TCP, C.TCP_KEEPINTVL, intArg, 4));
    },
    setMembership(fd, m: MulticastMembership, join) {
      if (m.family === 'ipv4') {
        const mreq = Buffer.alloc(8);
        m.group.copy(mreq, 0, 0, 4);
        if (m.interfaceAddress) m.interfaceAddress.copy(mreq, 4, 0, 4);
        return result(lib.setsockopt(fd, C.IPPROTO_IP, join ? C.IP_ADD_MEMBERSHIP : C.IP_DROP_MEMBERSHIP, mreq, 8));
      }
      const mreq = Buffer.alloc(20);
      m.group.copy(mreq, 0, 0, 16);
      mreq.writeUInt32LE(m.interfaceIndex, 16);
      return result(lib.setsockopt(fd, C.IPPROTO_IPV6, join ? C.IPV6_ADD_MEMBERSHIP : C.IPV6_DROP_MEMBERSHIP, mreq, 20));
    },
    pendingError(fd) {
      intLen[0] = 4;
      intArg.writeInt32LE(0, 0);
      return lib.getsockopt(fd, C.SOL_SOCKET, C.SO_ERROR, intArg, intLen) === 0 ? intArg.readInt32LE(0) : errno();
    },
    localAddress(fd, out) {
      addrLen[0] = out.byteLength;
      return lib.getsockname(fd, out, addrLen) === 0 ? addrLen[0]! : fail();
    },
    peerAddress(fd, out) {
      addrLen[0] = out.byteLength;
      return lib.getpeername(fd, out, addrLen) === 0 ? addrLen[0]! : fail();
    },
    isWouldBlock: (code) => code === C.EAGAIN,
    isConnectInProgress: (code) => code === C.EINPROGRESS || code === C.EALREADY,
    errorCode: errnoCode,
    errorMessage: errnoMessage,
  };
}
