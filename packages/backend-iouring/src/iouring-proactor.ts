/**
 * The io_uring proactor: every socket operation is an entry in the
 * submission queue, every result an entry in the completion queue, as the
 * course's completion ports are on Windows. Core's proactive layer drives
 * it exactly as it drives IOCP.
 *
 * - Submission is batched: what the loop's callbacks start is written into
 *   the queue and goes to the kernel with the next poll's io_uring_enter. An
 *   operation started while a wait is in flight (from a Node timer, say) is
 *   submitted at once, so it never waits for the wait to end.
 * - A poll first reaps what has completed without a system call. When
 *   nothing is there, Node's own event loop watches the ring's descriptor
 *   (core's `NodeLoopWait`): no thread waits in the ring and no completion
 *   crosses threads.
 *   The kernel's share of a completion runs cooperatively, when the loop's
 *   thread enters the kernel (see `Ring`): a poll that sees some waiting
 *   enters the ring first.
 * - A wake-up is a read of an eventfd, kept posted in the ring.
 * - Closing a socket with operations in flight cancels each
 *   (IORING_OP_ASYNC_CANCEL), closes the descriptor only once every one of
 *   them has completed, and reports them (ECANCELED) before the close. The
 *   kernel may write into a receive buffer until its completion is reaped:
 *   the operation holds the buffer until then.
 * - Receives follow the completion backends' policy (core's
 *   `ReceiveSizing`): small buffers for idle connections, larger while data
 *   keeps filling them, and with many sockets open a poll request first, so
 *   an idle connection holds no buffer at all.
 * @module
 */
import {
  AcceptKeeper,
  type AcceptListener,
  type AcceptRequest,
  type AddressFamily,
  COMPLETION_OPTION_NAMES,
  type CompletionOptions,
  type CompletionRequest,
  completionSettings,
  type EventFdWakeToken,
  type Proactor,
  ReceiveSizing,
  type RecvFromRequest,
  type RecvRequest,
  type SocketApi,
  socketApi,
  type SocketHandle,
} from '@wsaloop/core/backend';
import { addressOf, errno, errnoCode, IoUringAbi as U, libc, NodeLoopWait, PosixConstants as C, writePointer, writeSize } from '@wsaloop/core/posix';
import { type AddressedBuffer, AddressedBuffers } from './addressed-buffers.js';
import { Operation, type OperationKind, OperationTable, removeOperation, SocketRecord } from './operations.js';
import { Ring } from './ring.js';

/** Options of the io_uring backend. */
export interface IoUringOptions extends CompletionOptions {
  /**
   * Submission queue entries (default 4096, 16 to 32768; the completion
   * queue has twice as many). Operations started in one loop iteration
   * beyond this are submitted in several calls; completions beyond the
   * completion queue wait in the kernel, none is lost.
   */
  ringEntries?: number;
  /**
   * Microseconds to keep looking at the completion queue on the loop's
   * thread after the last completion, before handing the wait to Node's
   * event loop (default 0: never spin; at most 10000). The look reads the
   * rings' memory and enters the kernel only when work is there. Trades CPU
   * for latency on request/response traffic, as the epoll and iocp
   * backends' option of that name.
   */
  spinMicroseconds?: number;
}

/** The names of {@link IoUringOptions}, checked by `createBackend`. */
export const IOURING_OPTION_NAMES = [...COMPLETION_OPTION_NAMES, 'ringEntries', 'spinMicroseconds'] as const;
// Fails to compile when an option is added above without its name.
const everyIoUringOptionNamed: Exclude<keyof IoUringOptions, (typeof IOURING_OPTION_NAMES)[number]> extends never ? true : never = true;
void everyIoUringOptionNamed;

/**
 * Default queue size: room for one iteration's operations at a few
 * thousand busy connections (each starts a receive and a send) in one
 * submission; 256 KiB of SQEs and 128 KiB of CQEs.
 */
