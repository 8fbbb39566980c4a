/**
 * Linux (x86_64 / arm64 glibc) socket constants, from <sys/socket.h>,
 * <netinet/in.h>, <netinet/tcp.h>, <poll.h>, <sys/eventfd.h> and <sys/epoll.h>.
 * @module
 */

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;

export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_ERROR = 4;
export const SO_BROADCAST = 6;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_KEEPALIVE = 9;
export const SO_LINGER = 13;
export const TCP_NODELAY = 1;
export const TCP_KEEPIDLE = 4;
export const TCP_KEEPINTVL = 5;
export const IP_TTL = 2;
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const IP_ADD_MEMBERSHIP = 35;
export const IP_DROP_MEMBERSHIP = 36;
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_MULTICAST_HOPS = 18;
export const IPV6_MULTICAST_LOOP = 19;
export const IPV6_ADD_MEMBERSHIP = 20;
export const IPV6_DROP_MEMBERSHIP = 21;
export const IPV6_V6ONLY = 26;

export const SHUT_WR = 1;
export const FIONBIO = 0x5421;
export const MSG_NOSIGNAL = 0x4000;

export const EAGAIN = 11;
export const EWOULDBLOCK = 11;
export const EINPROGRESS = 115;
export const EALREADY = 114;
export const EINTR = 4;
export const ECANCELED = 125;
export const EPERM = 1;
export const ENOMEM = 12;
export const EACCES = 13;
export const EINVAL = 22;
export const ENOSYS = 38;

export const POLLIN = 0x001;
export const POLLPRI = 0x002;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;
/** A peer that shut down its sending side. */
export const POLLRDHUP = 0x2000;

export const EFD_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;

export const EPOLL_CLOEXEC = 0o2000000;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
export const EPOLLIN = 0x001;
export const EPOLLOUT = 0x004;
export const EPOLLERR = 0x008;
export const EPOLLHUP = 0x010;
export const EPOLLRDHUP = 0x2000;
/**
 * sizeof(struct epoll_event): uint32 events, then the 64-bit data. The
 * kernel packs it on x86-64 (12 bytes); elsewhere the data is aligned (16).
 */
export const EPOLL_EVENT_SIZE = process.arch === 'x64' ? 12 : 16;
/** Offset of the data field in struct epoll_event. */
export const EPOLL_EVENT_DATA = process.arch === 'x64' ? 4 : 8;

/** sizeof(struct pollfd): int fd, short events, short revents. */
export const POLLFD_SIZE = 8;
/** sizeof(struct iovec) on 64-bit Linux. */
export const IOVEC_SIZE = 16;
/** sizeof(struct msghdr) on 64-bit Linux, and its fields' offsets. */
export const MSGHDR_SIZE = 56;
export const MSGHDR_NAME = 0;
export const MSGHDR_NAMELEN = 8;
export const MSGHDR_IOV = 16;
export const MSGHDR_IOVLEN = 24;
/** Offset of iov_len in struct iovec (iov_base is at 0). */
export const IOVEC_LEN = 8;
