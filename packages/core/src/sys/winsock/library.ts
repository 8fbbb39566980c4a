/**
 * The one place wsaloop binds Windows system DLLs: ws2_32 (Winsock), kernel32
 * and user32. Loaded on first use, so importing core on another platform does
 * nothing native. Every backend calls these bindings; none declares its own.
 * @module
 */
import koffi from 'koffi';
import { countedCalls } from '../native-calls.js';
import type { NativeFunction, NativePointer } from '../native-function.js';

type Ptr = NativePointer | Uint8Array | null;
type Sock = number;
/** A native address (into koffi-allocated memory) or handle, as a number; 0 is NULL. */
type Address = number;

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
  /** Into memory at `buf`: the I/O path's buffers go by address (see {@link Ws2Overlapped}, whose calls also serve non-overlapped gathers). */
  recv: NativeFunction<[s: Sock, buf: Address, len: number, flags: number], number>;
  send: NativeFunction<[s: Sock, buf: Address, len: number, flags: number], number>;
  recvfrom: NativeFunction<[s: Sock, buf: Address, len: number, flags: number, from: Address, fromLen: Address], number>;
  shutdown: NativeFunction<[s: Sock, how: number], number>;
  setsockopt: NativeFunction<[s: Sock, level: number, name: number, value: Uint8Array, len: number], number>;
  getsockopt: NativeFunction<[s: Sock, level: number, name: number, value: Uint8Array, len: Int32Array], number>;
  getsockname: NativeFunction<[s: Sock, addr: Uint8Array, len: Int32Array], number>;
  getpeername: NativeFunction<[s: Sock, addr: Uint8Array, len: Int32Array], number>;
  ioctlsocket: NativeFunction<[s: Sock, cmd: number, arg: Uint32Array], number>;
  WSAIoctl: NativeFunction<[s: Sock, code: number, inBuf: Ptr, inLen: number, outBuf: Ptr, outLen: number, returned: Ptr, overlapped: Ptr, routine: Ptr], number>;
  select: NativeFunction<[nfds: number, read: Ptr, write: Ptr, except: Ptr, timeout: Ptr], number>;
  WSAGetOverlappedResult: NativeFunction<[s: Sock, overlapped: Address, transferred: Uint32Array, wait: number, flags: Uint32Array], number>;
  WSACreateEvent: NativeFunction<[], Address>;
  WSACloseEvent: NativeFunction<[event: Address], number>;
  WSASetEvent: NativeFunction<[event: Address], number>;
  WSAResetEvent: NativeFunction<[event: Address], number>;
  WSAEventSelect: NativeFunction<[s: Sock, event: Address, networkEvents: number], number>;
  /** Fills a WSANETWORKEVENTS (lNetworkEvents, then iErrorCode[10]) and resets the event. */
  WSAEnumNetworkEvents: NativeFunction<[s: Sock, event: Address, networkEvents: Address], number>;
  /** `events` is an array of event HANDLEs (8 bytes each). */
  WSAWaitForMultipleEvents: NativeFunction<[count: number, events: Uint8Array, waitAll: number, timeoutMs: number, alertable: number], number>;
  WSAAsyncSelect: NativeFunction<[s: Sock, hwnd: Address, message: number, networkEvents: number], number>;
}

/**
 * Winsock's scatter/gather calls (overlapped or not: `overlapped` and
 * `routine` 0 for a plain non-blocking call). Every pointer is passed as a
 * numeric address: into koffi-allocated memory that never moves for what the
 * call keeps (OVERLAPPED, flags, address out-params), and into a buffer the
 * caller holds for the WSABUF array, which Winsock captures during the call.
 * An address costs koffi nothing to pass; a buffer is first checked against
 * its type tags (a N-API call per pointer argument, about 0.35 µs, measured
 * natively under perf). An address does not keep its buffer alive: the
 * caller holds it for as long as the call may use it.
 */
