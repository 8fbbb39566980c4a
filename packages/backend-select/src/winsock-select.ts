/**
 * Winsock `select` with fd_sets sized to the sockets watched. An fd_set is a
 * count followed by an array; FD_SETSIZE (64) only sizes the header's static
 * array, and select reads `fd_count` entries, so sets built at run time have
 * no 64-socket limit. Every socket waiting to write is watched in the except
 * set too (simpler than tracking which ones are connecting): Windows reports
 * a failed non-blocking connect there, not in the write set.
 * @module
 */
import { Readiness, type SocketHandle, type WakeToken, socketApi, encodeSockaddr, SOCKADDR_MAX } from '@wsaloop/core/backend';
import { FD_SET_HEADER, SOCKET_SIZE, TIMEVAL_SIZE, windows, writeTimeval } from '@wsaloop/core/winsock';
import type { ReadinessWaiter, WatchedSocket } from './waiter.js';

const TWO_32 = 0x100000000;

/** One fd_set: a template rebuilt on interest changes and a working copy select overwrites. */
class FdSet {
  template = Buffer.alloc(FD_SET_HEADER);
  working = Buffer.alloc(FD_SET_HEADER);

  fill(sockets: readonly SocketHandle[]): void {
    const size = FD_SET_HEADER + SOCKET_SIZE * sockets.length;
    if (this.template.byteLength < size) {
      this.template = Buffer.alloc(size);
      this.working = Buffer.alloc(size);
    }
    this.template.writeUInt32LE(sockets.length, 0);
    let at = FD_SET_HEADER;
    for (const s of sockets) {
      this.template.writeUInt32LE(s % TWO_32, at);
      this.template.writeUInt32LE(Math.floor(s / TWO_32), at + 4);
      at += SOCKET_SIZE;
    }
  }

  get count(): number {
    return this.template.readUInt32LE(0);
  }

  /** The set to pass to select (null when empty), freshly copied from the template. */
  arm(): Buffer | null {
    const count = this.count;
    if (count === 0) return null;
    this.template.copy(this.working, 0, 0, FD_SET_HEADER + SOCKET_SIZE * count);
    return this.working;
  }

  forEachReady(fn: (socket: SocketHandle) => void): void {
    if (this.count === 0) return;
    const ready = this.working.readUInt32LE(0);
    for (let i = 0, at = FD_SET_HEADER; i < ready; i++, at += SOCKET_SIZE) {
      fn(this.working.readUInt32LE(at) + this.working.readUInt32LE(at + 4) * TWO_32);
    }
  }
}

/** {@link ReadinessWaiter} over Winsock select, woken through a loopback UDP socket. */
export class WinsockSelectWaiter implements ReadinessWaiter {
  readonly wakeToken: WakeToken;
  readonly #ws2 = windows().ws2;
  readonly #api = socketApi();
  readonly #wakeSocket: SocketHandle;
  readonly #read = new FdSet();
  readonly #write = new FdSet();
  readonly #except = new FdSet();
  readonly #timeout = Buffer.alloc(TIMEVAL_SIZE);
  readonly #ready = new Map<SocketHandle, number>();
  readonly #drain = Buffer.alloc(64);
  #wakePending = false;
  #woken = false;

  constructor() {
    this.#wakeSocket = openWakeSocket();
    this.wakeToken = { kind: 'socket', socket: this.#wakeSocket };
    this.build([]);
  }

  build(sockets: readonly WatchedSocket[]): void {
    const read: SocketHandle[] = [this.#wakeSocket];
    const write: SocketHandle[] = [];
    for (const { socket, interest } of sockets) {
      if (interest & Readiness.READABLE) read.push(socket);
      if (interest & Readiness.WRITABLE) write.push(socket);
    }
    this.#read.fill(read);
    this.#write.fill(write);
    this.#except.fill(write);
  }

  #arguments(timeoutMs: number): [Buffer | null, Buffer | null, Buffer | null, Buffer | null] {
    let timeout: Buffer | null = null;
    if (timeoutMs >= 0) {
      writeTimeval(this.#timeout, timeoutMs);
      timeout = this.#timeout;
    }
    return [this.#read.arm(), this.#write.arm(), this.#except.arm(), timeout];
  }

  waitNow(timeoutMs: number): number {
    const [r, w, e, t] = this.#arguments(timeoutMs);
    const rc = this.#ws2.select(0, r, w, e, t);
    return rc >= 0 ? rc : -this.#ws2.WSAGetLastError();
  }

  waitOffThread(timeoutMs: number, done: (result: number) => void): void {
    const [r, w, e, t] = this.#arguments(timeoutMs);
    this.#ws2.select.async(0, r, w, e, t, (error: unknown, rc: number) => {
      // The error code of a failed call lives on the pool thread: look again
      // from here to learn it (or to find the condition has passed).
      done(error || rc < 0 ? this.waitNow(0) : rc);
    });
  }

  collect(report: (socket: SocketHandle, events: number) => void): void {
    const ready = this.#ready;
    const mark = (bit: number) => (socket: SocketHandle) => {
      if (socket === this.#wakeSocket) return this.#drainWake();
      ready.set(socket, (ready.get(socket) ?? 0) | bit);
    };
    this.#read.forEachReady(mark(Readiness.READABLE));
    this.#write.forEachReady(mark(Readiness.WRITABLE));
    this.#except.forEachReady(mark(Readiness.ERROR));
    for (const [socket, events] of ready) report(socket, events);
    ready.clear();
  }

  #drainWake(): void {
    this.#wakePending = false;
    this.#woken = true;
    while (this.#api.recv(this.#wakeSocket, this.#drain, 0, this.#drain.byteLength) >= 0) {
      // keep draining coalesced wake-ups
    }
  }

  takeWake(): boolean {
    const woken = this.#woken;
    this.#woken = false;
    return woken;
  }

  wake(): void {
    if (this.#wakePending) return;
    this.#wakePending = true;
    this.#api.send(this.#wakeSocket, this.#drain, 0, 1);
  }

  close(): void {
    this.#api.close(this.#wakeSocket);
  }
}

/** A non-blocking UDP socket on 127.0.0.1 connected to itself: sending to it wakes a select. */
function openWakeSocket(): SocketHandle {
  const api = socketApi();
  const s = api.open('ipv4', 'dgram');
  if (s < 0) throw new Error(`select backend: cannot create the wake-up socket (native error ${-s})`);
  const addr = Buffer.alloc(SOCKADDR_MAX);
  const len = encodeSockaddr(api, 'ipv4', '127.0.0.1', 0, addr);
  if (api.bind(s, addr, len) < 0 || api.localAddress(s, addr) < 0 || api.connect(s, addr, len) < 0) {
    api.close(s);
    throw new Error('select backend: cannot set up the wake-up socket on 127.0.0.1');
  }
  return s;
}
