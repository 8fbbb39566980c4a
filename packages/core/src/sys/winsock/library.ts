/**
 * The one place wsaloop binds Windows system DLLs: ws2_32 (Winsock), kernel32
 * and user32. Loaded on first use, so importing core on another platform does
 * nothing native. Every backend calls these bindings; none declares its own.
 * @module
 */
import koffi from 'koffi';
import type { NativeFunction, NativePointer } from '../native-function.js';

type Ptr = NativePointer | Uint8Array | null;
type Sock = number;

/** ws2_32.dll functions used by wsaloop. */
export interface Ws2_32 {
  WSAStartup: NativeFunction<[version: number, data: Uint8Array], number>;
  WSAGetLastError: NativeFunction<[], number>;
  WSASocketW: NativeFunction<[af: number, type: number, protocol: number, info: Ptr, group: number, flags: number], Sock>;
  closesocket: NativeFunction<[s: Sock], number>;
  bind: NativeFunction<[s: Sock, addr: Uint8Array, len: number], number>;
  listen: NativeFunction<[s: Sock, backlog: number], number>;
  accept: NativeFunction<[s: Sock, addr: Ptr, len: Ptr], Sock>;
  connect: NativeFunction<[s: Sock, addr: Uint8Array, len: number], number>;
  recv: NativeFunction<[s: Sock, buf: Uint8Array, len: number, flags: number], number>;
  send: NativeFunction<[s: Sock, buf: Uint8Array, len: number, flags: number], number>;
  recvfrom: NativeFunction<[s: Sock, buf: Uint8Array, len: number, flags: number, from: Uint8Array, fromLen: Int32Array], number>;
  WSASend: NativeFunction<[s: Sock, bufs: Ptr, count: number, sent: Ptr, flags: number, overlapped: Ptr, routine: Ptr], number>;
  WSASendTo: NativeFunction<[s: Sock, bufs: Ptr, count: number, sent: Ptr, flags: number, to: Ptr, toLen: number, overlapped: Ptr, routine: Ptr], number>;
  WSARecv: NativeFunction<[s: Sock, bufs: Ptr, count: number, received: Ptr, flags: Ptr, overlapped: Ptr, routine: Ptr], number>;
  WSARecvFrom: NativeFunction<[s: Sock, bufs: Ptr, count: number, received: Ptr, flags: Ptr, from: Ptr, fromLen: Ptr, overlapped: Ptr, routine: Ptr], number>;
  shutdown: NativeFunction<[s: Sock, how: number], number>;
  setsockopt: NativeFunction<[s: Sock, level: number, name: number, value: Uint8Array, len: number], number>;
  getsockopt: NativeFunction<[s: Sock, level: number, name: number, value: Uint8Array, len: Int32Array], number>;
  getsockname: NativeFunction<[s: Sock, addr: Uint8Array, len: Int32Array], number>;
  getpeername: NativeFunction<[s: Sock, addr: Uint8Array, len: Int32Array], number>;
  ioctlsocket: NativeFunction<[s: Sock, cmd: number, arg: Uint32Array], number>;
  WSAIoctl: NativeFunction<[s: Sock, code: number, inBuf: Ptr, inLen: number, outBuf: Ptr, outLen: number, returned: Ptr, overlapped: Ptr, routine: Ptr], number>;
  select: NativeFunction<[nfds: number, read: Ptr, write: Ptr, except: Ptr, timeout: Ptr], number>;
}

/** kernel32.dll functions used by wsaloop. */
export interface Kernel32 {
  GetLastError: NativeFunction<[], number>;
  GetCurrentThreadId: NativeFunction<[], number>;
}

/** Process-wide memory helpers (msvcrt.dll), used to learn buffer addresses. */
export interface Msvcrt {
  memcpy: NativeFunction<[dest: Ptr, src: Ptr, size: number], number>;
}

/** The loaded Windows bindings. */
export interface WindowsLibraries {
  ws2: Ws2_32;
  kernel32: Kernel32;
  msvcrt: Msvcrt;
}

let loaded: WindowsLibraries | null = null;

