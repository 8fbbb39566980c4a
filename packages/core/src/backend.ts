/**
 * `@wsaloop/core/backend`: the contract backend packages implement, and the
 * platform-neutral helpers they may use. Apps do not need this entry point.
 * @module @wsaloop/core/backend
 */
export type { Backend, BackendBase, BackendModule, BackendOptions } from './backend/backend.js';
export { BackendUnsupportedError } from './backend/backend.js';
export { checkBackendOptions, UnknownBackendOptionError } from './backend/options.js';
export { Readiness, type Reactor, type ReadinessListener } from './backend/reactor.js';
export type { Proactor, NamedPipeOperations, CompletionRequest, AcceptListener, RecvRequest, RecvFromRequest } from './backend/proactor.js';
export { COMPLETION_OPTION_NAMES, type CompletionOptions, completionSettings, ReceiveSizing } from './backend/completion-options.js';
export { AcceptKeeper, BURST_ACCEPTS_FACTOR, type AcceptRequest, type PostAccept } from './backend/accept-keeper.js';
export type { WakeToken, SocketWakeToken, EventFdWakeToken, CompletionPortWakeToken, EventWakeToken, WindowWakeToken, SharedFlagWakeToken } from './backend/wake-token.js';
export { performWake } from './backend/remote-wake.js';
export { onProcessExit } from './loop/exit-guard.js';
export type { SocketApi, SocketHandle, AddressFamily, IpFamily, SocketKind, SocketOption, MulticastMembership } from './sys/socket-api.js';
export { socketApi } from './sys/platform.js';
export { encodeSockaddr, decodeSockaddr, SOCKADDR_MAX, type SocketAddress, type FamilyConstants } from './sys/sockaddr.js';
export type { NativeFunction, AsyncResult, NativePointer } from './sys/native-function.js';
export { countedCalls } from './sys/native-calls.js';
