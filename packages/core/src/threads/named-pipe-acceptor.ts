/**
 * The accept thread's side of a Windows named pipe: keeps instances of the
 * pipe waiting for clients (overlapped ConnectNamedPipe, each with an event
 * of its own) and blocks in one wait on all of them and on a stop event.
 * Each connected instance is handed out as a number, like an accepted
 * socket, and a new instance takes its place.
 *
 * An instance that waited here was never tied to a completion port: the
 * receiving loop's backend takes it (`loop.pipe().open(handle)`) as it
 * takes a socket from the TCP accept thread.
 * @module
 */
import { windows } from '../sys/winsock/library.js';
import {
  ERROR_IO_PENDING,
  WSAENOBUFS,
  ERROR_PIPE_CONNECTED,
  WSA_INFINITE,
  WSA_MAXIMUM_WAIT_EVENTS,
  WSA_WAIT_EVENT_0,
  WSA_WAIT_FAILED,
} from '../sys/winsock/constants.js';
import { addressOf, OVERLAPPED_EVENT, OVERLAPPED_SIZE } from '../sys/winsock/structs.js';
import { closePipeHandle, createPipeInstance } from '../sys/winsock/named-pipes.js';

/** Instances one wait can hold beside the stop event (WaitForMultipleObjects' limit is 64 handles). */
export const MOST_ACCEPT_INSTANCES = WSA_MAXIMUM_WAIT_EVENTS - 1;

interface Instance {
  /** The instance, or -1 while none could be made. */
  handle: number;
  readonly event: number;
  /** The OVERLAPPED of its ConnectNamedPipe, alive until that completes. */
  readonly overlapped: Buffer;
  /** Connected when ConnectNamedPipe returned (ERROR_PIPE_CONNECTED: no event is set then). */
  ready: boolean;
}

/** What {@link NamedPipeAcceptor.next} returns: a connected instance, the stop, or a negated error. */
export type AcceptResult = { handle: number } | 'stop' | number;

/** Instances of one named pipe waiting for clients, on the thread that waits for them. */
export class NamedPipeAcceptor {
  readonly #name: string;
  readonly #stopEvent: number;
  readonly #instances: Instance[] = [];
  /** The wait's handle list: each instance's event, then the stop event. */
  readonly #events: Buffer;

  /**
   * @param count Instances kept waiting (1 to {@link MOST_ACCEPT_INSTANCES}).
   * @param stopEvent An event another thread sets to end {@link next}.
   */
  constructor(name: string, count: number, stopEvent: number) {
    this.#name = name;
    this.#stopEvent = stopEvent;
    const { kernel32 } = windows();
    for (let i = 0; i < count; i++) {
      const overlapped = Buffer.alloc(OVERLAPPED_SIZE);
      const event = kernel32.CreateEventW(0, 1, 0, 0);
      this.#instances.push({ handle: -1, event, overlapped, ready: false });
    }
    this.#events = Buffer.alloc(8 * (count + 1));
    this.#instances.forEach((instance, i) => this.#events.writeBigUInt64LE(BigInt(instance.event), 8 * i));
    this.#events.writeBigUInt64LE(BigInt(stopEvent), 8 * count);
  }

  /** Claims the name with the first instance and sets every instance waiting; 0 or a negated error (`EADDRINUSE`, ...). */
  listen(): number {
    for (let i = 0; i < this.#instances.length; i++) {
      const rc = this.#arm(this.#instances[i]!, i === 0);
      if (rc < 0 && i === 0) return rc;
    }
    return 0;
  }

  /**
   * Blocks until a client connects (its instance's handle) or the stop
   * event is set. A negated error when not one instance can wait (out of
   * handles, say): call again later, which tries to make them again.
   */
  next(): AcceptResult {
    const { kernel32, ws2 } = windows();
    for (;;) {
      const ready = this.#instances.find((i) => i.ready);
      if (ready) {
        ready.ready = false;
        return this.#takeAndRearm(ready);
      }
      let failure = 0;
      for (const instance of this.#instances) if (instance.handle < 0) failure = this.#arm(instance, false) || failure;
      if (this.#instances.every((i) => i.handle < 0)) return failure || -WSAENOBUFS;
      const rc = ws2.WSAWaitForMultipleEvents(this.#instances.length + 1, this.#events, 0, WSA_INFINITE, 0);
      if (rc === WSA_WAIT_FAILED) return -kernel32.GetLastError();
      const index = rc - WSA_WAIT_EVENT_0;
      if (index === this.#instances.length) return 'stop';
      const instance = this.#instances[index];
      if (!instance || instance.handle < 0) continue;
      kernel32.ResetEvent(instance.event);
      const transferred = new Uint32Array(1);
      if (kernel32.GetOverlappedResult(instance.handle, addressOf(instance.overlapped), transferred, 0) !== 0) return this.#takeAndRearm(instance);
      // A client that came and went before it was served (ERROR_NO_DATA),
      // or failed otherwise: its loss only; a new instance waits instead.
      closePipeHandle(instance.handle);
      instance.handle = -1;
      this.#arm(instance, false);
    }
  }

  /** Cancels every instance's wait and closes them and their events. */
  close(): void {
    const { kernel32 } = windows();
    const transferred = new Uint32Array(1);
    for (const instance of this.#instances) {
      if (instance.handle >= 0) {
        kernel32.CancelIoEx(instance.handle, addressOf(instance.overlapped));
        // The OVERLAPPED stays referenced until the cancelled wait has completed.
        kernel32.GetOverlappedResult(instance.handle, addressOf(instance.overlapped), transferred, 1);
        closePipeHandle(instance.handle);
      }
      kernel32.CloseHandle(instance.event);
    }
    this.#instances.length = 0;
  }

  #takeAndRearm(instance: Instance): { handle: number } {
    const handle = instance.handle;
    instance.handle = -1;
    this.#arm(instance, false);
    return { handle };
  }

  /**
   * Makes a new instance for `instance`'s slot and lets it wait. A slot
   * left without one (out of handles, say) is tried again after the next
   * connection.
   */
  #arm(instance: Instance, first: boolean): number {
    const { kernel32 } = windows();
    const handle = createPipeInstance(this.#name, first);
    if (handle < 0) return handle;
    instance.handle = handle;
    instance.overlapped.fill(0);
    instance.overlapped.writeBigUInt64LE(BigInt(instance.event), OVERLAPPED_EVENT);
    kernel32.ResetEvent(instance.event);
    if (kernel32.ConnectNamedPipe(handle, addressOf(instance.overlapped)) !== 0) {
      instance.ready = true;
      return 0;
    }
    const error = kernel32.GetLastError();
    if (error === ERROR_IO_PENDING) return 0;
    if (error === ERROR_PIPE_CONNECTED) {
      instance.ready = true;
      return 0;
    }
    closePipeHandle(handle);
    instance.handle = -1;
    return -error;
  }
}