const DEFAULT_ENTRIES = 4096;
/** Sends up to this many bytes are copied into one pooled buffer (see #issue). */
const COPY_SEND_MAX = 4096;
/** Free buffers of each size the proactor keeps for reuse (at most 4 MiB at the largest receive size). */
const FREE_BUFFERS_KEPT = 64;
/** Most iovecs in one sendmsg: the rest goes in the next one. */
const MAX_GATHER = 64;
/** Datagrams are received whole: room for the largest UDP payload. */
const DATAGRAM_BUFFER = 64 * 1024;
/** Room for any sockaddr a datagram can come from (sockaddr_storage). */
const SOCKADDR_ROOM = 128;
/** sizeof(struct msghdr) and sizeof(struct iovec), and the msghdr fields used. */
const MSGHDR = C.MSGHDR_SIZE;
const IOVEC = C.IOVEC_SIZE;
const { MSGHDR_NAME: MSG_NAME, MSGHDR_NAMELEN: MSG_NAMELEN, MSGHDR_IOV: MSG_IOV, MSGHDR_IOVLEN: MSG_IOVLEN, IOVEC_LEN } = C;
const ACCEPT_FLAGS = C.SOCK_NONBLOCK | C.SOCK_CLOEXEC;
const EINPROGRESS = C.EINPROGRESS;
const EALREADY = C.EALREADY;
const EAGAIN = C.EAGAIN;
const EMPTY = new Uint8Array(0);
/** Buffers of wake reads still in the kernel's hands when a ring closed: never freed. */
const retired = new Set<Buffer>();

/** A {@link Proactor} over one io_uring instance. */
export class IoUringProactor implements Proactor {
  readonly kind = 'proactor' as const;
  readonly name = 'iouring';
  readonly waitsInNodeLoop = true;
  readonly wakeToken: EventFdWakeToken;
  readonly #libc = libc();
  readonly #api: SocketApi = socketApi();
  readonly #ring: Ring;
  /** The blocking wait: Node's own loop watches the ring's descriptor. */
  readonly #nodeWait: NodeLoopWait;
  readonly #eventfd: number;
  readonly #sizing: ReceiveSizing;
  readonly #acceptsAhead: number;
  readonly #records = new Map<SocketHandle, SocketRecord>();
  readonly #operations = new OperationTable();
  /** Results known before the kernel saw anything (argument errors, accept()ed connections): reported by the next poll. */
  #ready: Array<() => void> = [];
  #wakeOp: Operation | null = null;
  #waiting = false;
  #wakePending = false;
  /** A wake-up completed since the poll began. */
  #woken = false;
  #closed = false;
  /** `spinMicroseconds` in milliseconds, and when a reap last found something (only kept while spinning is on). */
  readonly #spinMs: number;
  #lastCompletion = 0;
  /** Completions handed to requests by the current reap. */
  #reported = 0;
  /** Receives in flight that a poll request's completion started (see #readAfterPoll). */
  #receivesAfterPoll = 0;
  /** What a read after a poll request reads into when too many are in flight (grown to the largest receive size asked). */
  #scratch = Buffer.alloc(0);
  /** Receive buffers and small sends' copies, reused with their addresses. */
  readonly #buffers = new AddressedBuffers(FREE_BUFFERS_KEPT);

