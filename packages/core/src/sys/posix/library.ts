/**
 * The one place wsaloop binds libc, for running the same loop and the same
 * conformance suite natively on Linux. Loaded on first use.
 * @module
 */
import koffi from 'koffi';
import { countedCalls } from '../native-calls.js';
import type { NativeFunction, NativePointer } from '../native-function.js';

type Ptr = NativePointer | Uint8Array | null;

/** libc functions used by wsaloop. */
export interface Libc {
  socket: NativeFunction<[domain: number, type: number, protocol: number], number>;
  close: NativeFunction<[fd: number], number>;
  bind: NativeFunction<[fd: number, addr: Uint8Array, len: number], number>;
  listen: NativeFunction<[fd: number, backlog: number], number>;
  accept4: NativeFunction<[fd: number, addr: Ptr, len: Ptr, flags: number], number>;
  connect: NativeFunction<[fd: number, addr: Uint8Array, len: number], number>;
  recv: NativeFunction<[fd: number, buf: Uint8Array, len: number, flags: number], number>;
  send: NativeFunction<[fd: number, buf: Uint8Array, len: number, flags: number], number>;
  sendmsg: NativeFunction<[fd: number, msg: Uint8Array, flags: number], number>;
  recvfrom: NativeFunction<[fd: number, buf: Uint8Array, len: number, flags: number, from: Uint8Array, fromLen: Int32Array], number>;
  shutdown: NativeFunction<[fd: number, how: number], number>;
  setsockopt: NativeFunction<[fd: number, level: number, name: number, value: Uint8Array, len: number], number>;
  getsockopt: NativeFunction<[fd: number, level: number, name: number, value: Uint8Array, len: Int32Array], number>;
  getsockname: NativeFunction<[fd: number, addr: Uint8Array, len: Int32Array], number>;
  getpeername: NativeFunction<[fd: number, addr: Uint8Array, len: Int32Array], number>;
  poll: NativeFunction<[fds: Ptr, count: number, timeoutMs: number], number>;
  eventfd: NativeFunction<[initial: number, flags: number], number>;
  epoll_create1: NativeFunction<[flags: number], number>;
  epoll_ctl: NativeFunction<[epfd: number, op: number, fd: number, event: Ptr], number>;
  epoll_wait: NativeFunction<[epfd: number, events: Ptr, maxEvents: number, timeoutMs: number], number>;
  read: NativeFunction<[fd: number, buf: Uint8Array, len: number], number>;
  write: NativeFunction<[fd: number, buf: Uint8Array, len: number], number>;
  ioctl: NativeFunction<[fd: number, request: number, arg: Int32Array], number>;
  memcpy: NativeFunction<[dest: Ptr, src: Ptr, size: number], number>;
}

let loaded: Libc | null = null;

/** Binds libc once per thread. @throws Error when not running on Linux. */
export function libc(): Libc {
  if (loaded) return loaded;
  if (process.platform !== 'linux') throw new Error('the POSIX socket layer supports Linux only');
  const lib = koffi.load('libc.so.6');
  const prototypes: Record<keyof Libc, string> = {
    socket: 'int socket(int domain, int type, int protocol)',
    close: 'int close(int fd)',
    bind: 'int bind(int fd, void *addr, uint32_t len)',
    listen: 'int listen(int fd, int backlog)',
    accept4: 'int accept4(int fd, void *addr, void *len, int flags)',
    connect: 'int connect(int fd, void *addr, uint32_t len)',
    recv: 'intptr_t recv(int fd, void *buf, size_t len, int flags)',
    send: 'intptr_t send(int fd, void *buf, size_t len, int flags)',
    sendmsg: 'intptr_t sendmsg(int fd, void *msg, int flags)',
    recvfrom: 'intptr_t recvfrom(int fd, void *buf, size_t len, int flags, void *from, void *fromLen)',
    shutdown: 'int shutdown(int fd, int how)',
    setsockopt: 'int setsockopt(int fd, int level, int name, void *value, uint32_t len)',
    getsockopt: 'int getsockopt(int fd, int level, int name, void *value, void *len)',
    getsockname: 'int getsockname(int fd, void *addr, void *len)',
    getpeername: 'int getpeername(int fd, void *addr, void *len)',
    poll: 'int poll(void *fds, uint64_t count, int timeoutMs)',
    eventfd: 'int eventfd(unsigned int initial, int flags)',
    epoll_create1: 'int epoll_create1(int flags)',
    epoll_ctl: 'int epoll_ctl(int epfd, int op, int fd, void *event)',
    epoll_wait: 'int epoll_wait(int epfd, void *events, int maxEvents, int timeoutMs)',
    read: 'intptr_t read(int fd, void *buf, size_t len)',
    write: 'intptr_t write(int fd, void *buf, size_t len)',
    ioctl: 'int ioctl(int fd, unsigned long request, void *arg)',
    memcpy: 'uintptr_t memcpy(void *dest, void *src, size_t size)',
  };
  const out: Record<string, unknown> = {};
  for (const [name, proto] of Object.entries(prototypes)) {
    const fn = lib.func(proto) as NativeFunction<never[], unknown>;
    // System calls are counted per name (nativeCallCounts); memcpy is not one.
    out[name] = name === 'memcpy' ? fn : countedCalls(name, fn);
  }
  loaded = out as unknown as Libc;
  return loaded;
}

/** errno of the last failed call on this thread. */
export function errno(): number {
  return koffi.errno();
}
