/**
 * A Proactor over the in-memory network: the completion contract at its
 * plainest. Operations queue; each poll carries out what the network lets
 * it (a receive once data is there, a send once the peer has room), and
 * reports the results, each exactly once, from inside the poll. A close
 * cancels what is queued on the socket and reports the cancellations
 * before its own `done`.
 * @module
 */
import type {
  AcceptListener,
  AddressFamily,
  CompletionRequest,
  Proactor,
  RecvFromRequest,
  RecvRequest,
  SharedFlagWakeToken,
  SocketHandle,
} from '@wsaloop/core/backend';
import { errno, type MemoryNetwork } from './memory-network.js';
import { MemoryWaiter } from './memory-waiter.js';

/** Largest single receive, as a real proactor's receive buffer. */
const RECEIVE_SIZE = 64 * 1024;
/** Connections one poll takes from one listener's backlog, so a flood cannot hold a poll. */
const ACCEPTS_PER_POLL = 64;

type Operation =
  | { kind: 'connect'; socket: SocketHandle; status: number; request: CompletionRequest }
  | { kind: 'recv'; socket: SocketHandle; request: RecvRequest }
  | { kind: 'send'; socket: SocketHandle; buffers: readonly Uint8Array[]; index: number; offset: number; request: CompletionRequest }
  | { kind: 'recvfrom'; socket: SocketHandle; request: RecvFromRequest }
  | { kind: 'sendto'; socket: SocketHandle; buffers: readonly Uint8Array[]; to: Buffer; length: number; request: CompletionRequest }
  | { kind: 'close'; socket: SocketHandle; done: () => void };

/** The in-memory Proactor. */
export class MemoryProactor implements Proactor {
  readonly kind = 'proactor' as const;
  readonly name = 'memory-proactor';
  readonly sockets: MemoryNetwork;
  readonly #waiter: MemoryWaiter;
  /** Operations not yet finished, in the order they were started. */
  #operations: Operation[] = [];
  /** Listeners accepting, and whether they still are. */
  readonly #accepting = new Map<SocketHandle, { listener: AcceptListener; on: boolean }>();

  constructor(network: MemoryNetwork) {
    this.sockets = network;
    this.#waiter = new MemoryWaiter(network, () => this.#hasWork());
  }

  get wakeToken(): SharedFlagWakeToken {
    return this.#waiter.wakeToken;
  }

  associate(): number {
    return 0;
  }

  startAccepting(socket: SocketHandle, _family: AddressFamily, listener: AcceptListener): void {
    this.#accepting.set(socket, { listener, on: true });
  }

  stopAccepting(socket: SocketHandle): void {
    const entry = this.#accepting.get(socket);
    if (entry) entry.on = false;
  }

  connect(socket: SocketHandle, _family: AddressFamily, address: Buffer, length: number, request: CompletionRequest): void {
    // The network connects at once; the result is reported by the next poll.
    const rc = this.sockets.connect(socket, address, length);
    this.#operations.push({ kind: 'connect', socket, status: rc < 0 ? -rc : 0, request });
  }

  recv(socket: SocketHandle, request: RecvRequest): void {
    this.#operations.push({ kind: 'recv', socket, request });
  }

  send(socket: SocketHandle, buffers: readonly Uint8Array[], request: CompletionRequest): void {
    this.#operations.push({ kind: 'send', socket, buffers, index: 0, offset: 0, request });
  }

  recvFrom(socket: SocketHandle, request: RecvFromRequest): void {
    this.#operations.push({ kind: 'recvfrom', socket, request });
  }

  sendTo(socket: SocketHandle, buffers: readonly Uint8Array[], address: Buffer, length: number, request: CompletionRequest): void {
    this.#operations.push({ kind: 'sendto', socket, buffers, to: address, length, request });
  }

  closeSocket(socket: SocketHandle, done: () => void): void {
    this.#accepting.delete(socket);
    this.#operations.push({ kind: 'close', socket, done });
  }

  poll(timeoutMs: number): number | Promise<number> {
    const waited = this.#waiter.wait(timeoutMs);
    return typeof waited === 'boolean' ? this.#deliver() : waited.then(() => this.#deliver());
  }

  wake(): void {
    this.#waiter.wake();
  }

  close(): void {
    this.#waiter.close();
  }

