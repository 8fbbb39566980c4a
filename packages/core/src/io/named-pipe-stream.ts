/**
 * Windows named pipes as a stream channel, over a backend that serves them
 * (its `namedPipes` operations). Reads, writes and close are a proactive
 * stream's, on the pipe's handle; what differs is how the handle comes to
 * be, and the end of a stream:
 *
 * - **A server** is a set of pipe instances, each waiting for one client
 *   (ConnectNamedPipe), as a listening socket keeps AcceptEx posted. The
 *   first instance claims the name at bind; each client takes an instance
 *   as its connection, and a new instance takes its place.
 * - **A client** opens the name (CreateFileW). When every instance is
 *   taken (`ERROR_PIPE_BUSY`) it tries again, backing off, for up to 30 s,
 *   libuv's wait; the loop's thread never blocks in WaitNamedPipe.
 * - **Half-close**: a named pipe has none; an end is open or closed. As
 *   libuv does (so our pipes and node:net's agree), a shut-down end that
 *   reads and gets nothing for 50 ms takes the silence as the peer's end:
 *   the read in flight is cancelled and reported as end of stream. Closing
 *   the handle then shows the peer its end.
 * @module
 */
import type { CompletionRequest, NamedPipeOperations } from '../backend/proactor.js';
import type { ConnectionReport, Done, IoService, StreamChannel } from './channel.js';
import { ProactiveIo, ProactiveStream } from './proactive-io.js';
import { ReactiveIo } from './reactive-io.js';
import type { SocketOption } from '../sys/socket-api.js';
import { ERROR_NO_DATA, ERROR_OPERATION_ABORTED, ERROR_PIPE_BUSY, ERROR_SEM_TIMEOUT, WSAEINVAL, WSAENOTCONN, WSAENOTSOCK, WSAEOPNOTSUPP } from '../sys/winsock/constants.js';
import { cancelPipeIo, closePipeHandle, createPipeInstance, decodePipeName, encodePipeName, isPipeHandle, openPipeClient } from '../sys/winsock/named-pipes.js';

/**
 * Most instances of a server kept waiting for clients (fewer when the
 * listen backlog is smaller): a client that finds every instance taken backs
 * off and tries again, so a burst connects faster the more are waiting. 500
 * node:net clients at once under Wine were all served in 9.1-10.2 s with 4
 * waiting (libuv's number), 6.3 s with 16, 3.1 s with 64, 1.3 s with 256.
 * Each waiting instance costs a kernel object, a handle and an operation
 * slot; 64 keeps that small for a server with one client.
 */
const MOST_INSTANCES_WAITING = 64;
/** How long a client keeps trying while every instance is busy (libuv's WaitNamedPipe timeout). */
const CONNECT_TIMEOUT_MS = 30_000;
/** Longest pause between two tries of a busy pipe. */
const BUSY_RETRY_MAX_MS = 32;
/** Silence that ends a shut-down pipe's reading (libuv's `eof_timeout`, which node:net's pipes use). */
const EOF_TIMEOUT_MS = 50;
const EMPTY = new Uint8Array(0);

type Role = 'new' | 'server' | 'client' | 'accepted';

/** Where a loop's named pipes run: a proactive io, and its proactor's pipe operations. */
interface PipeService {
  io: ProactiveIo;
  pipes: NamedPipeOperations;
}

/** A reactor's pipe service, made once per loop. */
const reactorPipes = new WeakMap<ReactiveIo, PipeService>();

/**
 * Where `io`'s named pipes run, or null when its backend serves none: a
 * proactor serves them itself; a reactor through a proactor of its own
 * (`namedPipeProactor`), which gets a proactive io of its own on the same
 * loop.
 */
export function namedPipesOf(io: IoService): PipeService | null {
  if (io instanceof ProactiveIo) return io.proactor.namedPipes ? { io, pipes: io.proactor.namedPipes } : null;
  if (!(io instanceof ReactiveIo)) return null;
  let service = reactorPipes.get(io);
  if (!service) {
    const proactor = io.reactor.namedPipeProactor;
    if (!proactor?.namedPipes) return null;
    service = { io: new ProactiveIo(io.scheduler, proactor, io.api), pipes: proactor.namedPipes };
    reactorPipes.set(io, service);
  }
  return service;
}

/** A new named-pipe channel on `io` (its backend must serve named pipes: see {@link namedPipesOf}). */
export function openNamedPipe(io: IoService): StreamChannel {
  const service = namedPipesOf(io);
  if (!service) throw new Error('this backend serves no named pipes');
  return new NamedPipeStream(service.io, service.pipes, -1, 'new', '');
}

/**
 * A connected instance `handle` made elsewhere (by an accept thread) and
 * never tied to a backend, now tied to `io`'s; or a negated error.
 */