function bind<T>(lib: koffi.IKoffiLib, prototypes: Record<keyof T, string>): T {
  const out: Record<string, unknown> = {};
  for (const [name, proto] of Object.entries(prototypes)) out[name] = lib.func(proto as string);
  return out as T;
}

/**
 * Loads ws2_32, kernel32 and msvcrt once per thread (koffi bindings are per
 * isolate, so a Worker gets its own) and starts Winsock 2.2.
 * @throws Error when not running on Windows.
 */
export function windows(): WindowsLibraries {
  if (loaded) return loaded;
  if (process.platform !== 'win32') {
    throw new Error('Winsock is only available on Windows');
  }
  const ws2 = bind<Ws2_32>(koffi.load('ws2_32.dll'), {
    WSAStartup: 'int __stdcall WSAStartup(uint16_t version, _Out_ uint8_t *data)',
    WSAGetLastError: 'int __stdcall WSAGetLastError()',
    WSASocketW: 'intptr_t __stdcall WSASocketW(int af, int type, int protocol, void *info, uint32_t group, uint32_t flags)',
    closesocket: 'int __stdcall closesocket(intptr_t s)',
    bind: 'int __stdcall bind(intptr_t s, void *addr, int len)',
    listen: 'int __stdcall listen(intptr_t s, int backlog)',
    accept: 'intptr_t __stdcall accept(intptr_t s, void *addr, void *len)',
    connect: 'int __stdcall connect(intptr_t s, void *addr, int len)',
    recv: 'int __stdcall recv(intptr_t s, void *buf, int len, int flags)',
    send: 'int __stdcall send(intptr_t s, void *buf, int len, int flags)',
    recvfrom: 'int __stdcall recvfrom(intptr_t s, void *buf, int len, int flags, void *from, void *fromLen)',
    WSASend: 'int __stdcall WSASend(intptr_t s, void *bufs, uint32_t count, void *sent, uint32_t flags, void *overlapped, void *routine)',
    WSASendTo: 'int __stdcall WSASendTo(intptr_t s, void *bufs, uint32_t count, void *sent, uint32_t flags, void *to, int toLen, void *overlapped, void *routine)',
    WSARecv: 'int __stdcall WSARecv(intptr_t s, void *bufs, uint32_t count, void *received, void *flags, void *overlapped, void *routine)',
    WSARecvFrom: 'int __stdcall WSARecvFrom(intptr_t s, void *bufs, uint32_t count, void *received, void *flags, void *from, void *fromLen, void *overlapped, void *routine)',
    shutdown: 'int __stdcall shutdown(intptr_t s, int how)',
    setsockopt: 'int __stdcall setsockopt(intptr_t s, int level, int name, void *value, int len)',
    getsockopt: 'int __stdcall getsockopt(intptr_t s, int level, int name, void *value, void *len)',
    getsockname: 'int __stdcall getsockname(intptr_t s, void *addr, void *len)',
    getpeername: 'int __stdcall getpeername(intptr_t s, void *addr, void *len)',
    ioctlsocket: 'int __stdcall ioctlsocket(intptr_t s, long cmd, void *arg)',
    WSAIoctl: 'int __stdcall WSAIoctl(intptr_t s, uint32_t code, void *inBuf, uint32_t inLen, void *outBuf, uint32_t outLen, void *returned, void *overlapped, void *routine)',
    select: 'int __stdcall select(int nfds, void *read, void *write, void *except, void *timeout)',
  });
  const kernel32 = bind<Kernel32>(koffi.load('kernel32.dll'), {
    GetLastError: 'uint32_t __stdcall GetLastError()',
    GetCurrentThreadId: 'uint32_t __stdcall GetCurrentThreadId()',
  });
  const msvcrt = bind<Msvcrt>(koffi.load('msvcrt.dll'), {
    memcpy: 'uintptr_t memcpy(void *dest, void *src, size_t size)',
  });
  const wsaData = new Uint8Array(512);
  const rc = ws2.WSAStartup(0x0202, wsaData);
  if (rc !== 0) throw new Error(`WSAStartup failed with error ${rc}`);
  loaded = { ws2, kernel32, msvcrt };
  return loaded;
}
