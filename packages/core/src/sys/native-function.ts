/**
 * Typing for functions bound through koffi: callable synchronously, or with
 * `.async(...)` on a libuv pool thread so a blocking wait never holds Node's
 * main thread.
 * @module
 */

/** Callback of a koffi `.async` call. */
export type AsyncResult<R> = (error: unknown, result: R) => void;

/** A native function bound with koffi. */
export type NativeFunction<A extends unknown[], R> = ((...args: A) => R) & {
  /** Runs the call on a worker thread and reports the result on the main thread. */
  async(...args: [...A, AsyncResult<R>]): void;
};

/** Opaque native pointer as koffi returns it. */
export type NativePointer = object;
