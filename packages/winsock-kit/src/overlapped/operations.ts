/**
 * Overlapped operations and the native slots that hold their OVERLAPPED.
 *
 * Slot layout (x64), all of it written by Winsock at completion time and
 * therefore in koffi-allocated memory:
 *
 *   0   OVERLAPPED (Internal = NTSTATUS, InternalHigh = bytes, Offset,
 *       OffsetHigh, hEvent)
 *   32  DWORD flags (WSARecv / WSARecvFrom in-out flags)
 *   36  INT   address length (WSARecvFrom's lpFromlen)
 *   64  address area, 128 bytes: WSARecvFrom's sender, WSASendTo's and
 *       ConnectEx's destination, AcceptEx's two address blocks (2 x 44)
 * @module
 */
import { OVERLAPPED_EVENT, OVERLAPPED_SIZE as OVERLAPPED } from '@wsaloop/core/winsock';
import type { AcceptKeeper, AcceptRequest, AddressFamily, CompletionRequest, RecvFromRequest, RecvRequest, SocketHandle } from '@wsaloop/core/backend';
import { NativeBlock } from './native-block.js';
import type { PooledBuffer } from './receive-buffers.js';

export const SLOT_SIZE = 192;
export const OVERLAPPED_SIZE = OVERLAPPED;
export const OFFSET_INTERNAL = 0;
export const OFFSET_INTERNAL_HIGH = 8;
export const OFFSET_EVENT = OVERLAPPED_EVENT;
export const OFFSET_FLAGS = 32;
export const OFFSET_ADDRESS_LENGTH = 36;
export const OFFSET_ADDRESS = 64;
export const ADDRESS_AREA = 128;
/** Size of each AcceptEx address block: sizeof(SOCKADDR_IN6) + 16. */
export const ACCEPTEX_ADDRESS_SIZE = 44;

const SLOTS_PER_BLOCK = 256;

/** The kind of an overlapped operation. */
export type OperationKind = 'accept' | 'connect' | 'recv' | 'poll-recv' | 'send' | 'recvfrom' | 'sendto' | 'await-client';

/** Per-socket bookkeeping: how many operations are in flight, and who waits for them on close. */
export class SocketRecord {
  readonly socket: SocketHandle;
  readonly family: AddressFamily;
  /** False once closeSocket ran: completions of this record are cancellations. */
  open = true;
  /** Operations started and not yet reported. */
  inFlight = 0;
  /** Called when the record is closed and its last operation reported. */
  onDrained: (() => void) | null = null;
  /** A named pipe's handle, not a socket: ReadFile, WriteFile and CloseHandle serve it. */
  pipe = false;
  /** Whether a synchronous success is reported without a notification (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS). */
  skipOnSuccess = false;
  /** A listener's accepts, once it started accepting. */
  accepts: AcceptKeeper | null = null;
  /**
   * A listener whose last accept found a connection: more are likely queued
   * in its backlog, so the next accept tries a non-blocking accept() first.
   */
  backlogLikely = false;
  /**
   * A listener's AcceptEx completions still to let pass before one sets
   * {@link backlogLikely} again. While AcceptEx are posted they take the
   * connections and the backlog stays empty (steady churn): each accept()
   * that finds it empty doubles this, up to `acceptsAhead`, so such a
   * listener pays about one wasted call per `acceptsAhead` connections, and
   * a burst (every AcceptEx taken, the rest queued) is still noticed within
   * one round of them.
   */
  probeSkip = 0;
  /** The current gap between accept() probes (see {@link probeSkip}); 0 after one found a connection. */
  probeGap = 0;
  /**
   * The socket is still in blocking mode: AcceptEx sockets are created
   * without the ioctlsocket(FIONBIO) call until something needs
   * non-blocking calls on them (a read after a zero-byte receive), which
   * saves a system call per connection that never does.
   */
  blocking = false;
  /** Size of the next receive: grows while receives fill their buffer, shrinks when they do not. */
  receiveSize: number;

  constructor(socket: SocketHandle, family: AddressFamily, receiveSize = 0) {
    this.socket = socket;
    this.family = family;
    this.receiveSize = receiveSize;
  }
}