export interface Ws2Overlapped {
  WSARecv: NativeFunction<[s: Sock, bufs: Address, count: number, received: Address, flags: Address, overlapped: Address, routine: Address], number>;
  WSASend: NativeFunction<[s: Sock, bufs: Address, count: number, sent: Address, flags: number, overlapped: Address, routine: Address], number>;
  WSARecvFrom: NativeFunction<[s: Sock, bufs: Address, count: number, received: Address, flags: Address, from: Address, fromLen: Address, overlapped: Address, routine: Address], number>;
  WSASendTo: NativeFunction<[s: Sock, bufs: Address, count: number, sent: Address, flags: number, to: Address, toLen: number, overlapped: Address, routine: Address], number>;
}

/** kernel32.dll functions used by wsaloop. Handles are numeric addresses. */
export interface Kernel32 {
  GetLastError: NativeFunction<[], number>;
  GetCurrentThreadId: NativeFunction<[], number>;
  CloseHandle: NativeFunction<[handle: Address], number>;
  CreateIoCompletionPort: NativeFunction<[file: Address, port: Address, key: Address, threads: number], Address>;
  /** `entries` and `removed` by address: the caller keeps them referenced until an `.async` call's callback. */
  GetQueuedCompletionStatusEx: NativeFunction<[port: Address, entries: Address, count: number, removed: Address, timeoutMs: number, alertable: number], number>;
  PostQueuedCompletionStatus: NativeFunction<[port: Address, bytes: number, key: Address, overlapped: Address], number>;
  CancelIoEx: NativeFunction<[handle: Address, overlapped: Address], number>;
  SetFileCompletionNotificationModes: NativeFunction<[handle: Address, flags: number], number>;
  CreateEventW: NativeFunction<[attributes: Address, manualReset: number, initialState: number, name: Address], Address>;
  SetEvent: NativeFunction<[event: Address], number>;
  ResetEvent: NativeFunction<[event: Address], number>;
  WaitForSingleObject: NativeFunction<[handle: Address, timeoutMs: number], number>;
  SleepEx: NativeFunction<[timeoutMs: number, alertable: number], number>;
  GetModuleHandleW: NativeFunction<[name: string | null], Address>;
  /** A named pipe's server instance (INVALID_HANDLE_VALUE, -1, on failure). */
  CreateNamedPipeW: NativeFunction<
    [name: string, openMode: number, pipeMode: number, maxInstances: number, outBufferSize: number, inBufferSize: number, defaultTimeoutMs: number, security: Address],
    Address
  >;
  /** Opens a file or a named pipe's client end (INVALID_HANDLE_VALUE, -1, on failure). */
  CreateFileW: NativeFunction<[name: string, access: number, share: number, security: Address, disposition: number, flags: number, template: Address], Address>;
  /** Waits up to `timeoutMs` for an instance of the pipe `name` to be free: nonzero when one is; else ERROR_FILE_NOT_FOUND (none exists) or ERROR_SEM_TIMEOUT (all busy). */
  WaitNamedPipeW: NativeFunction<[name: string, timeoutMs: number], number>;
  /** What a handle is: FILE_TYPE_PIPE for a pipe, 0 (FILE_TYPE_UNKNOWN) for a bad handle. */
  GetFileType: NativeFunction<[file: Address], number>;
  /** Waits (overlapped) for a client on a server instance. */
  ConnectNamedPipe: NativeFunction<[pipe: Address, overlapped: Address], number>;
  ReadFile: NativeFunction<[file: Address, buffer: Address, length: number, read: Address, overlapped: Address], number>;
  WriteFile: NativeFunction<[file: Address, buffer: Address, length: number, written: Address, overlapped: Address], number>;
  /** ReadFile with a completion routine (run in an alertable wait of the calling thread), the event-less overlapped style. */
  ReadFileEx: NativeFunction<[file: Address, buffer: Address, length: number, overlapped: Address, routine: Address], number>;
  WriteFileEx: NativeFunction<[file: Address, buffer: Address, length: number, overlapped: Address, routine: Address], number>;
  /** The result of an overlapped file operation (a named pipe's); 0 on failure, with its error in GetLastError. */
  GetOverlappedResult: NativeFunction<[file: Address, overlapped: Address, transferred: Uint32Array, wait: number], number>;
  GetProcAddress: NativeFunction<[module: Address, name: string], Address>;
  /** Frees memory the system allocated for the caller (ACLs, security descriptors). */
  LocalFree: NativeFunction<[memory: Address], Address>;
}

