/**
 * Completion-style stream and datagram operations over a readiness backend.
 *
 * Every operation is attempted first and waits for readiness only after the
 * attempt would block. That one rule serves level-triggered select and the
 * re-enabling Windows models alike (WSAEventSelect and WSAAsyncSelect report
 * FD_READ / FD_WRITE / FD_ACCEPT again only after the matching call failed
 * with WSAEWOULDBLOCK), so no backend needs polling or special cases.
 * @module
 */
import { Readiness, type Reactor, type ReadinessListener } from '../backend/reactor.js';
import type { AddressFamily, SocketApi, SocketHandle } from '../sys/socket-api.js';
import { type FamilyConstants, SOCKADDR_MAX } from '../sys/sockaddr.js';
import { type DatagramChannel, type Done, STATUS_CANCELED, type StreamChannel, type IoService, type ConnectionReport } from './channel.js';
import { adoptSocket, openSocket, SocketCalls } from './socket-calls.js';
import { classifyAcceptFailure } from './accept-errors.js';
import { AcceptGuard } from './accept-guard.js';
import type { IoScheduler } from './scheduler.js';
import { MAX_READ, ReadSlab } from './read-slab.js';
import { WriteQueue } from './write-queue.js';

/** Most reads of one socket per readiness event, so one busy peer cannot starve the rest. */
const READS_PER_EVENT = 16;
/** Most accepts per readiness event of a listening socket. */
const ACCEPTS_PER_EVENT = 64;
/** Most buffers gathered into one send. */
const GATHER_MAX = 64;
/**
 * Gathers up to this many bytes are copied into one buffer and sent with
 * send(): a gather send builds a message header over the buffers, and
 * node:http writes every response as two or three small chunks. (Measured
 * when each buffer's address was a native call of its own: 2.6% of an HTTP
 * server's time; addresses are cached since, and the bound was not
 * measured again.)
 */
const COPY_GATHER_MAX = 4096;
/** What a send that would block returns from `#sendOnce`: below every negated native error. */
const WOULD_BLOCK = Number.MIN_SAFE_INTEGER;

/** The reactive operations layer of one loop. */
export class ReactiveIo implements IoService {
  /** @internal */ readonly scheduler: IoScheduler;
  /** @internal */ readonly reactor: Reactor;
  /** @internal */ readonly api: SocketApi;
  /** @internal */ readonly slab = new ReadSlab();
  /** @internal */ readonly gathered: Uint8Array[] = [];
  /** @internal Where small gathers are copied (see COPY_GATHER_MAX). */
  readonly gatherCopy = Buffer.allocUnsafeSlow(COPY_GATHER_MAX);
  /** @internal Receive calls per readiness report: the reactor's `readsPerEvent`, else `READS_PER_EVENT`. */
  readonly readsPerEvent: number;
  /** @internal */ readonly accepts = new AcceptGuard();

  constructor(scheduler: IoScheduler, reactor: Reactor, api: SocketApi) {
    this.scheduler = scheduler;
    this.reactor = reactor;
    this.api = api;
    const reads = reactor.readsPerEvent;
    this.readsPerEvent = typeof reads === 'number' && Number.isInteger(reads) && reads > 0 ? reads : READS_PER_EVENT;
  }

  get families(): FamilyConstants {
    return this.api;
  }

  // A reactor needs nothing of a socket before its first registration.
  openStream(family: AddressFamily, ipv6Only: boolean): StreamChannel | number {
    const socket = openSocket(this.api, family, 'stream', ipv6Only, () => 0);
    return socket < 0 ? socket : new ReactiveStream(this, socket, family);
  }

  openDatagram(family: AddressFamily, ipv6Only: boolean): DatagramChannel | number {
    const socket = openSocket(this.api, family, 'dgram', ipv6Only, () => 0);
    return socket < 0 ? socket : new ReactiveDatagram(this, socket, family);
  }

  adoptStream(socket: SocketHandle): StreamChannel | number {
    const family = adoptSocket(this.api, socket, () => 0);
    return typeof family === 'number' ? family : new ReactiveStream(this, socket, family);
  }

