/**
 * `@wsaloop/core/winsock`: the one shared Winsock / Win32 FFI layer (ws2_32,
 * kernel32, user32 bindings, constants, structure layouts, error table).
 * Backends import their native declarations from here; none declares its own.
 * What only the Windows backends share beyond declarations (the overlapped
 * proactor, event groups, network-event decoding) is `@wsaloop/winsock-kit`.
 * @module @wsaloop/core/winsock
 */
export { windows, user32, type WindowsLibraries, type Ws2_32, type Ws2Overlapped, type Kernel32, type Ntdll, type Msvcrt, type User32 } from './sys/winsock/library.js';
export * as WinsockConstants from './sys/winsock/constants.js';
export { addressOf, writeWsabuf, writeTimeval, WSABUF_SIZE, FD_SET_HEADER, SOCKET_SIZE, TIMEVAL_SIZE, OVERLAPPED_SIZE, OVERLAPPED_EVENT } from './sys/winsock/structs.js';
export { wsaErrorCode, wsaErrorMessage } from './sys/winsock/errors.js';
export { everyoneAccess } from './sys/winsock/named-pipes.js';