  stats(): Record<string, number> {
    return { operationsInFlight: this.#operations.length, acceptingListeners: this.#accepting.size, openSockets: this.sockets.openSockets };
  }

  /** Whether a poll would report something now. */
  #hasWork(): boolean {
    for (const [socket, entry] of this.#accepting) if (entry.on && this.sockets.readable(socket)) return true;
    return this.#operations.some((op) => this.#canFinish(op));
  }

  #canFinish(op: Operation): boolean {
    switch (op.kind) {
      case 'recv':
      case 'recvfrom':
        return this.sockets.readable(op.socket) || !this.sockets.socket(op.socket);
      case 'send':
        return this.sockets.writable(op.socket) || !this.sockets.socket(op.socket);
      default:
        return true;
    }
  }

  /**
   * Carries out what can finish and reports it. What the reports start
   * waits for the next poll, so one busy socket cannot hold the loop.
   */
  #deliver(): number {
    const reports: Array<() => void> = [];
    for (const [socket, entry] of this.#accepting) {
      for (let i = 0; i < ACCEPTS_PER_POLL && entry.on && this.sockets.readable(socket); i++) {
        const accepted = this.sockets.accept(socket);
        if (accepted < 0 && this.sockets.isWouldBlock(-accepted)) break;
        reports.push(() => entry.listener.accepted(accepted < 0 ? -accepted : 0, accepted < 0 ? -1 : accepted));
      }
    }
    const operations = this.#operations;
    this.#operations = [];
    const closing = new Set(operations.filter((op) => op.kind === 'close').map((op) => op.socket));
    // A send that must wait holds back the later sends of its socket: bytes go out in order.
    const sendsWaiting = new Set<SocketHandle>();
    for (const op of operations) {
      if (op.kind !== 'close' && closing.has(op.socket)) {
        // Cancelled by a close: reported before the close's own callback.
        reports.push(() => this.#fail(op, errno('ECANCELED')));
        continue;
      }
      const report = op.kind === 'send' && sendsWaiting.has(op.socket) ? null : this.#attempt(op);
      if (report) {
        reports.push(report);
        continue;
      }
      if (op.kind === 'send') sendsWaiting.add(op.socket);
      this.#operations.push(op);
    }
    for (const report of reports) report();
    return reports.length;
  }

  /** Carries `op` out if it can finish now; returns its report, or null to keep it queued. */
  #attempt(op: Operation): (() => void) | null {
    const net = this.sockets;
    switch (op.kind) {
      case 'connect':
        return () => op.request.complete(op.status);
      case 'close':
        net.close(op.socket);
        return op.done;
      case 'recv': {
        if (!this.#canFinish(op)) return null;
        const buffer = Buffer.allocUnsafe(RECEIVE_SIZE);
        const n = net.recv(op.socket, buffer, 0, RECEIVE_SIZE);
        if (n < 0 && net.isWouldBlock(-n)) return null;
        return () => op.request.complete(n < 0 ? -n : 0, n < 0 ? null : buffer.subarray(0, n));
      }
      case 'recvfrom': {
        if (!this.#canFinish(op)) return null;
        const buffer = Buffer.allocUnsafe(RECEIVE_SIZE);
        const from = Buffer.alloc(28);
        const fromLength = new Int32Array(1);
        const n = net.recvFrom(op.socket, buffer, 0, RECEIVE_SIZE, from, fromLength);
        if (n < 0 && net.isWouldBlock(-n)) return null;
        return () => op.request.complete(n < 0 ? -n : 0, n < 0 ? null : buffer.subarray(0, n), n < 0 ? null : from.subarray(0, fromLength[0]));
      }
      case 'send': {
        // All of it, or an error: a completion send finishes whole.
        while (op.index < op.buffers.length) {
          const n = net.sendv(op.socket, op.buffers, op.index, op.offset);
          if (n < 0) return net.isWouldBlock(-n) ? null : () => op.request.complete(-n);
          this.#advance(op, n);
        }
        return () => op.request.complete(0);
      }
      case 'sendto': {
        const n = net.sendTo(op.socket, op.buffers, op.to, op.length);
        return () => op.request.complete(n < 0 ? -n : 0);
      }
    }
  }

  #advance(op: Extract<Operation, { kind: 'send' }>, sent: number): void {
    let left = sent;
    while (left > 0 && op.index < op.buffers.length) {
      const rest = op.buffers[op.index]!.byteLength - op.offset;
      if (left < rest) {
        op.offset += left;
        return;
      }
      left -= rest;
      op.index++;
      op.offset = 0;
    }
    while (op.index < op.buffers.length && op.buffers[op.index]!.byteLength === 0) op.index++;
  }

  #fail(op: Exclude<Operation, { kind: 'close' }>, status: number): void {
    if (op.kind === 'recv') op.request.complete(status, null);
    else if (op.kind === 'recvfrom') op.request.complete(status, null, null);
    else op.request.complete(status);
  }
}
