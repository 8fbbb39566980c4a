/**
 * Stream and datagram operations over a completion backend. The proactor
 * does the I/O and keeps accepts posted; this layer adds what every proactor
 * would otherwise repeat: what a failed accept means, one receive in flight while reading, holding data
 * that completes after a readStop, ordering shutdown after the last send, and
 * closing through the proactor so cancellations are reported first.
 * @module
 */
import type { AcceptListener, CompletionRequest, Proactor, RecvRequest } from '../backend/proactor.js';
import type { AddressFamily, SocketApi, SocketHandle } from '../sys/socket-api.js';
import { type DatagramChannel, type Done, STATUS_CANCELED, type StreamChannel, type IoService, type ConnectionReport } from './channel.js';
import { adoptSocket, openSocket, SocketCalls } from './socket-calls.js';
import type { FamilyConstants } from '../sys/sockaddr.js';
import { classifyAcceptFailure } from './accept-errors.js';
import { AcceptGuard } from './accept-guard.js';
import type { IoScheduler } from './scheduler.js';

/** The proactive operations layer of one loop. */
export class ProactiveIo implements IoService {
  /** @internal */ readonly scheduler: IoScheduler;
  /** @internal */ readonly proactor: Proactor;
  /** @internal */ readonly accepts = new AcceptGuard();
  /** @internal */ readonly api: SocketApi;

  constructor(scheduler: IoScheduler, proactor: Proactor, api: SocketApi) {
    this.scheduler = scheduler;
    this.proactor = proactor;
    this.api = api;
  }

  get families(): FamilyConstants {
    return this.api;
  }

  openStream(family: AddressFamily, ipv6Only: boolean): StreamChannel | number {
    const socket = openSocket(this.api, family, 'stream', ipv6Only, (s) => this.proactor.associate(s, family, 'stream'));
    return socket < 0 ? socket : new ProactiveStream(this, socket, family);
  }

  openDatagram(family: AddressFamily, ipv6Only: boolean): DatagramChannel | number {
    const socket = openSocket(this.api, family, 'dgram', ipv6Only, (s) => this.proactor.associate(s, family, 'dgram'));
    return socket < 0 ? socket : new ProactiveDatagram(this, socket, family);
  }

  adoptStream(socket: SocketHandle): StreamChannel | number {
    const family = adoptSocket(this.api, socket, (s, f) => this.proactor.associate(s, f, 'stream'));
    return typeof family === 'number' ? family : new ProactiveStream(this, socket, family);
  }

  stats(): Record<string, number> {
    return this.accepts.stats();
  }

  /**
   * Wraps a completion so an exception from an application callback is
   * handed to the loop instead of unwinding through the proactor's
   * bookkeeping.
   */
  guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        fn(...args);
      } catch (error) {
        this.scheduler.callbackFailed(error);
      }
    };
  }
}

/**
 * A stream's receive request, reused for every receive. It reports an
 * application callback's exception to the loop as `guard` does, with one
 * closure fewer: io_uring's idle connections held 5 closures and their 5
 * contexts (488 B of the JS heap's 1,615 B each, in heap snapshots of
 * 2,000 of them), two of them this request's.
 */
class ReceiveRequest implements RecvRequest {
  readonly #scheduler: IoScheduler;
  readonly #received: (status: number, data: Uint8Array | null) => void;

  constructor(scheduler: IoScheduler, received: (status: number, data: Uint8Array | null) => void) {
    this.#scheduler = scheduler;
    this.#received = received;
  }

  complete(status: number, data: Uint8Array | null): void {
    try {
      this.#received(status, data);
    } catch (error) {
      this.#scheduler.callbackFailed(error);
    }
  }
}

/** @internal A stream over a proactor; the base of the named-pipe stream too. */
export class ProactiveStream extends SocketCalls implements StreamChannel {
  readonly #io: ProactiveIo;
  #closed = false;
  #onRead: ((status: number, data: Uint8Array) => void) | null = null;
  #reading = false;
  #recvPosted = false;
  /** Results that completed while reading was stopped, delivered at the next readStart (made when first needed). */
  #held: Array<[number, Uint8Array]> | null = null;
  /** The request of this stream's receives: one per stream, not one per receive (a connection mostly waits in one). */
  #recvRequest: RecvRequest | null = null;
  #sendsInFlight = 0;
  #shutdownDone: Done | null = null;
  #onConnection: ConnectionReport | null = null;
  #acceptListener: AcceptListener | null = null;
  /** Writes issued while the connect is in flight; posted once it succeeds. */
  #awaitingConnect: Array<[Uint8Array[], Done]> | null = null;
  /** The timer that starts accepting again after resource failures stopped it. */
  #acceptPause: NodeJS.Timeout | null = null;
  #resourceFailures = 0;

  constructor(io: ProactiveIo, socket: SocketHandle, family: AddressFamily) {
    super(io.api, socket, family);
    this.#io = io;
  }

