/**
 * One io_uring instance: the submission queue (SQ) the loop writes
 * operations into, the completion queue (CQ) the kernel writes results into,
 * both mapped into this process, and io_uring_enter to submit.
 *
 * Only the loop's thread writes SQEs and reads CQEs, and nothing waits in
 * the ring: Node's own loop watches its descriptor, which is readable while
 * the completion queue holds entries (see the proactor). Heads and tails are
 * read and written with Atomics, which orders them against the entries as
 * the kernel's acquire/release protocol requires.
 * @module
 */
import koffi from 'koffi';
import { errno, IoUringAbi as U, libc, type Libc, PosixConstants as C } from '@wsaloop/core/posix';
import { ringRefusal } from './refusal.js';

/** Operations the backend submits: a kernel without one of them cannot run it. */
const REQUIRED_OPS: Record<string, number> = {
  IORING_OP_POLL_ADD: U.IORING_OP_POLL_ADD,
  IORING_OP_SENDMSG: U.IORING_OP_SENDMSG,
  IORING_OP_RECVMSG: U.IORING_OP_RECVMSG,
  IORING_OP_ACCEPT: U.IORING_OP_ACCEPT,
  IORING_OP_ASYNC_CANCEL: U.IORING_OP_ASYNC_CANCEL,
  IORING_OP_CONNECT: U.IORING_OP_CONNECT,
  IORING_OP_READ: U.IORING_OP_READ,
  IORING_OP_SEND: U.IORING_OP_SEND,
  IORING_OP_RECV: U.IORING_OP_RECV,
};

/** A completion as {@link Ring.reap} reads it. */
export type CompletionSink = (userData: number, result: number, flags: number) => void;

interface Mapping {
  pointer: object;
  length: number;
}

/** The rings of one io_uring instance. */
export class Ring {
  readonly fd: number;
  /** Submission queue size. */
  readonly entries: number;
  readonly #libc: Libc = libc();
  readonly #mappings: Mapping[] = [];
  readonly #sqes: Buffer;
  readonly #sqHead: Uint32Array;
  readonly #sqTail: Uint32Array;
  readonly #sqFlags: Uint32Array;
  readonly #sqMask: number;
  readonly #cqHead: Uint32Array;
  readonly #cqTail: Uint32Array;
  readonly #cqes: Buffer;
  readonly #cqMask: number;
  /** Our copy of the SQ tail (only this thread moves it). */
  #tail: number;