/** An operation in flight, bound to one native slot. */
export class OverlappedOperation {
  /** Address of the OVERLAPPED (the start of the slot). */
  readonly address: number;
  /** The slot's bytes. */
  readonly slot: Buffer;
  kind: OperationKind = 'recv';
  record: SocketRecord | null = null;
  request: CompletionRequest | AcceptRequest | RecvRequest | RecvFromRequest | null = null;
  /** Pooled native buffer the operation reads into or sends from. */
  buffer: PooledBuffer | null = null;
  /** Caller's buffers sent without copying: referenced until completion. */
  keep: readonly Uint8Array[] | null = null;
  /** The socket an AcceptEx accepts into (or accept() returned). */
  acceptSocket: SocketHandle = -1;
  /** The accept was served at once by a non-blocking accept(), not by AcceptEx. */
  acceptedAtOnce = false;
  /** Backend-specific data (an event object, a wait group...). */
  notification: unknown = null;
  /** WSA / Win32 error when the call failed at once. */
  syncError = 0;
  /**
   * The call failed at once, yet the system completed it with a warning
   * status (see `OverlappedProactor`): a notification may still arrive for
   * it, and must be ignored. Cleared when the slot is released.
   */
  stray = false;

  constructor(address: number, slot: Buffer) {
    this.address = address;
    this.slot = slot;
  }

  /** Clears the OVERLAPPED before reuse, as Winsock requires. */
  reset(): void {
    this.slot.fill(0, 0, OVERLAPPED_SIZE + 8);
  }

  /** NTSTATUS the system stored in Internal. */
  get status(): number {
    return this.slot.readUInt32LE(OFFSET_INTERNAL);
  }

  /** Bytes transferred, from InternalHigh. */
  get transferred(): number {
    return this.slot.readUInt32LE(OFFSET_INTERNAL_HIGH);
  }

  /** Address of a field of this slot. */
  field(offset: number): number {
    return this.address + offset;
  }
}

/** Operation slots in native blocks, found again by their OVERLAPPED address. */
export class OperationPool {
  readonly #blocks: Array<{ block: NativeBlock; operations: OverlappedOperation[] }> = [];
  readonly #free: OverlappedOperation[] = [];
  #live = 0;

  /** Takes a free operation with a zeroed OVERLAPPED. */
  acquire(): OverlappedOperation {
    let op = this.#free.pop();
    if (!op) {
      const block = new NativeBlock(SLOT_SIZE * SLOTS_PER_BLOCK);
      const operations: OverlappedOperation[] = [];
      for (let i = 0; i < SLOTS_PER_BLOCK; i++) {
        operations.push(new OverlappedOperation(block.address + i * SLOT_SIZE, block.bytes.subarray(i * SLOT_SIZE, (i + 1) * SLOT_SIZE)));
      }
      this.#blocks.push({ block, operations });
      for (let i = SLOTS_PER_BLOCK - 1; i > 0; i--) this.#free.push(operations[i]!);
      op = operations[0]!;
    }
    op.reset();
    this.#live++;
    return op;
  }

  /** Returns an operation whose completion has been reported. */
  release(op: OverlappedOperation): void {
    op.record = null;
    op.request = null;
    op.buffer = null;
    op.keep = null;
    op.acceptSocket = -1;
    op.acceptedAtOnce = false;
    op.notification = null;
    op.syncError = 0;
    op.stray = false;
    this.#live--;
    this.#free.push(op);
  }

  /** The operation whose OVERLAPPED is at `address`, if it is one of ours. */
  find(address: number): OverlappedOperation | undefined {
    for (const { block, operations } of this.#blocks) {
      const offset = address - block.address;
      if (offset >= 0 && offset < SLOT_SIZE * SLOTS_PER_BLOCK && offset % SLOT_SIZE === 0) return operations[offset / SLOT_SIZE];
    }
    return undefined;
  }

  /** Operations started and not yet released: the live OVERLAPPED count. */
  get live(): number {
    return this.#live;
  }

  /** Frees every block; only once no operation is live. */
  destroy(): void {
    for (const { block } of this.#blocks) block.free();
    this.#blocks.length = 0;
    this.#free.length = 0;
  }
}
