/**
 * Named pipes beside a readiness backend. select, WSAEventSelect and
 * WSAAsyncSelect take sockets only: a named pipe has no readiness to wait
 * for. So a reactor that serves pipes keeps a completion engine beside its
 * own wait, the overlapped proactor notified by events, whose events are
 * waited on by wait threads of its own (WSAWaitForMultipleEvents). That is
 * the honest form of the model: the pipes are overlapped I/O, and the
 * reactor's wait is not what learns of them.
 *
 * The reactor's poll reports both. What finished is reported without a
 * wait; when both must wait, they wait at once, and neither a pipe nor a
 * socket waits for the other's timeout: sockets first wake the pipes' wait;
 * pipes first let the reactor end its socket wait, or carry it to its next
 * poll (select does, sparing a wake-up and a new wait per pipe round trip).
 * Until a pipe is used, nothing is made and the reactor polls as before.
 * While the reactor waits alone (no pipe operation in flight), a pipe
 * operation that starts (a pipe opened from a Node timer, or handed over
 * from an accept thread) ends that wait, so the next poll waits on both.
 * @module
 */
import type { Proactor } from '@wsaloop/core/backend';
import { EventOverlappedProactor } from '../overlapped/event-proactor.js';

/**
 * What a reactor whose socket wait can outlive a poll offers the sidecar
 * (select does; see `PipeSidecar.poll`).
 */
export interface SocketWaitCarrier {
  /** Carries the wait in flight to the reactor's next poll (its promise is abandoned); false when it has already ended. */
  carry(): boolean;
  /**
   * Starts the socket wait, or lets the one in flight go on, carried to the
   * next poll with no promise made; returns the sockets reported at once
   * instead, if it did not wait, else null.
   */
  startCarried(timeoutMs: number): number | null;
}

/** The named-pipe engine of one reactor. */
export class PipeSidecar {
  #engine: EventOverlappedProactor | null = null;
  #closed = false;
  /** Ends the reactor's wait while it waits without the engine. */
  #wakeLoneWait: (() => void) | null = null;

  /** The engine that serves the reactor's named pipes, made on first use. */
  get proactor(): Proactor {
    if (this.#closed) throw new Error('the backend is closed');
    if (!this.#engine) {
      this.#engine = new EventOverlappedProactor();
      this.#engine.onActivity = () => this.#wakeLoneWait?.();
    }
    return this.#engine;
  }

  /**
   * One poll of the reactor: `pollSockets` is the reactor's own, with the
   * same contract (synchronous for timeout 0); `wakeSockets` ends its wait.
   * When the pipes answer while the sockets wait, a reactor that gives
   * `carrier` has that wait carried to its next poll instead, where
   * `pollSockets` picks it up. When the pipes had finished work before the
   * poll, its wait is started (or goes on) carried; a reactor without a
   * carrier gets a look at its sockets instead.
   */
  poll(
    timeoutMs: number,
    pollSockets: (timeoutMs: number) => number | Promise<number>,
    wakeSockets: () => void,
    carrier?: SocketWaitCarrier,
  ): number | Promise<number> {
    // Pipes first: the socket wait is carried, or woken and waited for.
    const leaveSockets = (): boolean => carrier?.carry() || (wakeSockets(), false);
    const engine = this.#engine;
    if (!engine || engine.idle || this.#closed) {
      const alone = pollSockets(timeoutMs);
      if (typeof alone === 'number') return alone;
      // The engine may be made, or start its first operation, during this wait.
      this.#wakeLoneWait = wakeSockets;
      const done = (): void => {
        this.#wakeLoneWait = null;
      };
      alone.then(done, done);
      return alone;
    }
    const finished = engine.poll(0) as number;
    if (timeoutMs === 0 || (finished > 0 && !carrier)) return finished + (pollSockets(0) as number);
    if (finished > 0 && carrier) {
      // Pipes first again: rather than a look at the sockets per poll (a
      // select per pipe round trip when the pipes keep answering before the
      // poll), the socket wait starts, or goes on, carried.
      return finished + (carrier.startCarried(timeoutMs) ?? 0);
    }
    const sockets = pollSockets(timeoutMs);
    if (typeof sockets === 'number') return sockets; // the pipes are looked at again next poll
    const pipes = engine.poll(timeoutMs);
    if (typeof pipes === 'number') return leaveSockets() ? pipes : sockets.then((n) => n + pipes);
    return new Promise<number>((resolve, reject) => {
      let socketsEnded: { n: number } | { error: unknown } | null = null;
      const onSockets = (outcome: { n: number } | { error: unknown }): void => {
        socketsEnded = outcome;
        engine.wake();
      };
      sockets.then(
        (n) => onSockets({ n }),
        (error: unknown) => onSockets({ error }),
      );
      pipes.then((p) => {
        const ended = socketsEnded as { n: number } | { error: unknown } | null;
        if (ended) return 'error' in ended ? reject(ended.error) : resolve(ended.n + p);
        if (leaveSockets()) return resolve(p);
        sockets.then((n) => resolve(n + p), reject);
      }, (error: unknown) => {
        if (!socketsEnded && !leaveSockets()) return void sockets.then(() => reject(error), () => reject(error));
        reject(error);
      });
    });
  }

  /** Ends the pipes' wait in progress (the reactor ends its own). */
  wake(): void {
    if (!this.#closed) this.#engine?.wake();
  }

  /** Releases the engine (every pipe was closed before). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#engine?.close();
  }

  /**
   * `pipeOperations` (in flight) and `pipeHandles` (open): 0 until a pipe is
   * used, and still counted after close, for leak checks.
   */
  stats(): Record<string, number> {
    const engine = this.#engine?.stats();
    return { pipeOperations: engine?.liveOperations ?? 0, pipeHandles: engine?.openSockets ?? 0 };
  }
}
