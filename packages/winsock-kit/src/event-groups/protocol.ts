/**
 * Shared-memory protocol between an {@link EventGroupWaiter} and one of its
 * wait threads. The control words live in an Int32Array over a
 * SharedArrayBuffer; event handles in a Float64Array (exact below 2^53).
 * @module
 */

/** Index of the command word: what the thread should do. */
export const COMMAND = 0;
/** Index of the handle count (control event included). */
export const COUNT = 1;
/** Index of the wait's result (WSAWaitForMultipleEvents' return value). */
export const RESULT = 2;
/** Index of the word the thread sets (and notifies) once it has left its loop, native calls and all. */
export const LEFT = 3;
/** Control words. */
export const CONTROL_WORDS = 4;

/** Command: nothing to do (also: the last wait has returned). */
export const IDLE = 0;
/** Command: wait on the published handles. */
export const WAIT = 1;
/** Command: leave the thread. */
export const EXIT = 2;

/** Handles per group: WSA_MAXIMUM_WAIT_EVENTS, control event included. */
export const GROUP_HANDLES = 64;