  constructor(options: IoUringOptions = {}) {
    const { ringEntries, spinMicroseconds, ...completion } = options;
    const spin = spinMicroseconds ?? 0;
    if (typeof spin !== 'number' || !(spin >= 0 && spin <= 10_000)) {
      throw new RangeError(`The iouring backend's "spinMicroseconds" option must be from 0 to 10000, received ${String(spin)}`);
    }
    this.#spinMs = spin / 1000;
    const entries = ringEntries ?? DEFAULT_ENTRIES;
    if (!Number.isInteger(entries) || entries < 16 || entries > 32768) {
      throw new RangeError(`The iouring backend's "ringEntries" option must be an integer from 16 to 32768, received ${String(entries)}`);
    }
    const settings = completionSettings(completion);
    this.#sizing = new ReceiveSizing(settings);
    this.#acceptsAhead = settings.acceptsAhead;
    this.#ring = new Ring(entries);
    this.#nodeWait = new NodeLoopWait(this.#ring.fd);
    // Blocking: the ring's read waits for it, nothing else reads it.
    this.#eventfd = this.#libc.eventfd(0, C.EFD_CLOEXEC);
    if (this.#eventfd < 0) {
      const e = errno();
      this.#ring.close();
      throw new Error(`iouring backend: eventfd failed (${errnoCode(e)})`);
    }
    this.wakeToken = { kind: 'eventfd', fd: this.#eventfd };
    this.#armWake();
  }

  // ---- the Proactor contract ----

  associate(socket: SocketHandle, family: AddressFamily): number {
    this.#records.set(socket, new SocketRecord(socket, family, this.#sizing.initial));
    return 0;
  }

  startAccepting(socket: SocketHandle, family: AddressFamily, listener: AcceptListener): void {
    const record = this.#record(socket, family);
    record.accepts ??= new AcceptKeeper(this.#acceptsAhead, (request) => this.#acceptOne(record, request), (code) => code === EAGAIN);
    record.accepts.start(listener);
  }

  stopAccepting(socket: SocketHandle): void {
    this.#records.get(socket)?.accepts?.stop();
  }

  #acceptOne(record: SocketRecord, request: AcceptRequest): void {
    if (request.optional === true) {
      // An accept for a burst only: take what the backlog holds now, or
      // report would-block, instead of leaving an accept pending.
      const socket = this.#api.accept(record.fd);
      if (socket >= 0) this.associate(socket, record.family);
      this.#queue(() => request.complete(socket < 0 ? -socket : 0, socket < 0 ? -1 : socket, socket >= 0));
      return;
    }
    this.#issue(this.#begin('accept', record, request));
  }

  connect(socket: SocketHandle, family: AddressFamily, address: Buffer, length: number, request: CompletionRequest): void {
    const op = this.#begin('connect', this.#record(socket, family), request);
    op.header = Buffer.from(address.subarray(0, length));
    this.#issue(op);
  }

  recv(socket: SocketHandle, request: RecvRequest): void {
    const record = this.#record(socket);
    this.#issue(this.#begin(this.#sizing.waitsForData(this.#records.size) ? 'recv-poll' : 'recv', record, request));
  }

  send(socket: SocketHandle, buffers: readonly Uint8Array[], request: CompletionRequest): void {
    const record = this.#record(socket);
    const op = this.#begin('send', record, request);
    op.buffers = buffers;
    op.advance(0);
    if (record.sending) {
      record.sendQueue.push(op);
      return;
    }
    record.sending = op;
    this.#issue(op);
  }

  recvFrom(socket: SocketHandle, request: RecvFromRequest): void {
    const op = this.#begin('recvmsg', this.#record(socket), request);
    op.buffer = Buffer.allocUnsafeSlow(DATAGRAM_BUFFER);
    const header = (op.header = Buffer.alloc(MSGHDR + IOVEC + SOCKADDR_ROOM));
    const base = addressOf(header);
    writePointer(header, MSG_NAME, base + MSGHDR + IOVEC);
    header.writeUInt32LE(SOCKADDR_ROOM, MSG_NAMELEN);
    writePointer(header, MSG_IOV, base + MSGHDR);
    writeSize(header, MSG_IOVLEN, 1);
    writePointer(header, MSGHDR, addressOf(op.buffer));
    writeSize(header, MSGHDR + IOVEC_LEN, DATAGRAM_BUFFER);
    this.#issue(op);
  }

  sendTo(socket: SocketHandle, buffers: readonly Uint8Array[], address: Buffer, length: number, request: CompletionRequest): void {
    const op = this.#begin('sendmsg', this.#record(socket), request);
    const parts = buffers.filter((b) => b.byteLength > 0).slice(0, MAX_GATHER);
    op.buffers = parts;
    const header = (op.header = Buffer.alloc(MSGHDR + parts.length * IOVEC + length));
    const base = addressOf(header);
    const nameAt = MSGHDR + parts.length * IOVEC;
    address.copy(header, nameAt, 0, length);
    writePointer(header, MSG_NAME, base + nameAt);
    header.writeUInt32LE(length, MSG_NAMELEN);
    this.#fillIovecs(header, base, parts, 0, 0);
    this.#issue(op);
  }

  closeSocket(socket: SocketHandle, done: () => void): void {
    const record = this.#records.get(socket);
    this.#records.delete(socket);
    if (!record) {
      this.#api.close(socket);
      this.#queue(done);
      return;
    }
    record.open = false;
    record.accepts?.stop();
    if (record.operations.length === 0) {
      this.#api.close(socket);
      this.#queue(done);
      return;
    }
    // Cancel first; the descriptor closes once the last completion is in,
    // so no new socket can take its number while the kernel still works
    // on the old one (and a posted receive does not turn the close into a reset).
    record.onDrained = done;
    // Sends still queued here never reached the kernel: cancelled by us.
    for (const op of record.sendQueue.splice(0)) this.#queue(() => this.#settle(op, C.ECANCELED));
    for (const op of record.operations) if (op.kind !== 'send' || op === record.sending) this.#cancel(op);
  }

  // ---- operations ----

  #record(socket: SocketHandle, family?: AddressFamily): SocketRecord {
    let record = this.#records.get(socket);
    if (!record) {
      // A socket core did not open through associate (adopted): learn it now.
      this.associate(socket, family ?? 'ipv4');
      record = this.#records.get(socket)!;
    }
    return record;
  }