/**
 * user32.dll functions, for WSAAsyncSelect's message-only window. `msg` is a
 * MSG structure (48 bytes on x64).
 */
export interface User32 {
  RegisterClassExW: NativeFunction<[windowClass: Uint8Array], number>;
  UnregisterClassW: NativeFunction<[className: string, instance: Address], number>;
  CreateWindowExW: NativeFunction<
    [exStyle: number, className: string, windowName: string | null, style: number, x: number, y: number, width: number, height: number, parent: Address, menu: Address, instance: Address, param: Address],
    Address
  >;
  DestroyWindow: NativeFunction<[hwnd: Address], number>;
  GetMessageW: NativeFunction<[msg: Uint8Array, hwnd: Address, filterMin: number, filterMax: number], number>;
  PeekMessageW: NativeFunction<[msg: Uint8Array, hwnd: Address, filterMin: number, filterMax: number, remove: number], number>;
  PostMessageW: NativeFunction<[hwnd: Address, message: number, wParam: Address, lParam: Address], number>;
  /** Nonzero while `hwnd` names an existing window. */
  IsWindow: NativeFunction<[hwnd: Address], number>;
  /** Fills a WNDCLASSEXW (80 bytes on x64, cbSize set by the caller) when the class is registered; 0 otherwise. */
  GetClassInfoExW: NativeFunction<[instance: Address, className: string, windowClass: Uint8Array], number>;
  /** Thread that created `hwnd` (0 if none); the process id is stored in `processId` when given. */
  GetWindowThreadProcessId: NativeFunction<[hwnd: Address, processId: Uint32Array | null], number>;
}

/** ntdll.dll functions used by wsaloop. */
export interface Ntdll {
  /** Converts the NTSTATUS an OVERLAPPED's Internal member holds into a Win32 error code. */
  RtlNtStatusToDosError: NativeFunction<[status: number], number>;
  /**
   * Fills `info` with system information of class `infoClass` (for example
   * 16, SystemHandleInformation: every open handle with its owner's process
   * id); returns an NTSTATUS (0xC0000004 when `info` is too small).
   */
  NtQuerySystemInformation: NativeFunction<[infoClass: number, info: Uint8Array, length: number, returnLength: Uint32Array], number>;
}

/** Process-wide memory helpers (msvcrt.dll), used to learn buffer addresses. */
export interface Msvcrt {
  memcpy: NativeFunction<[dest: Ptr, src: Ptr, size: number], number>;
}

/** The loaded Windows bindings. */
export interface WindowsLibraries {
  ws2: Ws2_32;
  ws2Overlapped: Ws2Overlapped;
  kernel32: Kernel32;
  ntdll: Ntdll;
  msvcrt: Msvcrt;
}

/**
 * advapi32.dll functions, for a named pipe's security descriptor. Out
 * parameters are 8-byte buffers that receive a pointer.
 */
export interface Advapi32 {
  /** Builds a SID under the 6-byte `authority` with `count` of the eight subauthorities; nonzero on success. Free it with FreeSid. */
  AllocateAndInitializeSid: NativeFunction<
    [authority: Uint8Array, count: number, s0: number, s1: number, s2: number, s3: number, s4: number, s5: number, s6: number, s7: number, sid: Uint8Array],
    number
  >;
  FreeSid: NativeFunction<[sid: Address], Address>;
  /** The object's DACL (and the descriptor that holds it, to LocalFree); returns a Win32 error or 0. */
  GetSecurityInfo: NativeFunction<[handle: Address, objectType: number, info: number, owner: Address, group: Address, dacl: Uint8Array, sacl: Address, descriptor: Uint8Array], number>;
  /** A new ACL (to LocalFree): `oldAcl` with `count` EXPLICIT_ACCESS_W entries merged in; returns a Win32 error or 0. */
  SetEntriesInAclW: NativeFunction<[count: number, entries: Uint8Array, oldAcl: Address, newAcl: Uint8Array], number>;
  /** Sets the object's DACL; returns a Win32 error or 0. */
  SetSecurityInfo: NativeFunction<[handle: Address, objectType: number, info: number, owner: Address, group: Address, dacl: Address, sacl: Address], number>;
  /** The ACL's entries as EXPLICIT_ACCESS_W (an array to LocalFree); returns a Win32 error or 0. */
  GetExplicitEntriesFromAclW: NativeFunction<[acl: Address, count: Uint32Array, entries: Uint8Array], number>;
  EqualSid: NativeFunction<[a: Address, b: Address], number>;
}

