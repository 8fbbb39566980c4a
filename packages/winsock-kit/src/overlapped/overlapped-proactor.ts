/**
 * The overlapped-I/O machinery every completion backend shares: starting
 * AcceptEx / ConnectEx / WSARecv / WSASend / WSARecvFrom / WSASendTo with
 * their memory in native slots, turning a finished OVERLAPPED into the
 * request's result, and closing a socket with operations in flight (cancel,
 * close, wait for every completion, report ECANCELED, free nothing early).
 *
 * A backend subclass supplies only the notification: how a socket is
 * attached (a completion port), how an operation is armed (an event object or
 * a completion routine), and how it learns that an operation finished. It
 * then calls {@link OverlappedProactor.complete}.
 * @module
 */
import koffi from 'koffi';
import {
  AcceptKeeper,
  type AcceptListener,
  type AcceptRequest,
  type AddressFamily,
  COMPLETION_OPTION_NAMES,
  type CompletionOptions,
  type CompletionRequest,
  completionSettings,
  type NamedPipeOperations,
  encodeSockaddr,
  type Proactor,
  ReceiveSizing,
  type RecvFromRequest,
  type RecvRequest,
  SOCKADDR_MAX,
  type SocketApi,
  socketApi,
  type SocketHandle,
  type SocketKind,
  type WakeToken,
} from '@wsaloop/core/backend';
import { addressOf, windows, type WindowsLibraries, WinsockConstants, WSABUF_SIZE, writeWsabuf } from '@wsaloop/core/winsock';
import { extensionFunctions } from './extensions.js';
import {
  ACCEPTEX_ADDRESS_SIZE,
  ADDRESS_AREA,
  OFFSET_ADDRESS,
  OFFSET_ADDRESS_LENGTH,
  OFFSET_FLAGS,
  OperationPool,
  type OverlappedOperation,
  SocketRecord,
} from './operations.js';
import { BufferPool, type PooledBuffer } from './receive-buffers.js';

const {
  AF_INET,
  AF_INET6,
  ERROR_BROKEN_PIPE,
  ERROR_NO_DATA,
  ERROR_OPERATION_ABORTED,
  ERROR_PIPE_CONNECTED,
  ERROR_PIPE_NOT_CONNECTED,
  INVALID_SOCKET,
  IPPROTO_TCP,
  SOCK_STREAM,
  SO_UPDATE_ACCEPT_CONTEXT,
  SO_UPDATE_CONNECT_CONTEXT,
  SOL_SOCKET,
  STATUS_PENDING,
  WSA_IO_PENDING,
  WSAEAFNOSUPPORT,
  WSAEINVAL,
  WSAEWOULDBLOCK,
  WSA_FLAG_NO_HANDLE_INHERIT,
  WSA_FLAG_OVERLAPPED,
} = WinsockConstants;

/** Options every overlapped backend accepts: those of every completion backend (core's `CompletionOptions`). */
export type OverlappedOptions = CompletionOptions;

/** Names of the {@link OverlappedOptions}, for a backend's `knownOptions`. */
export const OVERLAPPED_OPTION_NAMES = COMPLETION_OPTION_NAMES;

/**
 * A completion routine (LPWSAOVERLAPPED_COMPLETION_ROUTINE) as JS sees it:
 * the Win32 / WSA error, the bytes transferred, the OVERLAPPED's address, and
 * flags.
 */
export type CompletionRoutine = (error: number, transferred: number, overlapped: number, flags: number) => void;

/** A completion routine registered as a native function pointer. */
export interface RegisteredRoutine {
  /** Its address, for the last argument of WSARecv / WSASend / WSARecvFrom / WSASendTo. */
  readonly address: number;
  /** Unregisters it; only once no operation started with it can still complete. */
  unregister(): void;
}

let routineType: koffi.IKoffiCType | null = null;
let fileRoutineType: koffi.IKoffiCType | null = null;

/** `routine` registered as a native function pointer of `type`, until unregistered (once). */
function registered(routine: (...args: number[]) => void, type: koffi.IKoffiCType): RegisteredRoutine {
  const pointer = koffi.register(routine, koffi.pointer(type));
  let live = true;
  return {
    address: Number(koffi.address(pointer)),
    unregister: () => {
      if (live) koffi.unregister(pointer);
      live = false;
    },
  };
}