  /**
   * Sets up a ring of `entries` submission slots (the completion queue is
   * twice that).
   * @throws BackendUnsupportedError naming the cause when io_uring is
   *   refused, missing, or lacks a feature or operation the backend needs.
   */
  constructor(entries: number) {
    const params = Buffer.alloc(U.PARAMS_SIZE);
    // The kernel finishes a socket operation (a receive's copy, the
    // completion) as task work of the thread that submitted it: the loop's.
    // By default it interrupts that thread with an IPI wherever it runs,
    // and in a VM an IPI is dear: at 50 connections, perf put 34% of the
    // server's CPU in the reschedule IPIs' exits, and io_uring made 0.75x
    // epoll's round trips. Cooperatively (Linux 5.19+), the work waits
    // until the thread next enters the kernel, and a thread asleep (in
    // Node's own wait) is still woken for it; the flag shows the poll that
    // some waits (see `taskWorkPending`). Measured: 33.6k and 41.7k -> 45.9k
    // and 67.7k round trips/s at 50 connections.
    // An older kernel refuses these flags (EINVAL) and gets the default.
    params.writeUInt32LE(U.IORING_SETUP_CLAMP | U.IORING_SETUP_COOP_TASKRUN | U.IORING_SETUP_TASKRUN_FLAG, U.PARAMS_FLAGS);
    let fd = this.#libc.io_uring_setup(entries, params);
    if (fd < 0 && errno() === C.EINVAL) {
      params.fill(0);
      params.writeUInt32LE(U.IORING_SETUP_CLAMP, U.PARAMS_FLAGS);
      fd = this.#libc.io_uring_setup(entries, params);
    }
    if (fd < 0) throw ringRefusal('setup', errno());
    this.fd = fd;
    try {
      const features = params.readUInt32LE(U.PARAMS_FEATURES);
      for (const [feature, name] of [
        [U.IORING_FEAT_SINGLE_MMAP, 'IORING_FEAT_SINGLE_MMAP'],
        [U.IORING_FEAT_NODROP, 'IORING_FEAT_NODROP'],
        [U.IORING_FEAT_FAST_POLL, 'IORING_FEAT_FAST_POLL'],
      ] as const) {
        if ((features & feature) === 0) throw ringRefusal('feature', 0, name);
      }
      this.#checkOperations();
      this.entries = params.readUInt32LE(U.PARAMS_SQ_ENTRIES);
      const cqEntries = params.readUInt32LE(U.PARAMS_CQ_ENTRIES);
      const sq = (field: number): number => params.readUInt32LE(U.PARAMS_SQ_OFF + field);
      const cq = (field: number): number => params.readUInt32LE(U.PARAMS_CQ_OFF + field);
      // One mapping holds both rings (IORING_FEAT_SINGLE_MMAP).
      const ringLength = Math.max(sq(U.SQ_OFF_ARRAY) + this.entries * 4, cq(U.CQ_OFF_CQES) + cqEntries * U.CQE_SIZE);
      const ring = this.#map(ringLength, U.IORING_OFF_SQ_RING);
      this.#sqes = Buffer.from(this.#map(this.entries * U.SQE_SIZE, U.IORING_OFF_SQES));
      this.#sqHead = new Uint32Array(ring, sq(U.SQ_OFF_HEAD), 1);
      this.#sqTail = new Uint32Array(ring, sq(U.SQ_OFF_TAIL), 1);
      this.#sqFlags = new Uint32Array(ring, sq(U.SQ_OFF_FLAGS), 1);
      this.#sqMask = new Uint32Array(ring, sq(U.SQ_OFF_RING_MASK), 1)[0]!;
      this.#cqHead = new Uint32Array(ring, cq(U.CQ_OFF_HEAD), 1);
      this.#cqTail = new Uint32Array(ring, cq(U.CQ_OFF_TAIL), 1);
      this.#cqMask = new Uint32Array(ring, cq(U.CQ_OFF_RING_MASK), 1)[0]!;
      this.#cqes = Buffer.from(ring, cq(U.CQ_OFF_CQES), cqEntries * U.CQE_SIZE);
      // SQE slot i is always array entry i: the indirection is set once.
      const array = new Uint32Array(ring, sq(U.SQ_OFF_ARRAY), this.entries);
      for (let i = 0; i < this.entries; i++) array[i] = i;
      this.#tail = Atomics.load(this.#sqTail, 0);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Fails unless the kernel supports every operation in {@link REQUIRED_OPS} (probe: Linux 5.6+). */
  #checkOperations(): void {
    const probe = Buffer.alloc(U.PROBE_HEADER_SIZE + 256 * U.PROBE_OP_SIZE);
    if (this.#libc.io_uring_register(this.fd, U.IORING_REGISTER_PROBE, probe, 256) < 0) throw ringRefusal('probe', errno());
    const known = probe[U.PROBE_OPS_LEN]!;
    for (const [name, op] of Object.entries(REQUIRED_OPS)) {
      const flags = op < known ? probe.readUInt16LE(U.PROBE_HEADER_SIZE + op * U.PROBE_OP_SIZE + U.PROBE_OP_FLAGS) : 0;
      if ((flags & U.IO_URING_OP_SUPPORTED) === 0) throw ringRefusal('operation', 0, name);
    }
  }

  #map(length: number, offset: number): ArrayBuffer {
    const pointer = this.#libc.mmap(null, length, U.PROT_READ | U.PROT_WRITE, U.MAP_SHARED | U.MAP_POPULATE, this.fd, offset);
    // MAP_FAILED is (void *)-1.
    if (!pointer || koffi.address(pointer) === 0xffffffffffffffffn) throw ringRefusal('mmap', errno());
    this.#mappings.push({ pointer, length });
    return koffi.view(pointer, length);
  }

  /** SQEs written and not yet consumed by the kernel. */
  get unsubmitted(): number {
    return (this.#tail - Atomics.load(this.#sqHead, 0)) >>> 0;
  }

  /** Whether the completion queue holds anything (no system call). */
  get hasCompletions(): boolean {
    return Atomics.load(this.#cqHead, 0) !== Atomics.load(this.#cqTail, 0);
  }

  /** Whether completions wait for this thread to enter the kernel (IORING_SQ_TASKRUN, read without a system call). */
  get taskWorkPending(): boolean {
    return (Atomics.load(this.#sqFlags, 0) & U.IORING_SQ_TASKRUN) !== 0;
  }

  /** Whether completions overflowed into the kernel's list (an enter with GETEVENTS brings them in). */
  get overflowed(): boolean {
    return (Atomics.load(this.#sqFlags, 0) & U.IORING_SQ_CQ_OVERFLOW) !== 0;
  }

  /**
   * A zeroed SQE: returns its byte offset in {@link sqes}, or -1 when the
   * submission queue is full (submit, then ask again). The entry reaches the
   * kernel with the next {@link publish}.
   */
  next(): number {
    if (this.unsubmitted >= this.entries) return -1;
    const at = (this.#tail & this.#sqMask) * U.SQE_SIZE;
    this.#sqes.fill(0, at, at + U.SQE_SIZE);
    this.#tail = (this.#tail + 1) >>> 0;
    return at;
  }

  /** The SQE array, for filling the entry {@link next} returned. */
  get sqes(): Buffer {
    return this.#sqes;
  }

  /** Makes the SQEs written so far visible to the kernel. */
  publish(): void {
    Atomics.store(this.#sqTail, 0, this.#tail);
  }

  /**
   * Submits what is queued without waiting (and, with GETEVENTS, brings in
   * completions that overflowed). Returns the number submitted, or a negated
   * errno: EINTR, EAGAIN and EBUSY (the kernel is short of memory or the
   * completion queue is full) are for the caller to retry later.
   */
  submit(): number {
    this.publish();
    const rc = this.#libc.io_uring_enter(this.fd, this.unsubmitted, 0, U.IORING_ENTER_GETEVENTS, null, 0);
    return rc < 0 ? -errno() : rc;
  }

  /**
   * Hands every completion present now to `sink` (after freeing their slots,
   * so the sink may submit more) and returns how many there were.
   * Completions that arrive meanwhile wait for the next call.
   */
  reap(sink: CompletionSink): number {
    let head = Atomics.load(this.#cqHead, 0);
    const tail = Atomics.load(this.#cqTail, 0);
    const count = (tail - head) >>> 0;
    if (count === 0) return 0;
    const batch = new Array<number>(count * 3);
    for (let i = 0; i < count; i++, head = (head + 1) >>> 0) {
      const at = (head & this.#cqMask) * U.CQE_SIZE;
      // user_data is a slot number: its high half is always 0.
      batch[i * 3] = this.#cqes.readUInt32LE(at + U.CQE_USER_DATA);
      batch[i * 3 + 1] = this.#cqes.readInt32LE(at + U.CQE_RES);
      batch[i * 3 + 2] = this.#cqes.readUInt32LE(at + U.CQE_FLAGS);
    }
    Atomics.store(this.#cqHead, 0, head);
    for (let i = 0; i < count; i++) sink(batch[i * 3]!, batch[i * 3 + 1]!, batch[i * 3 + 2]!);
    return count;
  }

  /**
   * Unmaps the rings and closes the descriptor; the kernel cancels what is
   * still in flight. Only once nothing in flight can touch memory the
   * caller will free.
   */
  close(): void {
    for (const { pointer, length } of this.#mappings.splice(0)) this.#libc.munmap(pointer, length);
    if (this.fd >= 0) this.#libc.close(this.fd);
  }
}