let advapi32Bindings: Advapi32 | null = null;

/** advapi32 bindings, loaded on first use (only a named pipe's chmod needs them). */
export function advapi32(): Advapi32 {
  if (advapi32Bindings) return advapi32Bindings;
  windows();
  advapi32Bindings = bind<Advapi32>(koffi.load('advapi32.dll'), {
    AllocateAndInitializeSid:
      'int __stdcall AllocateAndInitializeSid(void *authority, uint8_t count, uint32_t s0, uint32_t s1, uint32_t s2, uint32_t s3, uint32_t s4, uint32_t s5, uint32_t s6, uint32_t s7, void *sid)',
    FreeSid: 'uintptr_t __stdcall FreeSid(uintptr_t sid)',
    GetSecurityInfo: 'uint32_t __stdcall GetSecurityInfo(intptr_t handle, int objectType, uint32_t info, uintptr_t owner, uintptr_t group, void *dacl, uintptr_t sacl, void *descriptor)',
    SetEntriesInAclW: 'uint32_t __stdcall SetEntriesInAclW(uint32_t count, void *entries, uintptr_t oldAcl, void *newAcl)',
    SetSecurityInfo: 'uint32_t __stdcall SetSecurityInfo(intptr_t handle, int objectType, uint32_t info, uintptr_t owner, uintptr_t group, uintptr_t dacl, uintptr_t sacl)',
    GetExplicitEntriesFromAclW: 'uint32_t __stdcall GetExplicitEntriesFromAclW(uintptr_t acl, void *count, void *entries)',
    EqualSid: 'int __stdcall EqualSid(uintptr_t a, uintptr_t b)',
  });
  return advapi32Bindings;
}

let user32Bindings: User32 | null = null;

/** user32 bindings, loaded on first use (only WSAAsyncSelect needs them). */
export function user32(): User32 {
  if (user32Bindings) return user32Bindings;
  windows();
  user32Bindings = bind<User32>(koffi.load('user32.dll'), {
    RegisterClassExW: 'uint16_t __stdcall RegisterClassExW(void *windowClass)',
    UnregisterClassW: 'int __stdcall UnregisterClassW(str16 className, uintptr_t instance)',
    CreateWindowExW:
      'uintptr_t __stdcall CreateWindowExW(uint32_t exStyle, str16 className, str16 windowName, uint32_t style, int x, int y, int width, int height, intptr_t parent, uintptr_t menu, uintptr_t instance, uintptr_t param)',
    DestroyWindow: 'int __stdcall DestroyWindow(uintptr_t hwnd)',
    GetMessageW: 'int __stdcall GetMessageW(void *msg, uintptr_t hwnd, uint32_t filterMin, uint32_t filterMax)',
    PeekMessageW: 'int __stdcall PeekMessageW(void *msg, uintptr_t hwnd, uint32_t filterMin, uint32_t filterMax, uint32_t remove)',
    PostMessageW: 'int __stdcall PostMessageW(uintptr_t hwnd, uint32_t message, uintptr_t wParam, intptr_t lParam)',
    IsWindow: 'int __stdcall IsWindow(uintptr_t hwnd)',
    GetClassInfoExW: 'int __stdcall GetClassInfoExW(uintptr_t instance, str16 className, void *windowClass)',
    GetWindowThreadProcessId: 'uint32_t __stdcall GetWindowThreadProcessId(uintptr_t hwnd, void *processId)',
  });
  return user32Bindings;
}

let loaded: WindowsLibraries | null = null;

/**
 * Binds `prototypes` from `lib`. System calls are counted per name (see
 * nativeCallCounts); `counted: false` is for C runtime helpers such as
 * memcpy, which are not calls into the system.
 */