export function adoptNamedPipe(io: IoService, handle: number): StreamChannel | number {
  const service = namedPipesOf(io);
  if (!service) return -WSAEOPNOTSUPP;
  if (!isPipeHandle(handle)) return -WSAENOTSOCK;
  const rc = service.pipes.associatePipe(handle);
  if (rc < 0) return rc;
  return new NamedPipeStream(service.io, service.pipes, handle, 'accepted', '');
}

class NamedPipeStream extends ProactiveStream {
  readonly #io: ProactiveIo;
  readonly #pipes: NamedPipeOperations;
  #role: Role;
  #name: string;
  #closed = false;
  /** A server's instances waiting for a client. */
  readonly #waiting = new Set<number>();
  #listening = false;
  /** Instances kept waiting (the listen backlog, up to {@link MOST_INSTANCES_WAITING}). */
  #instancesWaiting = 1;
  #onConnection: ConnectionReport | null = null;
  /** A client's connect while it waits to try a busy pipe again. */
  #connectRetry: NodeJS.Timeout | null = null;
  #pendingConnect: CompletionRequest | null = null;
  #reading = false;
  /** Shut down: from now on, silence while reading is the peer's end. */
  #halfClosed = false;
  #eofTimer: NodeJS.Timeout | null = null;
  /** The eof timer cancelled the read in flight: its cancellation is the end of stream. */
  #eofForced = false;

  constructor(io: ProactiveIo, pipes: NamedPipeOperations, handle: number, role: Role, name: string) {
    super(io, handle, 'unix');
    this.#io = io;
    this.#pipes = pipes;
    this.#role = role;
    this.#name = name;
  }

  // ---- naming ----

  /** Claims the name in `address` (UTF-16LE) with the server's first instance. */
  override bind(address: Buffer, length: number): number {
    if (this.#role !== 'new') return -WSAEINVAL;
    const name = decodePipeName(address, length);
    const handle = this.#instance(name, true);
    if (handle < 0) return handle;
    this.setHandle(handle);
    this.#name = name;
    this.#role = 'server';
    return 0;
  }

  override setOption(_option: SocketOption, _value: number): number {
    return 0; // no socket options on a pipe (node:net's setNoDelay on a pipe does nothing too)
  }

  override setKeepAlive(): number {
    return 0;
  }

  /** The pipe's name, seen from the server's side; '' for a client's end. */
  override localAddress(out: Buffer): number {
    return this.#role === 'server' || this.#role === 'accepted' ? encodePipeName(this.#name, out) : 0;
  }

  /** The pipe's name, seen from a client; '' from the server's side. */
  override peerAddress(out: Buffer): number {
    if (this.#role === 'client' && this.fd >= 0) return encodePipeName(this.#name, out);
    return this.#role === 'accepted' ? 0 : -WSAENOTCONN;
  }

  // ---- the server ----

  override listen(backlog: number): number {
    if (this.#role !== 'server') return -WSAEINVAL;
    this.#instancesWaiting = Math.min(Math.max(backlog, 1), MOST_INSTANCES_WAITING);
    return 0;
  }

  override startAccepting(onConnection: ConnectionReport): void {
    this.#io.accepts.listenerStarted();
    this.#listening = true;
    this.#onConnection = onConnection;
    this.#await(this.fd);
    for (let i = 1; i < this.#instancesWaiting && !this.#closed; i++) this.#await(this.#instance(this.#name, false));
  }

  /** A new instance tied to the backend, or a negated error. */
  #instance(name: string, first: boolean): number {
    const handle = createPipeInstance(name, first);
    if (handle < 0) return handle;
    const rc = this.#pipes.associatePipe(handle);
    if (rc < 0) {
      closePipeHandle(handle);
      return rc;
    }
    return handle;
  }

  /** Lets the instance `handle` (or the error of making it) wait for a client. */
  #await(handle: number): void {
    if (handle < 0) {
      // No instance could be made (out of handles, say): the server's own error.
      this.#onConnection?.(-handle, null);
      return;
    }
    this.#waiting.add(handle);
    this.#pipes.awaitClient(handle, { complete: this.#io.guard((status: number) => this.#arrived(handle, status)) });
  }

  #arrived(handle: number, status: number): void {
    this.#waiting.delete(handle);
    if (this.#closed) return; // closed with the server, which waits for this report
    if (status === 0) {
      this.#await(this.#instance(this.#name, false));
      this.#onConnection?.(0, new NamedPipeStream(this.#io, this.#pipes, handle, 'accepted', this.#name));
      return;
    }
    this.#io.proactor.closeSocket(handle, () => {});
    if (status === ERROR_NO_DATA) {
      // A client that came and went before it was served: its loss only.
      this.#io.accepts.dropped++;
      this.#await(this.#instance(this.#name, false));
      return;
    }
    this.#onConnection?.(status, null);
  }

  // ---- the client ----

  override connect(address: Buffer, length: number, done: Done): void {
    this.#role = 'client';
    this.#name = decodePipeName(address, length);
    const deadline = performance.now() + CONNECT_TIMEOUT_MS;
    this.connectBy((request) => this.#open(deadline, 1, request), done);
  }

  /** Opens the client's end, or tries again in `delayMs` while every instance is busy. */
  #open(deadline: number, delayMs: number, request: CompletionRequest): void {
    const handle = openPipeClient(this.#name);
    if (handle >= 0) {
      const rc = this.#pipes.associatePipe(handle);
      if (rc < 0) {
        closePipeHandle(handle);
        return this.#connected(request, -rc);
      }
      this.setHandle(handle);
      return this.#connected(request, 0);
    }
    if (-handle !== ERROR_PIPE_BUSY) return this.#connected(request, -handle);
    if (performance.now() >= deadline) return this.#connected(request, ERROR_SEM_TIMEOUT);
    this.#pendingConnect = request;
    this.#connectRetry = setTimeout(() => {
      this.#connectRetry = null;
      this.#pendingConnect = null;
      this.#open(deadline, Math.min(delayMs * 2, BUSY_RETRY_MAX_MS), request);
    }, delayMs);
  }

  /** Reports the connect's outcome from the loop (never from inside the call, nor from a Node timer). */
  #connected(request: CompletionRequest, status: number): void {
    this.#io.scheduler.defer(() => request.complete(status));
    this.#io.scheduler.wakeIfPolling();
  }

