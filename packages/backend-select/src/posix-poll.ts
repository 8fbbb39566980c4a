/**
 * Linux `poll` with an eventfd for wake-ups, so the select backend (and the
 * conformance suite) also run natively on Linux. `poll` is used rather than
 * `select` because glibc's fd_set is a fixed 1024-bit mask.
 * @module
 */
import { Readiness, type SocketHandle, type WakeToken } from '@wsaloop/core/backend';
import { addressOf, errno, libc, PosixConstants as C } from '@wsaloop/core/posix';
import type { ReadinessWaiter, WatchedSocket } from './waiter.js';

/** {@link ReadinessWaiter} over Linux poll. */
export class PollWaiter implements ReadinessWaiter {
  readonly wakeToken: WakeToken;
  readonly #libc = libc();
  readonly #eventfd: number;
  #fds = Buffer.alloc(C.POLLFD_SIZE);
  /** The array a poll on a pool thread is writing into (its address is all that call holds). */
  #inWait: Buffer | null = null;
  #sockets: SocketHandle[] = [];
  #count = 0;
  readonly #counter = Buffer.alloc(8);
  #wakePending = false;
  #woken = false;

  constructor() {
    this.#eventfd = this.#libc.eventfd(0, C.EFD_NONBLOCK | C.EFD_CLOEXEC);
    if (this.#eventfd < 0) throw new Error(`select backend: eventfd failed (errno ${errno()})`);
    this.wakeToken = { kind: 'eventfd', fd: this.#eventfd };
    this.build([]);
  }

  build(sockets: readonly WatchedSocket[]): void {
    const watched = sockets.filter((s) => s.interest !== 0);
    this.#count = watched.length + 1;
    if (this.#fds.byteLength < this.#count * C.POLLFD_SIZE) this.#fds = Buffer.alloc(this.#count * 2 * C.POLLFD_SIZE);
    this.#sockets = [this.#eventfd];
    this.#fds.writeInt32LE(this.#eventfd, 0);
    this.#fds.writeInt16LE(C.POLLIN, 4);
    let at = C.POLLFD_SIZE;
    for (const { socket, interest } of watched) {
      this.#fds.writeInt32LE(socket, at);
      this.#fds.writeInt16LE((interest & Readiness.READABLE ? C.POLLIN : 0) | (interest & Readiness.WRITABLE ? C.POLLOUT : 0), at + 4);
      this.#sockets.push(socket);
      at += C.POLLFD_SIZE;
    }
  }

  #result(rc: number): number {
    if (rc >= 0) return rc;
    const e = errno();
    return e === C.EINTR ? 0 : -e;
  }

  waitNow(timeoutMs: number): number {
    return this.#result(this.#libc.poll(addressOf(this.#fds), this.#count, timeoutMs));
  }

  waitOffThread(timeoutMs: number, done: (result: number) => void): void {
    // poll writes into the array until it returns: keep it referenced till then.
    this.#inWait = this.#fds;
    this.#libc.poll.async(addressOf(this.#inWait), this.#count, timeoutMs, (error: unknown, rc: number) => {
      this.#inWait = null;
      done(error || rc < 0 ? this.waitNow(0) : rc);
    });
  }

  collect(report: (socket: SocketHandle, events: number) => void): void {
    for (let i = 0, at = 6; i < this.#count; i++, at += C.POLLFD_SIZE) {
      const revents = this.#fds.readInt16LE(at);
      if (revents === 0) continue;
      this.#fds.writeInt16LE(0, at);
      if (i === 0) {
        this.#wakePending = false;
        this.#woken = true;
        this.#libc.read(this.#eventfd, this.#counter, 8);
        continue;
      }
      if (revents & C.POLLNVAL) continue;
      let events = 0;
      if (revents & (C.POLLIN | C.POLLHUP)) events |= Readiness.READABLE;
      if (revents & C.POLLOUT) events |= Readiness.WRITABLE;
      if (revents & C.POLLERR) events |= Readiness.ERROR;
      report(this.#sockets[i]!, events);
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
    this.#counter.writeBigUInt64LE(1n, 0);
    this.#libc.write(this.#eventfd, this.#counter, 8);
  }

  close(): void {
    this.#libc.close(this.#eventfd);
  }
}