  #begin(kind: OperationKind, record: SocketRecord | null, request: Operation['request']): Operation {
    const op = new Operation(this.#operations.nextId(), kind, record, request);
    this.#operations.add(op);
    record?.operations.push(op);
    return op;
  }

  /** Writes `op`'s SQE (again, for a partial send or a retry). */
  #issue(op: Operation): void {
    const record = op.record;
    const fd = record?.fd ?? this.#eventfd;
    switch (op.kind) {
      case 'accept':
        this.#sqe(U.IORING_OP_ACCEPT, fd, 0, 0, ACCEPT_FLAGS, op.id);
        return;
      case 'connect':
        this.#sqe(U.IORING_OP_CONNECT, fd, addressOf(op.header!), 0, 0, op.id, op.header!.byteLength);
        return;
      case 'connect-poll':
        this.#sqe(U.IORING_OP_POLL_ADD, fd, 0, 0, C.POLLOUT, op.id);
        return;
      case 'recv': {
        // A receive started again (after EAGAIN) keeps its buffer.
        const slot = (op.slot ??= this.#buffers.take(record!.receiveSize));
        this.#sqe(U.IORING_OP_RECV, fd, slot.address, slot.buffer.byteLength, 0, op.id);
        return;
      }
      case 'recv-poll':
        this.#sqe(U.IORING_OP_POLL_ADD, fd, 0, 0, C.POLLIN | C.POLLRDHUP, op.id);
        return;
      case 'send': {
        const buffers = op.buffers!;
        if (op.index === buffers.length) {
          // Nothing (left) to send: done without the kernel.
          this.#queue(() => this.#settle(op, 0));
          return;
        }
        if (op.slot) {
          // The rest of a small send's copy.
          this.#sqe(U.IORING_OP_SEND, fd, op.slot.address + op.offset, buffers[0]!.byteLength - op.offset, C.MSG_NOSIGNAL, op.id);
          return;
        }
        const small = this.#smallCopy(buffers, op.index, op.offset);
        if (small) {
          // Copied into a pooled buffer (the kernel reads it until the completion): one SEND, and no address to ask for.
          op.slot = small.slot;
          op.buffers = [small.slot.buffer.subarray(0, small.length)];
          op.index = 0;
          op.offset = 0;
          this.#sqe(U.IORING_OP_SEND, fd, small.slot.address, small.length, C.MSG_NOSIGNAL, op.id);
          return;
        }
        if (op.index === buffers.length - 1) {
          const last = buffers[op.index]!;
          this.#sqe(U.IORING_OP_SEND, fd, addressOf(last) + op.offset, last.byteLength - op.offset, C.MSG_NOSIGNAL, op.id);
          return;
        }
        const count = Math.min(buffers.length - op.index, MAX_GATHER);
        const header = (op.header = Buffer.alloc(MSGHDR + count * IOVEC));
        this.#fillIovecs(header, addressOf(header), buffers, op.index, op.offset);
        this.#sqe(U.IORING_OP_SENDMSG, fd, addressOf(header), 1, C.MSG_NOSIGNAL, op.id);
        return;
      }
      case 'recvmsg':
        this.#sqe(U.IORING_OP_RECVMSG, fd, addressOf(op.header!), 1, 0, op.id);
        return;
      case 'sendmsg':
        this.#sqe(U.IORING_OP_SENDMSG, fd, addressOf(op.header!), 1, C.MSG_NOSIGNAL, op.id);
        return;
      case 'wake':
        this.#sqe(U.IORING_OP_READ, this.#eventfd, addressOf(op.buffer!), 8, 0, op.id, -1);
        return;
      case 'cancel':
        return;
    }
  }

