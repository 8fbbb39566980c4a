/**
 * `@wsaloop/core`: a libuv-style event loop for Node.js whose sockets are
 * driven by a swappable Winsock I/O model.
 *
 * ```ts
 * import { createLoop } from '@wsaloop/core';
 * const loop = createLoop({ backend: 'select' });
 * const server = loop.tcp().bind('127.0.0.1', 0).listen(128, (err, client) => {
 *   client?.readStart((e, data) => (data ? client.write(data) : client.close()));
 * });
 * await loop.run();
 * ```
 * @module @wsaloop/core
 */
export { createLoop, defaultBackendName, BackendNotInstalledError, type LoopOptions } from './loop/create-loop.js';
export { Loop, type RunMode, YIELD_INTERVAL_MS } from './loop/loop.js';
export { Handle, type HandleType, type HandleEvents } from './loop/handle.js';
export { Timer, type TimerCallback } from './loop/timer.js';
export { Idle, Prepare, Check, PhaseHandle, type Phase, type PhaseCallback } from './loop/phase-handle.js';
export { Async, sendAsync, type AsyncCallback, type RemoteAsync } from './loop/async-handle.js';
export { StreamHandle, type StreamEvents, type StreamConnectionCallback, type ReadCallback, type ConnectFinish } from './loop/stream-handle.js';
export { Tcp, type TcpEvents, type ConnectionCallback } from './loop/tcp.js';
export { Pipe, type PipeEvents, type PipeConnectionCallback } from './loop/pipe.js';
export { Udp, type UdpEvents, type MessageCallback } from './loop/udp.js';
export { AcceptThread, releaseConnection, type AcceptThreadOptions, type AcceptThreadEvents, type HandedSocket } from './threads/accept-thread.js';
export {
  ServerPool,
  type ServerPoolOptions,
  type ServerPoolStats,
  type ServerPoolEvents,
  type PoolConnectionHandler,
  type PoolModuleFactory,
  type PoolLoopReport,
} from './threads/server-pool.js';
export { SocketHandleBase, type BindOptions, type SocketHandleEvents } from './loop/socket-handle.js';
export type { WriteData } from './net/arguments.js';
export { resolveHost, literalHost, type ResolvedHost } from './net/resolve.js';
export type { OperationCallback } from './net/completion.js';
export { WsaloopError, type WsaloopErrorInfo } from './errors.js';
export type { SocketAddress } from './sys/sockaddr.js';
export { processResources, type ProcessResources } from './sys/process-resources.js';
export { nativeCallCounts } from './sys/native-calls.js';
export { BackendUnsupportedError } from './backend/backend.js';
export { UnknownBackendOptionError } from './backend/options.js';