/** Sends up to this size are copied into a pooled buffer; larger ones go out zero-copy. */
const SMALL_SEND = 4096;
/** Datagrams are received whole: room for the largest UDP payload, whatever the stream receive size. */
const DATAGRAM_BUFFER = 64 * 1024;
/** Most WSABUFs in one call. */
const MAX_GATHER = 64;
/** NTSTATUS of a cancelled operation. */
const STATUS_CANCELLED = 0xc0000120;
/** NTSTATUS values from here up are errors (NT_ERROR); below are successes and warnings. */
const NT_ERROR_FIRST = 0xc0000000;
const EMPTY = new Uint8Array(0);
/**
 * Most connections one poll takes from listeners' backlogs with accept():
 * a burst is taken in a few polls, and the connections already open are
 * still served between them. Taking them fast matters more than it seems:
 * while the kernel's accept queue is full, the handshakes it drops leave
 * clients retrying with backoffs of seconds (a 5000-connection burst under
 * Wine starved late connections at 256 per poll).
 */
const BACKLOG_ACCEPTS_PER_POLL = 1024;

/**
 * Base of the completion backends (IOCP, overlapped with events or routines).
 * Named pipes are served by the same machinery: their handles take the
 * socket operations, with ReadFile / WriteFile / ConnectNamedPipe in place of
 * the Winsock calls, and the same OVERLAPPED slots and notifications.
 */
export abstract class OverlappedProactor implements Proactor, NamedPipeOperations {
  readonly kind = 'proactor' as const;
  abstract readonly name: string;
  abstract readonly wakeToken: WakeToken;
  /** Accepts kept posted per listener (see {@link AcceptKeeper}). */
  readonly acceptsAhead: number;
  protected readonly win: WindowsLibraries = windows();
  protected readonly api: SocketApi = socketApi();
  protected readonly operations = new OperationPool();
  /** Pool of the buffers small sends are copied into. */
  readonly #sendBuffers: BufferPool;
  /** Pool of datagram receive buffers. */
  readonly #datagramBuffers: BufferPool;
  /** Pools by size, from `recvBufferSize` doubling up to `maxRecvBufferSize`. */
  readonly #pools = new Map<number, BufferPool>();
  readonly #sizing: ReceiveSizing;
  readonly #records = new Map<SocketHandle, SocketRecord>();
  /** Reported operations whose slot waits for {@link strayAbsorbed} before reuse. */
  readonly #held = new Set<OverlappedOperation>();
  #ready: OverlappedOperation[] = [];
  /** Accepts served by accept(): reported in the same poll, up to {@link BACKLOG_ACCEPTS_PER_POLL}. */
  #readyAccepts: OverlappedOperation[] = [];
  #readyCallbacks: Array<() => void> = [];
  readonly #wsabufs = Buffer.alloc(MAX_GATHER * WSABUF_SIZE);
  /** Where #wsabufs is: the overlapped calls take addresses (core's Ws2Overlapped). */
  readonly #wsabufsAddress = addressOf(this.#wsabufs);
  readonly #u32a = new Uint32Array(1);
  readonly #u32b = new Uint32Array(1);
  readonly #pointerArg = Buffer.alloc(8);

  protected constructor(options: OverlappedOptions) {
    const settings = OverlappedProactor.settings(options);
    this.#sendBuffers = this.#pool(SMALL_SEND);
    this.#datagramBuffers = this.#pool(DATAGRAM_BUFFER);
    this.#sizing = new ReceiveSizing(settings);
    this.acceptsAhead = settings.acceptsAhead;
  }

  /**
   * Validates `options` and fills in the defaults, without allocating
   * anything: for a backend that checks its options on one thread and builds
   * the proactor on another.
   * @throws RangeError for an out-of-range value.
   */
  static settings(options: OverlappedOptions): Required<OverlappedOptions> {
    return completionSettings(options);
  }

