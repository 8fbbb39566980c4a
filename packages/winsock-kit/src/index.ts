/**
 * `@wsaloop/winsock-kit`: the machinery only the Windows backends share,
 * apart from core (which knows no backend family) and from any one backend.
 * Core keeps the single Winsock declaration layer (`@wsaloop/core/winsock`);
 * this package builds on it:
 * - the overlapped proactor (AcceptEx / ConnectEx / WSARecv / WSASend with
 *   their memory in native slots, receive sizing, close with I/O in flight)
 *   (core's `AcceptKeeper` keeps its accepts), which the iocp and
 *   overlapped backends subclass with their notification;
 * - event groups: WSAWaitForMultipleEvents beyond its 64-handle limit, on
 *   wait threads, for the eventselect and overlapped backends;
 * - decoding of WSAEventSelect / WSAAsyncSelect network events into core's
 *   readiness, for the eventselect and asyncselect backends;
 * - the overlapped proactor notified by events (the overlapped backend's
 *   event mode), and the pipe sidecar through which the readiness backends
 *   serve named pipes with it.
 * @module @wsaloop/winsock-kit
 */
export { OverlappedProactor, OVERLAPPED_OPTION_NAMES, type OverlappedOptions } from './overlapped/overlapped-proactor.js';
export { EventOverlappedProactor, OPERATIONS_PER_EVENT } from './overlapped/event-proactor.js';
export { PipeSidecar, type SocketWaitCarrier } from './named-pipes/pipe-sidecar.js';
export { OverlappedOperation, SocketRecord, OperationPool, type OperationKind, OFFSET_EVENT } from './overlapped/operations.js';
export { BufferPool, type PooledBuffer } from './overlapped/receive-buffers.js';
export { NativeBlock } from './overlapped/native-block.js';
export { extensionFunctions, type ExtensionFunctions, type AcceptExFunction, type ConnectExFunction } from './overlapped/extensions.js';
export { EventGroupWaiter, EVENTS_PER_GROUP } from './event-groups/event-group-waiter.js';
export { SharedEvents, type SharedEvent, type SharedEventOptions } from './event-groups/shared-events.js';
export { ALL_NETWORK_EVENTS, readinessOf, NetworkEventLedger, type NetworkEventRegistration } from './network-events.js';