  // ---- reading, and the end of a stream ----

  override readStart(onRead: (status: number, data: Uint8Array) => void): void {
    this.#reading = true;
    if (this.#halfClosed) this.#restartEofTimer();
    super.readStart((status, data) => {
      if (this.#eofForced) {
        this.#eofForced = false;
        // The read the eof timer cancelled: the peer's silence is its end.
        // (A read that completed with data first is data, and the wait goes on.)
        if (status === ERROR_OPERATION_ABORTED) {
          status = 0;
          data = EMPTY;
        }
      }
      const ended = status !== 0 || data.byteLength === 0;
      if (ended) {
        this.#reading = false;
        this.#stopEofTimer();
      } else if (this.#halfClosed) {
        this.#restartEofTimer();
      }
      onRead(status, data);
    });
  }

  override readStop(): void {
    this.#reading = false;
    this.#stopEofTimer();
    super.readStop();
  }

  /**
   * Counts as shut down once every write has completed. libuv first waits
   * until the peer has read it all (FlushFileBuffers on a pool thread, after
   * a look at the pipe's write quota). That wait is left out here: Wine
   * reports no write quota (WriteQuotaAvailable is always 0), and the flush
   * would hold a thread of the pool that our own waits use for as long as the
   * peer does not read. A completed write is in the pipe's buffer, at most
   * 64 KiB the peer has still to read before the 50 ms start to count.
   */
  protected override halfClose(done: Done): void {
    this.#halfClosed = true;
    if (this.#reading) this.#restartEofTimer();
    done(0);
  }

  #restartEofTimer(): void {
    this.#stopEofTimer();
    this.#eofTimer = setTimeout(() => {
      this.#eofTimer = null;
      if (this.#closed || !this.#reading) return;
      this.#eofForced = true;
      cancelPipeIo(this.fd);
    }, EOF_TIMEOUT_MS);
  }

  #stopEofTimer(): void {
    if (this.#eofTimer) clearTimeout(this.#eofTimer);
    this.#eofTimer = null;
  }

  // ---- closing ----

  override close(abortive: boolean, done: () => void): void {
    this.#closed = true;
    this.#reading = false;
    this.#stopEofTimer();
    if (this.#listening) this.#io.accepts.listenerStopped();
    this.#onConnection = null;
    if (this.#connectRetry) {
      clearTimeout(this.#connectRetry);
      this.#connectRetry = null;
      const request = this.#pendingConnect!;
      this.#pendingConnect = null;
      this.#connected(request, ERROR_OPERATION_ABORTED);
    }
    super.close(abortive, done);
  }

  protected override closeHandle(done: () => void): void {
    if (this.#role === 'server' && this.#listening) {
      // Every instance still waiting; those that took a client are their connections'.
      const instances = [...this.#waiting];
      let left = instances.length;
      if (left === 0) return this.#io.scheduler.defer(done);
      for (const handle of instances) this.#io.proactor.closeSocket(handle, () => --left === 0 && done());
      return;
    }
    if (this.fd < 0) return this.#io.scheduler.defer(done); // a client that never opened its end
    super.closeHandle(done);
  }
}