  /** Writes one msghdr's iovec list (right after it in `header`) over `buffers` from `index`/`offset`. */
  #fillIovecs(header: Buffer, base: number, buffers: readonly Uint8Array[], index: number, offset: number): void {
    let count = 0;
    for (let i = index; i < buffers.length && count < MAX_GATHER; i++) {
      const b = buffers[i]!;
      const skip = i === index ? offset : 0;
      writePointer(header, MSGHDR + count * IOVEC, addressOf(b) + skip);
      writeSize(header, MSGHDR + count * IOVEC + IOVEC_LEN, b.byteLength - skip);
      count++;
    }
    writePointer(header, MSG_IOV, base + MSGHDR);
    writeSize(header, MSG_IOVLEN, count);
  }

  /**
   * `buffers` from `index`/`offset` copied into a pooled buffer, when that
   * is at most {@link COPY_SEND_MAX} bytes; else null. A copy costs less
   * than asking a buffer's address (a native call), and a gather send needs
   * one per buffer: node:http writes each response as two or three chunks.
   */
  #smallCopy(buffers: readonly Uint8Array[], index: number, offset: number): { slot: AddressedBuffer; length: number } | null {
    let total = -offset;
    for (let i = index; i < buffers.length; i++) {
      total += buffers[i]!.byteLength;
      if (total > COPY_SEND_MAX) return null;
    }
    const slot = this.#buffers.take(COPY_SEND_MAX);
    let at = 0;
    for (let i = index; i < buffers.length; i++) {
      const b = i === index && offset > 0 ? buffers[i]!.subarray(offset) : buffers[i]!;
      slot.buffer.set(b, at);
      at += b.byteLength;
    }
    return { slot, length: total };
  }

  #cancel(target: Operation): void {
    const op = this.#begin('cancel', null, null);
    this.#sqe(U.IORING_OP_ASYNC_CANCEL, -1, target.id, 0, 0, op.id);
  }

  #armWake(): void {
    const op = this.#begin('wake', null, null);
    op.buffer = Buffer.alloc(8);
    this.#wakeOp = op;
    this.#issue(op);
  }

  /** Queues one SQE; submits at once when a wait is in flight (it would not see it otherwise). */
  #sqe(opcode: number, fd: number, address: number, length: number, opFlags: number, id: number, offset = 0): void {
    let at = this.#ring.next();
    if (at < 0) {
      this.#submit();
      at = this.#ring.next();
      if (at < 0) throw new Error('iouring backend: the submission queue stays full');
    }
    const sqes = this.#ring.sqes;
    sqes[at + U.SQE_OPCODE] = opcode;
    sqes.writeInt32LE(fd, at + U.SQE_FD);
    if (offset !== 0) sqes.writeBigInt64LE(BigInt(offset), at + U.SQE_OFF);
    writePointer(sqes, at + U.SQE_ADDR, address);
    sqes.writeUInt32LE(length, at + U.SQE_LEN);
    sqes.writeUInt32LE(opFlags, at + U.SQE_OP_FLAGS);
    sqes.writeUInt32LE(id, at + U.SQE_USER_DATA);
    if (this.#waiting) this.#submit();
  }

  #submit(): void {
    const rc = this.#ring.submit();
    // Busy or interrupted: what was not taken stays queued for the next poll.
    if (rc < 0 && -rc !== C.EINTR && -rc !== EAGAIN && -rc !== 16 /* EBUSY */) {
      throw new Error(`iouring backend: io_uring_enter failed (${errnoCode(-rc)})`);
    }
  }

  #queue(report: () => void): void {
    this.#ready.push(report);
    if (this.#waiting) this.wake();
  }

  // ---- completions ----

  readonly #completed = (id: number, result: number, flags: number): void => {
    const op = this.#operations.get(id);
    if (!op) return;
    if (op.kind === 'wake') {
      this.#operations.delete(id);
      this.#wakeOp = null;
      this.#wakePending = false;
      this.#woken = true;
      if (!this.#closed) this.#armWake();
      return;
    }
    if (op.kind === 'cancel') {
      // -ENOENT / -EALREADY: the target completes (or has) on its own.
      this.#operations.delete(id);
      return;
    }
    const record = op.record!;
    if (result === -EAGAIN && record.open && op.kind !== 'recv-poll' && op.kind !== 'connect-poll') {
      // A kernel that honours O_NONBLOCK here (before FAST_POLL covered it):
      // wait for readiness, then start the operation again.
      this.#retryWhenReady(op);
      return;
    }
    switch (op.kind) {
      case 'accept':
        return this.#accepted(op, result, flags);
      case 'connect':
        if ((result === -EINPROGRESS || result === -EALREADY) && record.open) return void this.#reissueAs(op, 'connect-poll');
        return this.#settle(op, result < 0 ? -result : 0);
      case 'connect-poll':
        return this.#settle(op, result < 0 ? -result : this.#api.pendingError(record.fd));
      case 'recv':
        return this.#received(op, result);
      case 'recv-poll':
        return this.#readAfterPoll(op, result);
      case 'send':
        if (result < 0) return this.#settle(op, -result);
        if (op.advance(result)) return this.#settle(op, 0);
        // Partial: the rest goes in another send, unless a close cut this
        // one short (the kernel reports what went out before the cancel).
        if (record.open) return this.#issue(op);
        return this.#settle(op, C.ECANCELED);
      case 'recvmsg':
        return this.#receivedFrom(op, result);
      case 'sendmsg':
        return this.#settle(op, result < 0 ? -result : 0);
    }
  };

  /** `op` found the socket not ready: poll for it, and run `op` again when it is. */
  #retryWhenReady(op: Operation): void {
    const events = op.kind === 'send' || op.kind === 'sendmsg' || op.kind === 'connect' ? C.POLLOUT : C.POLLIN;
    op.retryAfterPoll = true;
    this.#sqe(U.IORING_OP_POLL_ADD, op.record!.fd, 0, 0, events, op.id);
  }

  /** Replaces `op` by an operation of `kind` with the same request, in flight at once. */
  #reissueAs(op: Operation, kind: OperationKind): Operation {
    this.#forget(op);
    const next = this.#begin(kind, op.record, op.request);
    next.header = op.header;
    this.#issue(next);
    return next;
  }

  #accepted(op: Operation, result: number, flags: number): void {
    const record = op.record!;
    const request = op.request as AcceptRequest;
    let status = result < 0 ? -result : 0;
    let socket = result < 0 ? -1 : result;
    if (socket >= 0 && !record.open) {
      // Accepted as the listener closed: nobody will take it.
      this.#api.close(socket);
      socket = -1;
      status = C.ECANCELED;
    }
    if (socket >= 0) this.associate(socket, record.family);
    this.#finish(op, () => request.complete(status, socket, (flags & U.IORING_CQE_F_SOCK_NONEMPTY) !== 0));
  }

  #received(op: Operation, result: number): void {
    if (op.afterPoll) this.#receivesAfterPoll--;
    const record = op.record!;
    const slot = op.slot!;
    op.slot = null;
    const request = op.request as RecvRequest;
    if (result <= 0) this.#buffers.give(slot);
    if (result < 0) return this.#finish(op, () => request.complete(this.#statusOf(record, result), null));
    const { buffer } = slot;
    if (result > 0) record.receiveSize = this.#sizing.next(buffer.byteLength, result);
    let data: Uint8Array = EMPTY;
    if (result >= buffer.byteLength / 2) {
      data = buffer.subarray(0, result); // mostly full: the reader keeps the buffer itself
    } else if (result > 0) {
      // A copy, so a small message does not hold a large buffer, which is reused.
      data = Buffer.from(buffer.subarray(0, result));
      this.#buffers.give(slot);
    }
    this.#finish(op, () => request.complete(0, data));
  }

  /**
   * Data (or the end, or an error) is there: only now take a buffer, and
   * receive into it. The receive is an SQE like any other: it completes
   * inside the next enter, which the poll makes at once (see
   * #submitAndReap), with no system call of its own; a recv() here cost one
   * per message (beside 10,000 idle connections, where every active one
   * reads this way, io_uring went from 0.81x epoll's round trips to 1.26x).
   * At most {@link FREE_BUFFERS_KEPT} such receives are in flight, so their
   * buffers come back to the pool: when 10,000 connections sent at once, a
   * buffer each, freed at once, left the heap fragmented (4.0 -> 4.5 kB per
   * idle connection). Past that, a recv() into the one scratch buffer.
   */
  #readAfterPoll(op: Operation, result: number): void {
    const record = op.record!;
    const request = op.request as RecvRequest;
    if (result < 0 || !record.open) return this.#finish(op, () => request.complete(this.#statusOf(record, result < 0 ? result : -C.ECANCELED), null));
    if (this.#receivesAfterPoll < FREE_BUFFERS_KEPT) {
      this.#receivesAfterPoll++;
      this.#reissueAs(op, 'recv').afterPoll = true;
      return;
    }
    const size = record.receiveSize;
    if (this.#scratch.byteLength < size) this.#scratch = Buffer.allocUnsafeSlow(size);
    const n = this.#api.recv(record.fd, this.#scratch, 0, size);
    if (n < 0 && this.#api.isWouldBlock(-n)) return this.#issue(op);
    if (n > 0) record.receiveSize = this.#sizing.next(size, n);
    const data = n > 0 ? Buffer.from(this.#scratch.subarray(0, n)) : EMPTY;
    this.#finish(op, () => (n < 0 ? request.complete(-n, null) : request.complete(0, data)));
  }

  #receivedFrom(op: Operation, result: number): void {
    const record = op.record!;
    const request = op.request as RecvFromRequest;
    if (result < 0) return this.#finish(op, () => request.complete(this.#statusOf(record, result), null, null));
    const header = op.header!;
    const nameLength = Math.min(header.readUInt32LE(MSG_NAMELEN), SOCKADDR_ROOM);
    const from = Buffer.from(header.subarray(MSGHDR + IOVEC, MSGHDR + IOVEC + nameLength));
    const data = Buffer.from(op.buffer!.subarray(0, result));
    this.#finish(op, () => request.complete(0, data, from));
  }

  #settle(op: Operation, status: number): void {
    const record = op.record!;
    if (op.slot) {
      // A send's copy: the kernel has read it.
      this.#buffers.give(op.slot);
      op.slot = null;
    }
    const code = status !== 0 && !record.open ? C.ECANCELED : status;
    if (record.sending === op) {
      // The next send starts before this one is reported, as Winsock keeps them posted.
      const next = record.open ? record.sendQueue.shift() : undefined;
      record.sending = next ?? null;
      if (next) this.#issue(next);
    }
    this.#finish(op, () => (op.request as CompletionRequest).complete(code));
  }

  /** A failure's status: ECANCELED for every operation a close cut short. */
  #statusOf(record: SocketRecord, result: number): number {
    return record.open ? -result : C.ECANCELED;
  }

  /** Forgets `op`, reports it, then closes its socket if a close waits for it. */
  #finish(op: Operation, report: () => void): void {
    this.#forget(op);
    this.#reported++;
    try {
      report();
    } finally {
      const record = op.record!;
      if (!record.open && record.operations.length === 0 && record.onDrained) {
        const done = record.onDrained;
        record.onDrained = null;
        this.#api.close(record.fd);
        done();
      }
    }
  }

  #forget(op: Operation): void {
    this.#operations.delete(op.id);
    if (op.record) removeOperation(op.record.operations, op);
  }

  // ---- polling ----

  poll(timeoutMs: number): number | Promise<number> {
    if (this.#closed) return 0;
    this.#woken = false; // one the last wait returned for was answered by that poll
    const n = this.#deliverReady() + this.#submitAndReap();
    // A wake-up reaped here (a Worker's eventfd write that the re-armed read
    // found at once, as it was submitted) ends the poll: waiting now would
    // miss it, and the Worker waits for its answer.
    if (n > 0 || timeoutMs === 0 || this.#woken) return n;
    const spun = this.#spin(timeoutMs);
    if (spun > 0 || this.#woken) return spun;
    this.#waiting = true;
    // What is queued reaches the kernel before the wait; what completes
    // from here on makes the ring readable, and Node's loop reports it.
    if (this.#ring.unsubmitted > 0) this.#submit();
    return new Promise<number>((resolve, reject) => {
      this.#nodeWait.arm(timeoutMs, () => {
        this.#waiting = false;
        if (this.#closed) {
          this.#release();
          return void resolve(0);
        }
        try {
          resolve(this.#deliverReady() + this.#submitAndReap());
        } catch (failure) {
          reject(failure);
        }
      });
    });
  }

  /** With `spinMicroseconds`, looks again and again right after a completion, sparing the round through Node's loop; the requests that heard back. */
  #spin(timeoutMs: number): number {
    if (this.#spinMs === 0) return 0;
    const ring = this.#ring;
    const until = Math.min(this.#lastCompletion + this.#spinMs, timeoutMs < 0 ? Infinity : performance.now() + timeoutMs);
    while (performance.now() < until) {
      // Memory reads only, until the kernel has something: cooperative task
      // work waits for this thread to enter the kernel (the flag says so).
      if (!ring.hasCompletions && !ring.taskWorkPending && !ring.overflowed) continue;
      const n = this.#deliverReady() + this.#submitAndReap();
      if (n > 0 || this.#woken) return n;
    }
    return 0;
  }

  /**
   * Submits what is queued (and runs the kernel's pending share of
   * completions) when there is any, then reaps; again while a reap only
   * queued follow-ups, such as the receive after a poll request, which
   * completes inside that next enter. Once requests heard back, one pass
   * more submits what their callbacks started (an echo's send, the next
   * receive's poll): a send that completes inside that enter is reported by
   * this poll, where it took a turn of the loop of its own after it (two
   * turns per round trip in ping-pong, for the same one enter). Only one,
   * so a callback that always writes again cannot keep the poll from
   * returning.
   */
  #submitAndReap(): number {
    const ring = this.#ring;
    let n = 0;
    let passesAfterReports = 0;
    do {
      if (ring.unsubmitted > 0 || ring.overflowed || ring.taskWorkPending) this.#submit();
      n += this.#reap();
    } while (ring.unsubmitted > 0 && !this.#woken && (n === 0 || passesAfterReports++ < 1));
    return n;
  }

  #deliverReady(): number {
    if (this.#ready.length === 0) return 0;
    const ready = this.#ready;
    this.#ready = [];
    for (const report of ready) report();
    return ready.length;
  }

  /** Reports what the completion queue holds; returns how many requests heard back. */
  #reap(): number {
    this.#reported = 0;
    this.#ring.reap(this.#onCompletion);
    if (this.#reported > 0 && this.#spinMs > 0) this.#lastCompletion = performance.now();
    return this.#reported;
  }

  readonly #onCompletion = (id: number, result: number, flags: number): void => {
    const op = this.#operations.get(id);
    if (op?.retryAfterPoll) {
      // The readiness an EAGAIN waited for: start the operation again.
      op.retryAfterPoll = false;
      if (result < 0 || !op.record!.open) return this.#completed(id, result < 0 ? result : -C.ECANCELED, 0);
      return this.#issue(op);
    }
    this.#completed(id, result, flags);
  };

  wake(): void {
    if (!this.#waiting || this.#wakePending) return;
    this.#wakePending = true;
    this.#signal();
  }

  #signal(): void {
    const one = Buffer.alloc(8);
    one.writeBigUInt64LE(1n);
    this.#libc.write(this.#eventfd, one, 8);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // The wait in flight returns on the wake-up and releases the ring then.
    if (this.#waiting) this.#signal();
    else this.#release();
  }

  #release(): void {
    const wake = this.#wakeOp;
    if (wake) {
      // Take the wake read back from the kernel before its buffer can go.
      this.#cancel(wake);
      this.#submit();
      this.#ring.reap((id) => {
        if (id === wake.id) this.#wakeOp = null;
      });
      if (this.#wakeOp) retired.add(wake.buffer!);
    }
    // Node's loop stops watching before the descriptor can be reused.
    this.#nodeWait.close();
    this.#ring.close();
    this.#libc.close(this.#eventfd);
  }

  stats(): Record<string, number> {
    let live = 0;
    let buffers = 0;
    for (const op of this.#operations.values()) {
      if (op.kind === 'wake' || op.kind === 'cancel') continue;
      live++;
      if (op.buffer || op.slot) buffers++;
    }
    return { liveOperations: live, buffersInUse: buffers, openSockets: this.#records.size };
  }
}
