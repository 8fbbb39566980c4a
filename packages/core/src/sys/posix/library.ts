/**
 * The one place wsaloop binds libc, for running the same loop and the same
 * conformance suite natively on Linux. Loaded on first use.
 * @module
 */
import koffi from 'koffi';
import { countedCalls } from '../native-calls.js';
import type { NativeFunction, NativePointer } from '../native-function.js';
import { SYS_io_uring_enter, SYS_io_uring_register, SYS_io_uring_setup } from './io-uring.js';

type Ptr = NativePointer | Uint8Array | null;

/**
 * A native address (`addressOf(buffer) + offset`), passed as an integer
 * where a call sits on the I/O path: koffi checks every pointer argument it
 * is given a buffer for against its type tags first (a N-API call, about
 * 0.35 µs each, test VM), and an integer it passes as it is. An address
 * does not keep its buffer alive: the caller holds the buffer until the
 * call returns (an `.async` call: until its callback). A buffer referenced
 * by nothing but its address is collected, and the kernel then writes into
 * memory malloc has handed out again (a throwaway echo server that kept only
 * its receive buffer's address corrupted the heap within 3,000 round trips).
 */
type Address = number;

/** libc functions used by wsaloop. */
export interface Libc {
  socket: NativeFunction<[domain: number, type: number, protocol: number], number>;
  close: NativeFunction<[fd: number], number>;
  bind: NativeFunction<[fd: number, addr: Uint8Array, len: number], number>;
  listen: NativeFunction<[fd: number, backlog: number], number>;
  accept4: NativeFunction<[fd: number, addr: Ptr, len: Ptr, flags: number], number>;
  connect: NativeFunction<[fd: number, addr: Uint8Array, len: number], number>;
  /** recv(2) into memory at `buf`, an address: the I/O calls take addresses, not buffers (library.ts says why). */
  recv: NativeFunction<[fd: number, buf: Address, len: number, flags: number], number>;
  /** send(2) from memory at `buf`. */
  send: NativeFunction<[fd: number, buf: Address, len: number, flags: number], number>;
  /** sendmsg(2) of the msghdr at `msg`. */
  sendmsg: NativeFunction<[fd: number, msg: Address, flags: number], number>;
  /** recvfrom(2) into memory at `buf`, the sender's address at `from`, its length at `fromLen`. */
  recvfrom: NativeFunction<[fd: number, buf: Address, len: number, flags: number, from: Address, fromLen: Address], number>;
  shutdown: NativeFunction<[fd: number, how: number], number>;
  setsockopt: NativeFunction<[fd: number, level: number, name: number, value: Uint8Array, len: number], number>;
  getsockopt: NativeFunction<[fd: number, level: number, name: number, value: Uint8Array, len: Int32Array], number>;
  getsockname: NativeFunction<[fd: number, addr: Uint8Array, len: Int32Array], number>;
  getpeername: NativeFunction<[fd: number, addr: Uint8Array, len: Int32Array], number>;
  /** poll(2) of the pollfd array at `fds` (its buffer kept referenced until an `.async` call's callback). */
  poll: NativeFunction<[fds: Address, count: number, timeoutMs: number], number>;
  eventfd: NativeFunction<[initial: number, flags: number], number>;
  epoll_create1: NativeFunction<[flags: number], number>;
  epoll_ctl: NativeFunction<[epfd: number, op: number, fd: number, event: Ptr], number>;
  /** epoll_wait(2) into the event array at `events`. */
  epoll_wait: NativeFunction<[epfd: number, events: Address, maxEvents: number, timeoutMs: number], number>;
  read: NativeFunction<[fd: number, buf: Uint8Array, len: number], number>;
  write: NativeFunction<[fd: number, buf: Uint8Array, len: number], number>;
  ioctl: NativeFunction<[fd: number, request: number, arg: Int32Array], number>;
  memcpy: NativeFunction<[dest: Ptr, src: Ptr, size: number], number>;
  mmap: NativeFunction<[addr: Ptr, length: number, prot: number, flags: number, fd: number, offset: number], NativePointer | null>;
  munmap: NativeFunction<[addr: Ptr, length: number], number>;
  /** io_uring_setup(2): returns the ring's descriptor, or -1 (errno). */
  io_uring_setup: NativeFunction<[entries: number, params: Uint8Array], number>;
  /** io_uring_enter(2): submits and/or waits; returns the number submitted, or -1 (errno). */
  io_uring_enter: NativeFunction<[fd: number, toSubmit: number, minComplete: number, flags: number, arg: Ptr, argSize: number], number>;
  /** io_uring_register(2). */
  io_uring_register: NativeFunction<[fd: number, opcode: number, arg: Ptr, count: number], number>;
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
    recv: 'intptr_t recv(int fd, uintptr_t buf, size_t len, int flags)',
    send: 'intptr_t send(int fd, uintptr_t buf, size_t len, int flags)',
    sendmsg: 'intptr_t sendmsg(int fd, uintptr_t msg, int flags)',
    recvfrom: 'intptr_t recvfrom(int fd, uintptr_t buf, size_t len, int flags, uintptr_t from, uintptr_t fromLen)',
    shutdown: 'int shutdown(int fd, int how)',
    setsockopt: 'int setsockopt(int fd, int level, int name, void *value, uint32_t len)',
    getsockopt: 'int getsockopt(int fd, int level, int name, void *value, void *len)',
    getsockname: 'int getsockname(int fd, void *addr, void *len)',
    getpeername: 'int getpeername(int fd, void *addr, void *len)',
    poll: 'int poll(uintptr_t fds, uint64_t count, int timeoutMs)',
    eventfd: 'int eventfd(unsigned int initial, int flags)',
    epoll_create1: 'int epoll_create1(int flags)',
    epoll_ctl: 'int epoll_ctl(int epfd, int op, int fd, void *event)',
    epoll_wait: 'int epoll_wait(int epfd, uintptr_t events, int maxEvents, int timeoutMs)',
    read: 'intptr_t read(int fd, void *buf, size_t len)',
    write: 'intptr_t write(int fd, void *buf, size_t len)',
    ioctl: 'int ioctl(int fd, unsigned long request, void *arg)',
    memcpy: 'uintptr_t memcpy(void *dest, void *src, size_t size)',
    mmap: 'void *mmap(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)',
    munmap: 'int munmap(void *addr, size_t length)',
    // glibc has no wrappers for io_uring: syscall(2), with the number bound below.
    io_uring_setup: 'long syscall(long nr, uint32_t entries, void *params)',
    io_uring_enter: 'long syscall(long nr, int fd, uint32_t toSubmit, uint32_t minComplete, uint32_t flags, void *arg, size_t argSize)',
    io_uring_register: 'long syscall(long nr, int fd, uint32_t opcode, void *arg, uint32_t count)',
  };
  const syscallNumbers: Partial<Record<keyof Libc, number>> = {
    io_uring_setup: SYS_io_uring_setup,
    io_uring_enter: SYS_io_uring_enter,
    io_uring_register: SYS_io_uring_register,
  };
  // In one go, not a store per name: the object must keep fast properties
  // (see bind() in ../winsock/library.ts).
  const out = Object.fromEntries(
    Object.entries(prototypes).map(([name, proto]) => {
      const bound = lib.func(proto) as NativeFunction<unknown[], unknown>;
      const nr = syscallNumbers[name as keyof Libc];
      const fn = (nr === undefined ? bound : withSyscallNumber(bound, nr)) as NativeFunction<never[], unknown>;
      // System calls are counted per name (nativeCallCounts); memcpy is not one.
      return [name, name === 'memcpy' ? fn : countedCalls(name, fn)];
    }),
  );
  loaded = out as unknown as Libc;
  return loaded;
}

/** A `syscall(nr, ...)` binding as the function of system call `nr`, `.async` included. */
function withSyscallNumber(call: NativeFunction<unknown[], unknown>, nr: number): NativeFunction<unknown[], unknown> {
  const fn = ((...args: unknown[]) => call(nr, ...args)) as NativeFunction<unknown[], unknown>;
  fn.async = (...args: unknown[]) => (call.async as (...all: unknown[]) => void)(nr, ...args);
  return fn;
}

/** errno of the last failed call on this thread. */
export function errno(): number {
  return koffi.errno();
}