  /** The pool of buffers of `size` bytes. */
  #pool(size: number): BufferPool {
    let pool = this.#pools.get(size);
    if (!pool) {
      pool = new BufferPool(size);
      this.#pools.set(size, pool);
    }
    return pool;
  }

  /** Adapts the record's receive size to a receive of `n` bytes into `size`. */
  #adapt(record: SocketRecord, size: number, n: number): void {
    record.receiveSize = this.#sizing.next(size, n);
  }

  // ---- what a notification model supplies ----

  /** Attaches a new socket to the notification mechanism. Returns 0 or a negated error. */
  protected abstract attach(record: SocketRecord): number;
  /** Prepares an operation before it starts; returns a completion routine address, or 0. */
  protected abstract arm(op: OverlappedOperation): number;
  /** Whether an operation that succeeded synchronously still produces a notification. */
  protected abstract notifiesSynchronousSuccess(record: SocketRecord): boolean;
  /** The operation is in flight; a notification will follow. */
  protected abstract pending(op: OverlappedOperation): void;
  /** The operation was reported; release what `arm` took. */
  protected abstract released(op: OverlappedOperation): void;
  /** Something was queued for the next poll from outside it: make a blocked poll return. */
  protected abstract readyQueued(): void;
  /**
   * `op` failed as it was started, yet a notification may still arrive for it
   * (its `stray` flag is set; every notification path ignores such an
   * operation). Returns true when none can arrive any more (it was consumed
   * already, or this model never delivers one), so the slot may be reused
   * once the failure is reported; false when the model calls
   * {@link strayAbsorbed} later, and until then the slot is held.
   */
  protected abstract absorbStray(op: OverlappedOperation): boolean;

  abstract poll(timeoutMs: number): number | Promise<number>;
  abstract wake(): void;
  protected abstract closeNotifier(): void;

  /**
   * Registers `routine` as a native completion routine, for `arm` to return.
   * Windows runs it only on the thread that started the operation, and only
   * while that thread waits alertably (SleepEx / WSAWaitForMultipleEvents
   * with fAlertable = TRUE): the routine then runs inside that wait call.
   */
  protected registerCompletionRoutine(routine: CompletionRoutine): RegisteredRoutine {
    // void CALLBACK (DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED, DWORD dwFlags). Anonymous:
    // a named koffi type could be declared only once per thread, and a
    // thread may hold two copies of core (one per module system).
    routineType ??= koffi.proto('__stdcall', null, 'void', ['uint32_t', 'uint32_t', 'uintptr_t', 'uint32_t']);
    return registered(routine, routineType);
  }

  /** This proactor serves named pipes itself. */
  get namedPipes(): NamedPipeOperations {
    return this;
  }

  /**
   * The completion routine for a named pipe's ReadFileEx / WriteFileEx, for
   * a model whose `arm` returns routines (LPOVERLAPPED_COMPLETION_ROUTINE
   * takes no flags argument, so it is a routine of its own). 0: none.
   */
  protected fileRoutine(): number {
    return 0;
  }

  /**
   * Registers `routine` as a native LPOVERLAPPED_COMPLETION_ROUTINE (the
   * Win32 error, the bytes transferred, the OVERLAPPED's address), for
   * {@link fileRoutine} to return. Same rules as {@link registerCompletionRoutine}.
   */
  protected registerFileCompletionRoutine(routine: (error: number, transferred: number, overlapped: number) => void): RegisteredRoutine {
    // void CALLBACK (DWORD dwErrorCode, DWORD dwNumberOfBytesTransfered, LPOVERLAPPED), anonymous as above.
    fileRoutineType ??= koffi.proto('__stdcall', null, 'void', ['uint32_t', 'uint32_t', 'uintptr_t']);
    return registered(routine, fileRoutineType);
  }

  // ---- the Proactor contract ----

  associate(socket: SocketHandle, family: AddressFamily, _kind?: SocketKind): number {
    const record = new SocketRecord(socket, family, this.#sizing.initial);
    const rc = this.attach(record);
    if (rc < 0) return rc;
    this.#records.set(socket, record);
    return 0;
  }

  associatePipe(handle: SocketHandle): number {
    const record = new SocketRecord(handle, 'unix', this.#sizing.initial);
    record.pipe = true;
    const rc = this.attach(record);
    if (rc < 0) return rc;
    this.#records.set(handle, record);
    return 0;
  }

  awaitClient(handle: SocketHandle, request: CompletionRequest): void {
    const op = this.#begin(this.#record(handle), 'await-client', request);
    this.#arm(op); // ConnectNamedPipe takes no completion routine either
    if (this.win.kernel32.ConnectNamedPipe(handle, op.address) !== 0) return this.#started(op, true);
    const error = this.win.kernel32.GetLastError();
    // A client that connected between the instance's creation and this call:
    // connected, and no notification follows.
    if (error === ERROR_PIPE_CONNECTED) return this.#succeedNow(op);
    this.#started(op, false, error);
  }

  startAccepting(socket: SocketHandle, family: AddressFamily, listener: AcceptListener): void {
    const record = this.#record(socket);
    record.accepts ??= new AcceptKeeper(this.acceptsAhead, (request) => this.acceptOne(socket, family, request), (code) => this.api.isWouldBlock(code));
    record.accepts.start(listener);
  }

  stopAccepting(socket: SocketHandle): void {
    this.#records.get(socket)?.accepts?.stop();
  }

  /**
   * Starts one accept on the listening `socket`: what {@link AcceptKeeper}
   * posts, and what the completion-routine thread runs for its own keeper.
   */
  acceptOne(socket: SocketHandle, family: AddressFamily, request: AcceptRequest): void {
    const record = this.#record(socket);
    const op = this.#begin(record, 'accept', request);
    if (record.backlogLikely || request.optional === true) {
      // A burst of connections: take what the backlog holds with accept(),
      // one call, instead of a socket creation, an AcceptEx and a completion
      // per connection, each waiting for the loop to come round again.
      // (accept() returns a socket with the listener's attributes, overlapped
      // included, and its accept context already set.)
      const accepted = this.api.accept(socket);
      if (accepted >= 0) {
        op.acceptSocket = accepted;
        op.acceptedAtOnce = true;
        this.#readyAccepts.push(op);
        this.readyQueued();
        return;
      }
      // Empty (or a connection reset in it): the burst is over. An accept
      // posted for the burst only is not kept pending.
      record.backlogLikely = false;
      record.probeSkip = record.probeGap = Math.min(Math.max(1, record.probeGap * 2), this.acceptsAhead);
      if (request.optional === true) return this.#failNow(op, WSAEWOULDBLOCK);
    }
    const acceptSocket = this.#openAcceptSocket(family);
    if (acceptSocket < 0) return this.#failNow(op, -acceptSocket);
    op.acceptSocket = acceptSocket;
    const { AcceptEx } = extensionFunctions(socket, family);
    this.#arm(op); // AcceptEx takes no completion routine: models that use one must notify otherwise
    const ok = AcceptEx(socket, acceptSocket, op.field(OFFSET_ADDRESS), 0, ACCEPTEX_ADDRESS_SIZE, ACCEPTEX_ADDRESS_SIZE, op.field(OFFSET_FLAGS), op.address);
    this.#started(op, ok !== 0);
  }

  /**
   * A socket for AcceptEx to accept into: overlapped, not inheritable, and
   * left in blocking mode (see `SocketRecord.blocking`). Returns it, or a
   * negated WSA error.
   */
  #openAcceptSocket(family: AddressFamily): SocketHandle {
    const { ws2 } = this.win;
    const socket = ws2.WSASocketW(family === 'ipv4' ? AF_INET : AF_INET6, SOCK_STREAM, IPPROTO_TCP, null, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    return socket === INVALID_SOCKET ? -ws2.WSAGetLastError() : socket;
  }

  connect(socket: SocketHandle, family: AddressFamily, address: Buffer, length: number, request: CompletionRequest): void {
    const record = this.#record(socket);
    const op = this.#begin(record, 'connect', request);
    // Pipes on Windows are named pipes, never sockets here (core refuses AF_UNIX there).
    if (family === 'unix') return this.#failNow(op, WSAEAFNOSUPPORT);
    // ConnectEx needs a bound socket; binding an already bound one fails with WSAEINVAL.
    const wildcard = Buffer.alloc(SOCKADDR_MAX);
    const wildcardLength = encodeSockaddr(this.api, family, family === 'ipv4' ? '0.0.0.0' : '::', 0, wildcard);
    const bound = this.api.bind(socket, wildcard, wildcardLength);
    if (bound < 0 && -bound !== WSAEINVAL) return this.#failNow(op, -bound);
    address.copy(op.slot, OFFSET_ADDRESS, 0, Math.min(length, ADDRESS_AREA));
    const { ConnectEx } = extensionFunctions(socket, family);
    this.#arm(op); // nor does ConnectEx
    const ok = ConnectEx(socket, op.field(OFFSET_ADDRESS), length, 0, 0, 0, op.address);
    this.#started(op, ok !== 0);
  }

  recv(socket: SocketHandle, request: RecvRequest): void {
    const record = this.#record(socket);
    // A pipe always reads into a buffer: a zero-byte read would complete on a zero-byte message as well.
    const op = this.#begin(record, !record.pipe && this.#sizing.waitsForData(this.#records.size) ? 'poll-recv' : 'recv', request);
    this.#issueRecv(op);
  }

  #issueRecv(op: OverlappedOperation): void {
    const record = op.record!;
    if (record.pipe) {
      op.buffer = this.#pool(record.receiveSize).acquire();
      const { kernel32 } = this.win;
      const ok =
        this.#arm(op) === 0
          ? kernel32.ReadFile(record.socket, op.buffer.address, op.buffer.bytes.byteLength, 0, op.address)
          : kernel32.ReadFileEx(record.socket, op.buffer.address, op.buffer.bytes.byteLength, op.address, this.fileRoutine());
      return this.#started(op, ok !== 0, ok !== 0 ? 0 : kernel32.GetLastError());
    }
    if (op.kind === 'recv') {
      op.buffer = this.#pool(op.record!.receiveSize).acquire();
      writeWsabuf(this.#wsabufs, 0, op.buffer.address, op.buffer.bytes.byteLength);
    } else {
      writeWsabuf(this.#wsabufs, 0, 0, 0);
    }
    const routine = this.#arm(op);
    const rc = this.win.ws2Overlapped.WSARecv(op.record!.socket, this.#wsabufsAddress, 1, 0, op.field(OFFSET_FLAGS), op.address, routine);
    this.#started(op, rc === 0);
  }

  send(socket: SocketHandle, buffers: readonly Uint8Array[], request: CompletionRequest): void {
    const record = this.#record(socket);
    const op = this.#begin(record, 'send', request);
    if (record.pipe) return this.#writePipe(op, buffers);
    const count = this.#prepareSend(op, buffers);
    const routine = this.#arm(op);
    const rc = this.win.ws2Overlapped.WSASend(socket, this.#wsabufsAddress, count, 0, 0, op.address, routine);
    this.#started(op, rc === 0);
  }

  recvFrom(socket: SocketHandle, request: RecvFromRequest): void {
    const record = this.#record(socket);
    const op = this.#begin(record, 'recvfrom', request);
    // Datagrams get a fixed size that holds any of them (a larger buffer never fills better).
    op.buffer = this.#datagramBuffers.acquire();
    writeWsabuf(this.#wsabufs, 0, op.buffer.address, this.#datagramBuffers.size);
    op.slot.writeInt32LE(ADDRESS_AREA, OFFSET_ADDRESS_LENGTH);
    const routine = this.#arm(op);
    const rc = this.win.ws2Overlapped.WSARecvFrom(
      socket,
      this.#wsabufsAddress,
      1,
      0,
      op.field(OFFSET_FLAGS),
      op.field(OFFSET_ADDRESS),
      op.field(OFFSET_ADDRESS_LENGTH),
      op.address,
      routine,
    );
    this.#started(op, rc === 0);
  }

  sendTo(socket: SocketHandle, buffers: readonly Uint8Array[], address: Buffer, length: number, request: CompletionRequest): void {
    const record = this.#record(socket);
    const op = this.#begin(record, 'sendto', request);
    const count = Math.max(1, this.#prepareSend(op, buffers));
    address.copy(op.slot, OFFSET_ADDRESS, 0, Math.min(length, ADDRESS_AREA));
    const routine = this.#arm(op);
    const rc = this.win.ws2Overlapped.WSASendTo(socket, this.#wsabufsAddress, count, 0, 0, op.field(OFFSET_ADDRESS), length, op.address, routine);
    this.#started(op, rc === 0);
  }

  closeSocket(socket: SocketHandle, done: () => void): void {
    const record = this.#records.get(socket);
    this.#records.delete(socket);
    if (record) {
      record.open = false;
      record.accepts?.stop();
      // Cancel first, then close: closing a socket with a receive still
      // pending would otherwise abort the connection with a reset.
      if (record.inFlight > 0) this.win.kernel32.CancelIoEx(socket, 0);
    }
    if (record?.pipe) this.win.kernel32.CloseHandle(socket);
    else this.api.close(socket);
    if (!record || record.inFlight === 0) this.#queueCallback(done);
    else record.onDrained = done;
  }

  close(): void {
    this.closeNotifier();
    // Memory Winsock might still write to is never freed: with every socket
    // closed and drained (core guarantees it) nothing is live. A held slot
    // was written when its call returned; only a notification could follow.
    if (this.operations.live === this.#held.size) {
      this.operations.destroy();
      for (const pool of this.#pools.values()) if (pool.inUse === 0) pool.destroy();
    }
  }

  stats(): Record<string, number> {
    let inUse = 0;
    let allocated = 0;
    for (const pool of this.#pools.values()) {
      inUse += pool.inUse;
      allocated += pool.allocated;
    }
    return {
      liveOperations: this.operations.live,
      buffersInUse: inUse,
      buffersAllocated: allocated,
      openSockets: this.#records.size,
    };
  }

  /** Returns a pooled buffer to the pool of its size. */
  #release(buffer: PooledBuffer): void {
    this.#pool(buffer.bytes.byteLength).release(buffer);
  }

  // ---- completion ----

  /** Nothing in flight and nothing to report: a wait could only end by its timeout or a wake. */
  get idle(): boolean {
    return this.operations.live === this.#held.size && !this.hasReady;
  }

  /** Whether completions or callbacks are waiting to be reported by the next poll. */
  protected get hasReady(): boolean {
    return this.#ready.length > 0 || this.#readyCallbacks.length > 0 || this.#readyAccepts.length > 0;
  }

  /**
   * Reports what finished synchronously before this call; returns how many.
   * What finishes while reporting (a receive re-posted into data already
   * there) waits for the next poll, so a busy socket cannot keep the loop in
   * one phase forever. Accepts served from a backlog are the exception, up
   * to a budget: each one reported is re-posted, and takes the next
   * connection, so a burst is not taken one poll per connection.
   */
  protected deliverReady(): number {
    const ops = this.#ready;
    const callbacks = this.#readyCallbacks;
    let n = 0;
    if (ops.length > 0 || callbacks.length > 0) {
      this.#ready = [];
      this.#readyCallbacks = [];
      for (const op of ops) this.complete(op);
      for (const cb of callbacks) cb();
      n = ops.length + callbacks.length;
    }
    for (let budget = BACKLOG_ACCEPTS_PER_POLL; budget > 0 && this.#readyAccepts.length > 0; budget--, n++) {
      this.complete(this.#readyAccepts.shift()!);
    }
    return n;
  }

  /** The operation whose OVERLAPPED is at `address`. */
  protected operationAt(address: number): OverlappedOperation | undefined {
    return this.operations.find(address);
  }

  /**
   * Reports a finished operation: reads its status and byte count from the
   * OVERLAPPED, hands the result to the request, and releases the slot.
   */
  protected complete(op: OverlappedOperation): void {
    const record = op.record!;
    let code = op.syncError;
    if (code === 0) {
      const status = op.status;
      if (status !== 0) code = this.#errorOf(record, op, status);
    }
    if (op.kind === 'poll-recv' && code === 0 && record.open) {
      // Data (or end of stream) is there: take a buffer only now.
      if (this.#readAfterPoll(op)) return;
    }
    if (record.pipe && op.kind === 'recv') {
      // The peer closed its end (or a server instance lost its client):
      // that is a pipe's end of stream.
      if (code === ERROR_BROKEN_PIPE || code === ERROR_PIPE_NOT_CONNECTED || code === ERROR_NO_DATA) {
        this.#release(op.buffer!);
        op.buffer = null;
        return this.#finishWith(op, 0, EMPTY);
      }
      // A zero-byte message is not the end of a byte stream: read again.
      if (code === 0 && op.transferred === 0 && record.open) {
        this.#release(op.buffer!);
        op.buffer = null;
        this.released(op);
        op.reset();
        return this.#issueRecv(op);
      }
    }
    this.#finish(op, code);
  }

  /** A zero-byte receive finished: read what arrived. False when it must be re-posted. */
  #readAfterPoll(op: OverlappedOperation): boolean {
    const record = op.record!;
    if (record.blocking) {
      // An AcceptEx socket's first read of this kind: recv must not wait.
      const rc = this.api.setBlocking(record.socket, false);
      if (rc < 0) {
        this.#finishWith(op, -rc, null);
        return true;
      }
      record.blocking = false;
    }
    const size = record.receiveSize;
    const buffer = this.#pool(size).acquire();
    const n = this.api.recv(record.socket, buffer.bytes, 0, size);
    if (n < 0 && this.api.isWouldBlock(-n)) {
      this.#release(buffer);
      this.released(op);
      op.reset();
      this.#issueRecv(op);
      return true;
    }
    if (n > 0) this.#adapt(record, size, n);
    const data = n > 0 ? Buffer.from(buffer.bytes.subarray(0, n)) : EMPTY;
    this.#release(buffer);
    this.#finishWith(op, n < 0 ? -n : 0, data);
    return true;
  }

  #finish(op: OverlappedOperation, code: number): void {
    let data: Uint8Array | null = null;
    let from: Buffer | null = null;
    if (code === 0 && op.buffer && (op.kind === 'recv' || op.kind === 'recvfrom')) {
      const n = op.transferred;
      data = n > 0 ? Buffer.from(op.buffer.bytes.subarray(0, n)) : EMPTY;
      if (op.kind === 'recv') this.#adapt(op.record!, op.buffer.bytes.byteLength, n);
      if (op.kind === 'recvfrom') {
        const length = op.slot.readInt32LE(OFFSET_ADDRESS_LENGTH);
        from = Buffer.from(op.slot.subarray(OFFSET_ADDRESS, OFFSET_ADDRESS + Math.min(length, ADDRESS_AREA)));
      }
    }
    this.#finishWith(op, code, data, from);
  }

  #finishWith(op: OverlappedOperation, code: number, data: Uint8Array | null, from: Buffer | null = null): void {
    const record = op.record!;
    const request = op.request!;
    const kind = op.kind;
    const fromBacklog = op.acceptedAtOnce;
    let accepted = -1;
    if (kind === 'accept') {
      accepted = this.#finishAccept(op, record, code);
      if (accepted < 0 && code === 0) code = -accepted;
    } else if (kind === 'connect' && code === 0) this.win.ws2.setsockopt(record.socket, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, EMPTY, 0);
    if (op.buffer) this.#release(op.buffer);
    this.released(op);
    if (op.stray) this.#held.add(op);
    else this.operations.release(op);
    record.inFlight--;
    switch (kind) {
      case 'accept':
        (request as AcceptRequest).complete(code, accepted, fromBacklog);
        break;
      case 'recv':
      case 'poll-recv':
        (request as RecvRequest).complete(code, code === 0 ? data : null);
        break;
      case 'recvfrom':
        (request as RecvFromRequest).complete(code, code === 0 ? data : null, code === 0 ? from : null);
        break;
      default:
        (request as CompletionRequest).complete(code);
    }
    if (!record.open && record.inFlight === 0 && record.onDrained) {
      const drained = record.onDrained;
      record.onDrained = null;
      drained();
    }
  }

  /**
   * Completes the accept socket's setup; returns it, or closes it and
   * returns a negated error: the setup's own (a connection that failed on
   * its way in: core drops it and accepts again), or
   * ERROR_OPERATION_ABORTED when the listener closed meanwhile.
   */
  #finishAccept(op: OverlappedOperation, listener: SocketRecord, code: number): SocketHandle {
    const socket = op.acceptSocket;
    if (socket < 0) return -ERROR_OPERATION_ABORTED;
    if (code !== 0 || !listener.open) {
      // The listener closed while this accept was posted. Wine can still
      // take a connection into it after the listener's closesocket: reset
      // it, or its client would see an orderly end from a server that never
      // served it instead of a refused connection.
      if (!listener.open) this.api.setOption(socket, 'lingerZero', 1, listener.family);
      this.api.close(socket);
      return -(code || ERROR_OPERATION_ABORTED);
    }
    if (op.acceptedAtOnce) {
      // The backlog held this one: others of a burst are likely behind it.
      listener.backlogLikely = true;
      listener.probeGap = 0;
      const rc = this.associate(socket, listener.family);
      return rc < 0 ? (this.api.close(socket), rc) : socket;
    }
    // An AcceptEx took it: a burst may have queued more behind the posted
    // AcceptEx, unless accept() found the backlog empty not long ago.
    if (listener.probeSkip > 0) listener.probeSkip--;
    else listener.backlogLikely = true;
    // Without SO_UPDATE_ACCEPT_CONTEXT the accepted socket would not know
    // its listener: getpeername, shutdown and setsockopt would fail on it.
    this.#pointerArg.writeUInt32LE(listener.socket % 0x100000000, 0);
    this.#pointerArg.writeUInt32LE(Math.floor(listener.socket / 0x100000000), 4);
    let rc = this.win.ws2.setsockopt(socket, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, this.#pointerArg, 8) === 0 ? 0 : -this.win.ws2.WSAGetLastError();
    if (rc === 0) rc = this.associate(socket, listener.family);
    if (rc < 0) {
      this.api.close(socket);
      return rc;
    }
    this.#records.get(socket)!.blocking = true;
    return socket;
  }

  /**
   * No notification can arrive any more for `op`, which failed as it was
   * started (see {@link absorbStray}): its slot may be reused once reported.
   */
  protected strayAbsorbed(op: OverlappedOperation): void {
    op.stray = false;
    if (this.#held.delete(op)) this.operations.release(op);
  }

  /** The Win32 / WSA error of a failed operation. */
  #errorOf(record: SocketRecord, op: OverlappedOperation, status: number): number {
    if (status === STATUS_CANCELLED) return ERROR_OPERATION_ABORTED;
    if (record.open && !record.pipe) {
      // The documented way to learn a failed overlapped operation's WSA error.
      const ok = this.win.ws2.WSAGetOverlappedResult(record.socket, op.address, this.#u32a, 0, this.#u32b);
      if (!ok) return this.win.ws2.WSAGetLastError();
    }
    return this.win.ntdll.RtlNtStatusToDosError(status);
  }

  // ---- starting ----

  #record(socket: SocketHandle): SocketRecord {
    let record = this.#records.get(socket);
    if (!record) {
      // A socket core did not associate (should not happen): adopt it.
      record = new SocketRecord(socket, 'ipv4', this.#sizing.initial);
      this.attach(record);
      this.#records.set(socket, record);
    }
    return record;
  }

  /** Marks the OVERLAPPED as not yet written by the system, then lets the model arm it. */
  #arm(op: OverlappedOperation): number {
    op.slot.writeUInt32LE(STATUS_PENDING, 0);
    return this.arm(op);
  }

  #begin(record: SocketRecord, kind: OverlappedOperation['kind'], request: OverlappedOperation['request']): OverlappedOperation {
    const op = this.operations.acquire();
    op.kind = kind;
    op.record = record;
    op.request = request;
    op.syncError = 0;
    record.inFlight++;
    return op;
  }

  /**
   * Routes a just-issued operation: in flight, finished now, or failed now.
   * `error` is the call's last error, for the calls that are not Winsock's.
   */
  #started(op: OverlappedOperation, succeeded: boolean, error = succeeded ? 0 : this.win.ws2.WSAGetLastError()): void {
    if (succeeded) {
      if (this.notifiesSynchronousSuccess(op.record!)) this.pending(op);
      else this.#queueReady(op);
      return;
    }
    if (error === WSA_IO_PENDING) {
      this.pending(op);
      return;
    }
    // A call that fails at once with an error (NT_ERROR) produces no
    // notification. One that fails with a warning does: NT completes a
    // warning like a success, writing the OVERLAPPED and queueing the
    // routine, port packet or event, while the call reports the failure
    // (Wine: an oversized datagram fails WSASendTo with WSAEMSGSIZE, from
    // STATUS_BUFFER_OVERFLOW). Report the failure now, and make sure that
    // notification cannot be taken for a later operation in the same slot.
    const status = op.status;
    if (status !== STATUS_PENDING && status < NT_ERROR_FIRST) {
      op.stray = true;
      if (this.absorbStray(op)) op.stray = false;
    }
    this.#failNow(op, error);
  }

  /** Reports `op` as succeeded with nothing transferred, with no notification to wait for. */
  #succeedNow(op: OverlappedOperation): void {
    op.slot.fill(0, 0, 16); // Internal (status) and InternalHigh (bytes)
    this.#queueReady(op);
  }

  /**
   * WriteFile takes one buffer: small writes and gathers are copied into one,
   * a single large buffer goes out as it is. Nothing is written for no
   * bytes: the peer would read a zero-byte message.
   */
  #writePipe(op: OverlappedOperation, buffers: readonly Uint8Array[]): void {
    let total = 0;
    for (const b of buffers) total += b.byteLength;
    if (total === 0) return this.#succeedNow(op);
    let address: number;
    if (total <= SMALL_SEND) {
      this.#prepareSend(op, buffers);
      address = op.buffer!.address;
    } else {
      const pieces = buffers.filter((b) => b.byteLength > 0);
      let whole = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
      // As for sockets: never hand the system a resizable ArrayBuffer's bytes.
      if ((whole.buffer as ArrayBuffer & { resizable?: boolean }).resizable) whole = Buffer.from(whole);
      op.keep = [whole];
      address = addressOf(whole);
    }
    const { kernel32 } = this.win;
    const handle = op.record!.socket;
    const ok = this.#arm(op) === 0 ? kernel32.WriteFile(handle, address, total, 0, op.address) : kernel32.WriteFileEx(handle, address, total, op.address, this.fileRoutine());
    this.#started(op, ok !== 0, ok !== 0 ? 0 : kernel32.GetLastError());
  }

  #failNow(op: OverlappedOperation, error: number): void {
    op.syncError = error;
    this.#queueReady(op);
  }

  #queueReady(op: OverlappedOperation): void {
    this.#ready.push(op);
    this.readyQueued();
  }

  #queueCallback(cb: () => void): void {
    this.#readyCallbacks.push(cb);
    this.readyQueued();
  }

  /** Fills the WSABUF scratch array for a send; returns the entry count. */
  #prepareSend(op: OverlappedOperation, buffers: readonly Uint8Array[]): number {
    let total = 0;
    for (const b of buffers) total += b.byteLength;
    if (total <= SMALL_SEND) {
      // Small sends: one copy into pooled native memory beats pinning the caller's bytes.
      const buffer = this.#sendBuffers.acquire();
      let at = 0;
      for (const b of buffers) {
        buffer.bytes.set(b, at);
        at += b.byteLength;
      }
      op.buffer = buffer;
      writeWsabuf(this.#wsabufs, 0, buffer.address, total);
      return 1;
    }
    const pieces = buffers.length > MAX_GATHER ? [Buffer.concat(buffers)] : buffers;
    const kept: Uint8Array[] = [];
    let count = 0;
    for (const b of pieces) {
      if (b.byteLength === 0) continue;
      // A resizable ArrayBuffer could shrink under Winsock: send a copy of it.
      // Reading .buffer also moves a small on-heap typed array off the heap.
      const stable = (b.buffer as ArrayBuffer & { resizable?: boolean }).resizable ? Buffer.from(b) : b;
      kept.push(stable);
      writeWsabuf(this.#wsabufs, count++, addressOf(stable), stable.byteLength);
    }
    op.keep = kept;
    return count;
  }
}