  startAccepting(onConnection: ConnectionReport): void {
    this.#io.accepts.listenerStarted();
    this.#onConnection = onConnection;
    this.#acceptListener = { accepted: this.#io.guard((status: number, socket: SocketHandle) => this.#accepted(status, socket)) };
    this.#io.proactor.startAccepting(this.fd, this.family, this.#acceptListener);
  }

  /**
   * One accept finished. How many stay posted is the proactor's business;
   * what a failure means is decided here, the same way as on the readiness
   * side: a connection that failed on its way in is dropped (the proactor
   * closed its socket, and keeps accepting); an error of the listener
   * itself stops accepting and reaches the application; running out of
   * sockets or buffers turns the waiting clients away and pauses accepting.
   */
  #accepted(status: number, socket: SocketHandle): void {
    if (this.#closed) {
      // The listener closed while this connection was being accepted.
      if (status === 0) this.#io.api.close(socket);
      return;
    }
    if (status === 0) {
      this.#resourceFailures = 0;
      this.#onConnection?.(0, new ProactiveStream(this.#io, socket, this.family));
      return;
    }
    const failure = classifyAcceptFailure(status);
    if (failure === 'connection') {
      this.#io.accepts.dropped++;
      return;
    }
    if (failure === 'listener') {
      this.#io.proactor.stopAccepting(this.fd);
      this.#onConnection?.(status, null);
      return;
    }
    // Out of sockets or buffers: accepting again now would fail at once, one
    // loop iteration after another. Turn the waiting clients away and accept
    // again after a pause.
    this.#io.accepts.turnAway(this.fd, this.#io.api);
    if (this.#acceptPause) return;
    this.#io.proactor.stopAccepting(this.fd);
    this.#acceptPause = setTimeout(() => {
      this.#acceptPause = null;
      if (this.#closed || !this.#acceptListener) return;
      this.#io.proactor.startAccepting(this.fd, this.family, this.#acceptListener);
      this.#io.scheduler.wakeIfPolling();
    }, this.#io.accepts.backoff(this.#resourceFailures++));
    this.#acceptPause.unref();
  }