  stats(): Record<string, number> {
    return this.accepts.stats();
  }
}

/** Registration bookkeeping shared by the stream and datagram channels. */
abstract class ReactiveChannel extends SocketCalls implements ReadinessListener {
  protected readonly io: ReactiveIo;
  #interest = 0;
  #registered = false;
  protected closed = false;

  constructor(io: ReactiveIo, socket: SocketHandle, family: AddressFamily) {
    super(io.api, socket, family);
    this.io = io;
  }

  onReadiness(events: number, errorCode: number): void {
    try {
      this.handleReadiness(events, errorCode);
    } catch (error) {
      this.io.scheduler.callbackFailed(error);
    }
  }

  /** Acts on readiness; application callbacks it runs may throw. */
  protected abstract handleReadiness(events: number, errorCode: number): void;

  /** The interest the channel's current state calls for. */
  protected abstract wantedInterest(): number;

  /** Brings the reactor's registration in line with {@link wantedInterest}. */
  protected updateInterest(): void {
    if (this.closed) return;
    const want = this.wantedInterest();
    if (want === this.#interest && this.#registered) return;
    if (!this.#registered) {
      if (want === 0) return;
      this.io.reactor.register(this.fd, want, this);
      this.#registered = true;
    } else {
      this.io.reactor.modify(this.fd, want);
    }
    this.#interest = want;
    this.io.scheduler.wakeIfPolling();
  }

  /** Unregisters and closes the socket. */
  protected closeSocket(abortive: boolean): void {
    this.closed = true;
    if (this.#registered) this.io.reactor.unregister(this.fd);
    this.#registered = false;
    if (abortive) this.setOption('lingerZero', 1);
    this.io.api.close(this.fd);
  }
}

class ReactiveStream extends ReactiveChannel implements StreamChannel {
  /**
   * Readiness seen and not yet consumed by a would-block (for re-enabling
   * models). A new socket's is unknown, so its first read is attempted: a
   * connection accepted after its peer had reset may never be announced
   * (WSAAsyncSelect under Wine posts nothing for it), and would stay open
   * for good.
   */
  #readable = true;
  #writable = true;
  #onRead: ((status: number, data: Uint8Array) => void) | null = null;
  #reading = false;
  #onConnection: ConnectionReport | null = null;
  #connectDone: Done | null = null;
  #shutdownDone: Done | null = null;
  #broken = 0;
  readonly #writes = new WriteQueue();
  /** Accepting paused after resource failures: the timer that resumes it, and how many failures in a row. */
  #acceptPause: NodeJS.Timeout | null = null;
  #resourceFailures = 0;

  protected wantedInterest(): number {
    let want = 0;
    if (this.#reading || (this.#onConnection && !this.#acceptPause)) want |= Readiness.READABLE;
    if (this.#connectDone || (!this.#writes.empty && !this.#writable)) want |= Readiness.WRITABLE;
    return want;
  }

  protected handleReadiness(events: number, errorCode: number): void {
    if (this.closed) return;
    if (this.#connectDone) {
      if (events & (Readiness.WRITABLE | Readiness.ERROR)) this.#finishConnect(errorCode);
      return;
    }
    if (events & (Readiness.READABLE | Readiness.ERROR)) {
      this.#readable = true;
      if (this.#onConnection) this.#acceptSome();
      else if (this.#reading) this.#readSome();
    }
    if (this.closed) return;
    if (events & (Readiness.WRITABLE | Readiness.ERROR)) {
      this.#writable = true;
      this.#flush();
    }
  }

  startAccepting(onConnection: ConnectionReport): void {
    if (!this.#onConnection) this.io.accepts.listenerStarted();
    this.#onConnection = onConnection;
    this.updateInterest();
  }

  #acceptSome(): void {
    const { api, accepts } = this.io;
    let i = 0;
    for (; i < ACCEPTS_PER_EVENT && this.#onConnection && !this.closed; i++) {
      const s = api.accept(this.fd);
      if (s >= 0) {
        this.#resourceFailures = 0;
        this.#onConnection(0, new ReactiveStream(this.io, s, this.family));
        continue;
      }
      if (api.isWouldBlock(-s)) {
        this.#readable = false;
        this.io.reactor.acceptWouldBlock?.(this.fd);
        return;
      }
      const failure = classifyAcceptFailure(-s);
      if (failure === 'connection') {
        accepts.dropped++; // that client is gone; the next one may be fine
        continue;
      }
      if (failure === 'resources') return this.#outOfResources();
      this.#onConnection(-s, null);
    }
    // The cap was reached with the backlog not yet empty. A re-enabling
    // model may not announce it again (Wine records no new FD_ACCEPT while
    // connections remain queued): go on next iteration, after the I/O of
    // the connections already open.
    if (i === ACCEPTS_PER_EVENT && this.#readable) {
      this.io.scheduler.defer(() => {
        if (this.#onConnection && !this.closed && this.#readable) this.#acceptSome();
      });
    }
  }

  /**
   * No descriptor (or buffer) for the next connection: turn the waiting
   * clients away with the spare descriptor. If that cannot empty the
   * backlog, a level-triggered reactor would report it again at once, so
   * stop watching the listener for a while instead of spinning.
   */
  #outOfResources(): void {
    const { accepts, api } = this.io;
    accepts.turnAway(this.fd, api);
    const probe = api.accept(this.fd);
    if (probe >= 0) {
      // A descriptor freed up meanwhile: serve this client after all.
      this.#resourceFailures = 0;
      this.#onConnection?.(0, new ReactiveStream(this.io, probe, this.family));
      this.io.scheduler.defer(() => this.#onConnection && !this.closed && this.#acceptSome());
      return;
    }
    this.#readable = false;
    if (api.isWouldBlock(-probe)) {
      this.io.reactor.acceptWouldBlock?.(this.fd);
      return;
    }
    const pause = accepts.backoff(this.#resourceFailures++);
    this.#acceptPause = setTimeout(() => {
      this.#acceptPause = null;
      this.#readable = true; // the backlog may hold clients no reactor will announce again
      this.updateInterest();
      this.io.scheduler.defer(() => this.#onConnection && !this.closed && this.#acceptSome());
    }, pause);
    this.#acceptPause.unref();
    this.updateInterest();
  }

  connect(address: Buffer, length: number, done: Done): void {
    const rc = this.io.api.connect(this.fd, address, length);
    if (rc === 0 || !this.io.api.isConnectInProgress(-rc)) {
      this.io.scheduler.defer(() => done(this.closed ? STATUS_CANCELED : rc === 0 ? 0 : -rc));
      return;
    }
    this.#connectDone = done;
    this.updateInterest();
  }

  #finishConnect(errorCode: number): void {
    const done = this.#connectDone!;
    this.#connectDone = null;
    const status = errorCode || this.io.api.pendingError(this.fd);
    this.#writable = status === 0;
    this.updateInterest();
    done(status);
    if (!this.closed && status === 0) this.#flush();
  }

  readStart(onRead: (status: number, data: Uint8Array) => void): void {
    this.#onRead = onRead;
    if (this.#reading) return;
    this.#reading = true;
    this.updateInterest();
    // A re-enabling reactor will not report data that was already announced
    // while we were not reading: go and get it.
    if (this.#readable) {
      this.io.scheduler.defer(() => {
        if (this.#reading && !this.closed) this.#readSome();
      });
    }
  }

  readStop(): void {
    if (!this.#reading) return;
    this.#reading = false;
    this.updateInterest();
  }

  #readSome(): void {
    const { api, slab, readsPerEvent } = this.io;
    for (let i = 0; i < readsPerEvent && this.#reading && !this.closed; i++) {
      const region = slab.region();
      const n = api.recv(this.fd, region.buffer, region.offset, region.length);
      if (n > 0) {
        this.#onRead!(0, slab.take(n));
        // A short read drained the socket; either model reports new data anew.
        if (n < region.length) {
          this.#readable = false;
          return;
        }
        continue;
      }
      if (n < 0 && api.isWouldBlock(-n)) {
        this.#readable = false;
        return;
      }
      // End of stream or a receive error: reading is over either way.
      this.#reading = false;
      this.updateInterest();
      this.#onRead!(n === 0 ? 0 : -n, EMPTY);
      return;
    }
  }

  write(buffers: Uint8Array[], done: Done): void {
    if (this.#broken) {
      const status = this.#broken;
      this.io.scheduler.defer(() => done(status));
      return;
    }
    this.#writes.push(buffers, done);
    if (this.#writable && !this.#connectDone) this.#flush();
    else this.updateInterest(); // a tryWrite may have found the socket full with nothing queued
  }

  tryWrite(buffers: Uint8Array[]): number {
    if (this.closed || this.#broken || this.#connectDone || !this.#writable || !this.#writes.empty) return 0;
    const count = buffers.length;
    if (count === 0 || count > GATHER_MAX) return 0;
    const n = this.#sendOnce(buffers, count, 0);
    return n === WOULD_BLOCK ? 0 : n;
  }

  /**
   * One send of the first `count` of `buffers`, the first from `offset`:
   * the bytes sent, {@link WOULD_BLOCK} (the socket is marked full), or a
   * negated native error (the stream has failed with it).
   */
  #sendOnce(buffers: Uint8Array[], count: number, offset: number): number {
    const { api } = this.io;
    const n = count === 1 ? api.send(this.fd, buffers[0]!, offset, buffers[0]!.byteLength - offset) : this.#sendGathered(buffers, count, offset);
    if (n >= 0) return n;
    if (api.isWouldBlock(-n)) {
      this.#writable = false;
      return WOULD_BLOCK;
    }
    this.#fail(-n);
    return n;
  }

  #flush(): void {
    const { gathered, scheduler } = this.io;
    const complete = (done: Done) => scheduler.defer(() => done(0));
    while (!this.#writes.empty && !this.closed) {
      const count = this.#writes.gather(gathered, GATHER_MAX);
      const offset = this.#writes.offset;
      const n = this.#sendOnce(gathered, count, offset);
      if (n < 0) break; // full, or failed
      this.#writes.advance(n, complete);
    }
    gathered.length = 0;
    this.updateInterest();
    if (this.#writes.empty && this.#shutdownDone && !this.#connectDone) this.#shutdownNow();
  }

  /** Sends the first `count` of `gathered`: copied into one when small, else one gather send. */
  #sendGathered(gathered: Uint8Array[], count: number, offset: number): number {
    const { api, gatherCopy } = this.io;
    let total = -offset;
    for (let i = 0; i < count; i++) total += gathered[i]!.byteLength;
    if (total > COPY_GATHER_MAX) return api.sendv(this.fd, gathered, 0, offset);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const b = gathered[i]!;
      gatherCopy.set(i === 0 && offset > 0 ? b.subarray(offset) : b, at);
      at += b.byteLength - (i === 0 ? offset : 0);
    }
    return api.send(this.fd, gatherCopy, 0, total);
  }

  /** A send failed: every queued and future write fails with the same error. */
  #fail(status: number): void {
    this.#broken = status;
    for (const done of this.#writes.drain()) this.io.scheduler.defer(() => done(status));
    // The connection broke. A re-enabling model may never tell the read
    // side (WSAAsyncSelect under Wine posts no FD_CLOSE once a send has
    // seen the reset): look now, so a reader learns it too.
    this.#readable = true;
    if (this.#reading) this.io.scheduler.defer(() => this.#reading && !this.closed && this.#readSome());
  }

  shutdown(done: Done): void {
    this.#shutdownDone = done;
    if (this.#writes.empty && !this.#connectDone) this.#shutdownNow();
  }

  #shutdownNow(): void {
    const done = this.#shutdownDone!;
    this.#shutdownDone = null;
    const rc = this.#broken ? -this.#broken : this.io.api.shutdownSend(this.fd);
    this.io.scheduler.defer(() => done(rc < 0 ? -rc : 0));
  }

  close(abortive: boolean, done: () => void): void {
    const canceled: Done[] = this.#writes.drain();
    if (this.#connectDone) canceled.push(this.#connectDone);
    if (this.#shutdownDone) canceled.push(this.#shutdownDone);
    if (this.#onConnection) this.io.accepts.listenerStopped();
    if (this.#acceptPause) clearTimeout(this.#acceptPause);
    this.#acceptPause = null;
    this.#connectDone = this.#shutdownDone = this.#onRead = this.#onConnection = null;
    this.#reading = false;
    this.closeSocket(abortive);
    // Cancellations are reported before the close callback, as in libuv.
    this.io.scheduler.defer(() => {
      for (const cb of canceled) cb(STATUS_CANCELED);
      done();
    });
  }
}

const EMPTY = new Uint8Array(0);

interface QueuedDatagram {
  buffers: Uint8Array[];
  to: Buffer;
  toLength: number;
  done: Done;
}

class ReactiveDatagram extends ReactiveChannel implements DatagramChannel {
  #onMessage: ((status: number, data: Uint8Array | null, from: Buffer | null) => void) | null = null;
  #readable = false;
  #writable = true;
  #sends: QueuedDatagram[] = [];
  readonly #fromLength = new Int32Array(1);

  protected wantedInterest(): number {
    return (this.#onMessage ? Readiness.READABLE : 0) | (this.#sends.length > 0 ? Readiness.WRITABLE : 0);
  }

  protected handleReadiness(events: number): void {
    if (this.closed) return;
    if (events & (Readiness.READABLE | Readiness.ERROR)) {
      this.#readable = true;
      if (this.#onMessage) this.#receiveSome();
    }
    if (!this.closed && events & Readiness.WRITABLE) {
      this.#writable = true;
      this.#flush();
    }
  }

  recvStart(onMessage: (status: number, data: Uint8Array | null, from: Buffer | null) => void): void {
    const wasReceiving = this.#onMessage !== null;
    this.#onMessage = onMessage;
    if (wasReceiving) return;
    this.updateInterest();
    if (this.#readable) {
      this.io.scheduler.defer(() => {
        if (this.#onMessage && !this.closed) this.#receiveSome();
      });
    }
  }

  recvStop(): void {
    this.#onMessage = null;
    this.updateInterest();
  }

  #receiveSome(): void {
    const { api, slab, readsPerEvent } = this.io;
    for (let i = 0; i < readsPerEvent && this.#onMessage && !this.closed; i++) {
      const region = slab.region();
      const from = Buffer.allocUnsafe(SOCKADDR_MAX);
      const n = api.recvFrom(this.fd, region.buffer, region.offset, Math.min(region.length, MAX_READ), from, this.#fromLength);
      if (n >= 0) {
        this.#onMessage(0, slab.take(n), from.subarray(0, this.#fromLength[0]));
        continue;
      }
      if (api.isWouldBlock(-n)) {
        this.#readable = false;
        return;
      }
      // Datagram errors (a truncated datagram, an ICMP report) concern one
      // message, not the socket: report and keep receiving.
      this.#onMessage(-n, null, null);
    }
  }

  send(buffers: Uint8Array[], to: Buffer, toLength: number, done: Done): void {
    this.#sends.push({ buffers, to, toLength, done });
    if (this.#writable && this.#sends.length === 1) this.#flush();
  }

  #flush(): void {
    const { api, scheduler } = this.io;
    while (this.#sends.length > 0 && !this.closed) {
      const d = this.#sends[0]!;
      const n = api.sendTo(this.fd, d.buffers, d.to, d.toLength);
      if (n < 0 && api.isWouldBlock(-n)) {
        this.#writable = false;
        break;
      }
      this.#sends.shift();
      scheduler.defer(() => d.done(n < 0 ? -n : 0));
    }
    this.updateInterest();
  }

  close(done: () => void): void {
    const canceled = this.#sends.map((d) => d.done);
    this.#sends = [];
    this.#onMessage = null;
    this.closeSocket(false);
    this.io.scheduler.defer(() => {
      for (const cb of canceled) cb(STATUS_CANCELED);
      done();
    });
  }
}