function bind<T>(lib: koffi.IKoffiLib, prototypes: Record<keyof T, string>, counted = true): T {
  // Built in one go, not by a store per name: an object given more than a
  // dozen properties by computed stores turns into a dictionary, and every
  // call through it paid a dictionary lookup (test/native-bindings.test.ts).
  return Object.fromEntries(
    Object.entries(prototypes).map(([name, proto]) => {
      const fn = lib.func(proto as string) as NativeFunction<never[], unknown>;
      return [name, counted ? countedCalls(name, fn) : fn];
    }),
  ) as T;
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
    recv: 'int __stdcall recv(intptr_t s, uintptr_t buf, int len, int flags)',
    send: 'int __stdcall send(intptr_t s, uintptr_t buf, int len, int flags)',
    recvfrom: 'int __stdcall recvfrom(intptr_t s, uintptr_t buf, int len, int flags, uintptr_t from, uintptr_t fromLen)',
    shutdown: 'int __stdcall shutdown(intptr_t s, int how)',
    setsockopt: 'int __stdcall setsockopt(intptr_t s, int level, int name, void *value, int len)',
    getsockopt: 'int __stdcall getsockopt(intptr_t s, int level, int name, void *value, void *len)',
    getsockname: 'int __stdcall getsockname(intptr_t s, void *addr, void *len)',
    getpeername: 'int __stdcall getpeername(intptr_t s, void *addr, void *len)',
    ioctlsocket: 'int __stdcall ioctlsocket(intptr_t s, long cmd, void *arg)',
    WSAIoctl: 'int __stdcall WSAIoctl(intptr_t s, uint32_t code, void *inBuf, uint32_t inLen, void *outBuf, uint32_t outLen, void *returned, void *overlapped, void *routine)',
    select: 'int __stdcall select(int nfds, void *read, void *write, void *except, void *timeout)',
    WSAGetOverlappedResult: 'int __stdcall WSAGetOverlappedResult(intptr_t s, uintptr_t overlapped, void *transferred, int wait, void *flags)',
    WSACreateEvent: 'uintptr_t __stdcall WSACreateEvent()',
    WSACloseEvent: 'int __stdcall WSACloseEvent(uintptr_t event)',
    WSASetEvent: 'int __stdcall WSASetEvent(uintptr_t event)',
    WSAResetEvent: 'int __stdcall WSAResetEvent(uintptr_t event)',
    WSAEventSelect: 'int __stdcall WSAEventSelect(intptr_t s, uintptr_t event, long networkEvents)',
    WSAEnumNetworkEvents: 'int __stdcall WSAEnumNetworkEvents(intptr_t s, uintptr_t event, uintptr_t networkEvents)',
    WSAWaitForMultipleEvents: 'uint32_t __stdcall WSAWaitForMultipleEvents(uint32_t count, void *events, int waitAll, uint32_t timeoutMs, int alertable)',
    WSAAsyncSelect: 'int __stdcall WSAAsyncSelect(intptr_t s, uintptr_t hwnd, uint32_t message, long networkEvents)',
  });
  const ws2Lib = koffi.load('ws2_32.dll');
  const ws2Overlapped = bind<Ws2Overlapped>(ws2Lib, {
    WSARecv: 'int __stdcall WSARecv(intptr_t s, uintptr_t bufs, uint32_t count, uintptr_t received, uintptr_t flags, uintptr_t overlapped, uintptr_t routine)',
    WSASend: 'int __stdcall WSASend(intptr_t s, uintptr_t bufs, uint32_t count, uintptr_t sent, uint32_t flags, uintptr_t overlapped, uintptr_t routine)',
    WSARecvFrom: 'int __stdcall WSARecvFrom(intptr_t s, uintptr_t bufs, uint32_t count, uintptr_t received, uintptr_t flags, uintptr_t from, uintptr_t fromLen, uintptr_t overlapped, uintptr_t routine)',
    WSASendTo: 'int __stdcall WSASendTo(intptr_t s, uintptr_t bufs, uint32_t count, uintptr_t sent, uint32_t flags, uintptr_t to, int toLen, uintptr_t overlapped, uintptr_t routine)',
  });
  const kernel32 = bind<Kernel32>(koffi.load('kernel32.dll'), {
    GetLastError: 'uint32_t __stdcall GetLastError()',
    GetCurrentThreadId: 'uint32_t __stdcall GetCurrentThreadId()',
    CloseHandle: 'int __stdcall CloseHandle(uintptr_t handle)',
    CreateIoCompletionPort: 'uintptr_t __stdcall CreateIoCompletionPort(intptr_t file, uintptr_t port, uintptr_t key, uint32_t threads)',
    GetQueuedCompletionStatusEx: 'int __stdcall GetQueuedCompletionStatusEx(uintptr_t port, uintptr_t entries, uint32_t count, uintptr_t removed, uint32_t timeoutMs, int alertable)',
    PostQueuedCompletionStatus: 'int __stdcall PostQueuedCompletionStatus(uintptr_t port, uint32_t bytes, uintptr_t key, uintptr_t overlapped)',
    CancelIoEx: 'int __stdcall CancelIoEx(intptr_t handle, uintptr_t overlapped)',
    SetFileCompletionNotificationModes: 'int __stdcall SetFileCompletionNotificationModes(intptr_t handle, uint8_t flags)',
    CreateEventW: 'uintptr_t __stdcall CreateEventW(uintptr_t attributes, int manualReset, int initialState, uintptr_t name)',
    SetEvent: 'int __stdcall SetEvent(uintptr_t event)',
    ResetEvent: 'int __stdcall ResetEvent(uintptr_t event)',
    WaitForSingleObject: 'uint32_t __stdcall WaitForSingleObject(uintptr_t handle, uint32_t timeoutMs)',
    SleepEx: 'uint32_t __stdcall SleepEx(uint32_t timeoutMs, int alertable)',
    GetModuleHandleW: 'uintptr_t __stdcall GetModuleHandleW(str16 name)',
    CreateNamedPipeW:
      'intptr_t __stdcall CreateNamedPipeW(str16 name, uint32_t openMode, uint32_t pipeMode, uint32_t maxInstances, uint32_t outSize, uint32_t inSize, uint32_t timeoutMs, uintptr_t security)',
    CreateFileW: 'intptr_t __stdcall CreateFileW(str16 name, uint32_t access, uint32_t share, uintptr_t security, uint32_t disposition, uint32_t flags, uintptr_t template)',
    WaitNamedPipeW: 'int __stdcall WaitNamedPipeW(str16 name, uint32_t timeoutMs)',
    GetFileType: 'uint32_t __stdcall GetFileType(intptr_t file)',
    ConnectNamedPipe: 'int __stdcall ConnectNamedPipe(intptr_t pipe, uintptr_t overlapped)',
    ReadFile: 'int __stdcall ReadFile(intptr_t file, uintptr_t buffer, uint32_t length, uintptr_t read, uintptr_t overlapped)',
    WriteFile: 'int __stdcall WriteFile(intptr_t file, uintptr_t buffer, uint32_t length, uintptr_t written, uintptr_t overlapped)',
    ReadFileEx: 'int __stdcall ReadFileEx(intptr_t file, uintptr_t buffer, uint32_t length, uintptr_t overlapped, uintptr_t routine)',
    WriteFileEx: 'int __stdcall WriteFileEx(intptr_t file, uintptr_t buffer, uint32_t length, uintptr_t overlapped, uintptr_t routine)',
    GetOverlappedResult: 'int __stdcall GetOverlappedResult(intptr_t file, uintptr_t overlapped, void *transferred, int wait)',
    GetProcAddress: 'uintptr_t __stdcall GetProcAddress(uintptr_t module, str name)',
    LocalFree: 'uintptr_t __stdcall LocalFree(uintptr_t memory)',
  });
  const ntdll = bind<Ntdll>(koffi.load('ntdll.dll'), {
    RtlNtStatusToDosError: 'uint32_t __stdcall RtlNtStatusToDosError(uint32_t status)',
    NtQuerySystemInformation: 'uint32_t __stdcall NtQuerySystemInformation(uint32_t infoClass, void *info, uint32_t length, void *returnLength)',
  });
  const msvcrt = bind<Msvcrt>(koffi.load('msvcrt.dll'), {
    memcpy: 'uintptr_t memcpy(void *dest, void *src, size_t size)',
  }, false);
  const wsaData = new Uint8Array(512);
  const rc = ws2.WSAStartup(0x0202, wsaData);
  if (rc !== 0) throw new Error(`WSAStartup failed with error ${rc}`);
  loaded = { ws2, ws2Overlapped, kernel32, ntdll, msvcrt };
  return loaded;
}