  connect(address: Buffer, length: number, done: Done): void {
    this.connectBy((request) => this.#io.proactor.connect(this.fd, this.family, address, length, request), done);
  }

  /**
   * Connects through `start`, which completes its request once: writes made
   * meanwhile wait for the outcome, and go out only if it is a success.
   */
  protected connectBy(start: (request: CompletionRequest) => void, done: Done): void {
    this.#awaitingConnect = [];
    start({
      complete: this.#io.guard((status: number) => {
        const waiting = this.#awaitingConnect ?? [];
        this.#awaitingConnect = null;
        // A connect that finished after its handle was closed is reported as
        // cancelled, as the reactive path does: the connection is gone.
        if (this.#closed) status = STATUS_CANCELED;
        try {
          done(status);
        } finally {
          // Writes queued behind the connect go out even if its callback threw.
          for (const [buffers, writeDone] of waiting) {
            if (status === 0 && !this.#closed) this.write(buffers, writeDone);
            else writeDone(this.#closed ? STATUS_CANCELED : status);
          }
          if (this.#shutdownDone && this.#sendsInFlight === 0 && !this.#closed) this.#shutdownNow();
        }
      }),
    });
  }

  readStart(onRead: (status: number, data: Uint8Array) => void): void {
    this.#onRead = onRead;
    if (this.#reading) return;
    this.#reading = true;
    if (this.#held && this.#held.length > 0) {
      this.#io.scheduler.defer(() => this.#deliverHeld());
      return;
    }
    this.#postRecv();
  }

  readStop(): void {
    this.#reading = false;
  }

  #deliverHeld(): void {
    try {
      while (this.#held && this.#held.length > 0 && this.#reading && !this.#closed) {
        const [status, data] = this.#held.shift()!;
        this.#deliver(status, data);
      }
    } finally {
      // A reader that threw (the loop reports it) gets the rest next iteration.
      if (this.#held && this.#held.length > 0) {
        if (this.#reading && !this.#closed) this.#io.scheduler.defer(() => this.#deliverHeld());
      } else if (this.#reading && !this.#closed) this.#postRecv();
    }
  }

  #postRecv(): void {
    if (this.#recvPosted || this.#closed) return;
    this.#recvPosted = true;
    this.#recvRequest ??= new ReceiveRequest(this.#io.scheduler, (status, data) => this.#received(status, data));
    this.#io.proactor.recv(this.fd, this.#recvRequest);
  }

  #received(status: number, data: Uint8Array | null): void {
    this.#recvPosted = false;
    if (this.#closed) return;
    const bytes = data ?? EMPTY;
    if (!this.#reading) {
      (this.#held ??= []).push([status, bytes]);
      return;
    }
    const ended = status !== 0 || bytes.byteLength === 0;
    try {
      this.#deliver(status, bytes);
    } finally {
      // Even when the reader threw (the loop reports it), keep receiving.
      if (!ended && this.#reading) this.#postRecv();
    }
  }

  /** Hands one result to the reader; false when reading is over (EOF or error). */
  #deliver(status: number, data: Uint8Array): boolean {
    const ended = status !== 0 || data.byteLength === 0;
    if (ended) this.#reading = false;
    this.#onRead!(status, data);
    return !ended;
  }

  write(buffers: Uint8Array[], done: Done): void {
    if (this.#awaitingConnect) {
      this.#awaitingConnect.push([buffers, done]);
      return;
    }
    this.#sendsInFlight++;
    this.#io.proactor.send(this.fd, buffers, {
      complete: this.#io.guard((status: number) => {
        this.#sendsInFlight--;
        if (this.#sendsInFlight === 0 && this.#shutdownDone && !this.#closed) this.#io.scheduler.defer(() => this.#shutdownNow());
        done(status);
      }),
    });
  }

  /**
   * A proactor sends only through its completions: an immediate send beside
   * them would cost the system call a completion batch saves (io_uring), and
   * overtake sends still posted.
   */
  tryWrite(): number {
    return 0;
  }

  shutdown(done: Done): void {
    this.#shutdownDone = done;
    if (this.#sendsInFlight === 0 && !this.#awaitingConnect) this.#io.scheduler.defer(() => this.#shutdownNow());
  }

  #shutdownNow(): void {
    const done = this.#shutdownDone;
    if (!done) return;
    this.#shutdownDone = null;
    this.halfClose(done);
  }

  /** Ends the sending side once every write has completed. */
  protected halfClose(done: Done): void {
    const rc = this.#io.api.shutdownSend(this.fd);
    done(rc < 0 ? -rc : 0);
  }

  close(abortive: boolean, done: () => void): void {
    this.#closed = true;
    this.#reading = false;
    if (this.#onConnection) this.#io.accepts.listenerStopped();
    if (this.#acceptPause) clearTimeout(this.#acceptPause);
    this.#acceptPause = null;
    this.#onConnection = null;
    const shutdownDone = this.#shutdownDone;
    this.#shutdownDone = null;
    if (abortive) this.setOption('lingerZero', 1);
    this.closeHandle(
      this.#io.guard(() => {
        shutdownDone?.(STATUS_CANCELED);
        done();
      }),
    );
  }

  /** Closes the handle through the proactor; `done` once every operation on it has been reported. */
  protected closeHandle(done: () => void): void {
    this.#io.proactor.closeSocket(this.fd, done);
  }
}

const EMPTY = new Uint8Array(0);

class ProactiveDatagram extends SocketCalls implements DatagramChannel {
  readonly #io: ProactiveIo;
  #closed = false;
  #onMessage: ((status: number, data: Uint8Array | null, from: Buffer | null) => void) | null = null;
  #recvPosted = false;
  #held: [number, Uint8Array | null, Buffer | null] | null = null;

  constructor(io: ProactiveIo, socket: SocketHandle, family: AddressFamily) {
    super(io.api, socket, family);
    this.#io = io;
  }

  recvStart(onMessage: (status: number, data: Uint8Array | null, from: Buffer | null) => void): void {
    this.#onMessage = onMessage;
    this.#postRecv();
  }

  recvStop(): void {
    // A receive already posted stays posted; a datagram it takes while
    // stopped is held for the next recvStart, as the socket buffer would.
    this.#onMessage = null;
  }

  #postRecv(): void {
    if (this.#recvPosted || this.#closed || !this.#onMessage) return;
    if (this.#held) {
      const [status, data, from] = this.#held;
      this.#held = null;
      this.#io.scheduler.defer(() => this.#deliver(status, data, from));
      return;
    }
    this.#recvPosted = true;
    this.#io.proactor.recvFrom(this.fd, {
      complete: this.#io.guard((status: number, data: Uint8Array | null, from: Buffer | null) => {
        this.#recvPosted = false;
        if (this.#closed) return;
        if (!this.#onMessage) {
          this.#held = [status, data, from];
          return;
        }
        this.#deliver(status, data, from);
      }),
    });
  }

  #deliver(status: number, data: Uint8Array | null, from: Buffer | null): void {
    if (this.#closed || !this.#onMessage) {
      if (!this.#closed) this.#held = [status, data, from];
      return;
    }
    this.#onMessage(status, data, from);
    this.#postRecv();
  }

  send(buffers: Uint8Array[], to: Buffer, toLength: number, done: Done): void {
    this.#io.proactor.sendTo(this.fd, buffers, to, toLength, { complete: this.#io.guard(done) });
  }

  close(done: () => void): void {
    this.#closed = true;
    this.#onMessage = null;
    this.#io.proactor.closeSocket(this.fd, this.#io.guard(done));
  }
}
