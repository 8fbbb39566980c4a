/**
 * `@wsaloop/core/winsock`: the one shared Winsock / Win32 FFI layer (ws2_32,
 * kernel32, user32 bindings, constants, structure layouts, error table).
 * Backends import their native declarations from here; none declares its own.
 * @module @wsaloop/core/winsock
 */
export { windows, user32, type WindowsLibraries, type Ws2_32, type Ws2Overlapped, type Kernel32, type Ntdll, type Msvcrt, type User32 } from './sys/winsock/library.js';
export * as WinsockConstants from './sys/winsock/constants.js';
export { addressOf, writeWsabuf, writeTimeval, WSABUF_SIZE, FD_SET_HEADER, SOCKET_SIZE, TIMEVAL_SIZE } from './sys/winsock/structs.js';
export { wsaErrorCode, wsaErrorMessage } from './sys/winsock/errors.js';
export { OverlappedProactor, OVERLAPPED_OPTION_NAMES, type OverlappedOptions } from './sys/winsock/overlapped/overlapped-proactor.js';
export { AcceptKeeper, BURST_ACCEPTS_FACTOR, type AcceptRequest, type PostAccept } from './sys/winsock/overlapped/accept-keeper.js';
export { OverlappedOperation, SocketRecord, OperationPool, type OperationKind, OFFSET_EVENT } from './sys/winsock/overlapped/operations.js';
export { BufferPool, type PooledBuffer } from './sys/winsock/overlapped/receive-buffers.js';
export { NativeBlock } from './sys/winsock/overlapped/native-block.js';
export { extensionFunctions, type ExtensionFunctions, type AcceptExFunction, type ConnectExFunction } from './sys/winsock/overlapped/extensions.js';
export { EventGroupWaiter, EVENTS_PER_GROUP } from './sys/winsock/event-groups/event-group-waiter.js';
export { SharedEvents, type SharedEvent, type SharedEventOptions } from './sys/winsock/event-groups/shared-events.js';
export { ALL_NETWORK_EVENTS, readinessOf, NetworkEventLedger, type NetworkEventRegistration } from './sys/winsock/network-events.js';
