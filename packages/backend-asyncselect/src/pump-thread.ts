/**
 * Body of the WSAAsyncSelect pump thread (a worker_threads Worker). It owns
 * the reactor's message-only window: registers a window class whose window
 * procedure is `DefWindowProcW`, creates the window under `HWND_MESSAGE`
 * (never visible, no desktop needed), then blocks in `GetMessageW`, drains
 * what else is queued with `PeekMessageW(PM_REMOVE)`, and forwards the batch
 * (socket = wParam, message, lParam) through the shared ring to the loop's
 * thread. Windows delivers a window's posted messages only to the thread that
 * created it, which is why the window lives here and not on the loop's thread.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { addressOf, user32, windows, WinsockConstants as C } from '@wsaloop/core/winsock';
import {
  ENTRY_WORDS,
  ERROR,
  HEADER_WORDS,
  HWND_HIGH,
  HWND_LOW,
  LAST_SOCKET_MESSAGE,
  type PumpData,
  READ,
  RING_ENTRIES,
  STATE,
  STATE_FAILED,
  STATE_STARTING,
  STATE_READY,
  STATE_STOPPED,
  STOP,
  THREAD_ID,
  WAITING,
  WM_STOP,
  WM_WAKE,
  WRITE,
} from './protocol.js';

/** sizeof(WNDCLASSEXW) on x64. */
const WNDCLASSEX_SIZE = 80;
/** sizeof(MSG) on x64: hwnd, message, wParam, lParam, time, pt, lPrivate. */
const MSG_SIZE = 48;
/** Entries forwarded before the ring index is published even if more messages wait. */
const PUBLISH_EVERY = 256;
const TWO_32 = 0x100000000;

const data = workerData as PumpData;
const shared = new Int32Array(data.shared);
const { kernel32 } = windows();
const u32 = user32();

function writeAddress(buffer: Buffer, at: number, address: number): void {
  buffer.writeUInt32LE(address % TWO_32, at);
  buffer.writeUInt32LE(Math.floor(address / TWO_32), at + 4);
}

function fail(error: number): never {
  shared[ERROR] = error || -1;
  Atomics.store(shared, STATE, STATE_FAILED);
  Atomics.notify(shared, STATE);
  parentPort!.postMessage(0);
  process.exit(0);
}

/** Creates the class and the window, pumps until asked to stop, then destroys both. */
function run(): void {
  const instance = kernel32.GetModuleHandleW(null);
  const defWindowProc = kernel32.GetProcAddress(kernel32.GetModuleHandleW('user32.dll'), 'DefWindowProcW');
  if (!defWindowProc) fail(kernel32.GetLastError());

  // The class name must stay addressable while the class is registered.
  const className = Buffer.from(`${data.className}\0`, 'utf16le');
  const windowClass = Buffer.alloc(WNDCLASSEX_SIZE);
  windowClass.writeUInt32LE(WNDCLASSEX_SIZE, 0); // cbSize
  writeAddress(windowClass, 8, defWindowProc); // lpfnWndProc
  writeAddress(windowClass, 24, instance); // hInstance
  writeAddress(windowClass, 64, addressOf(className)); // lpszClassName
  if (!u32.RegisterClassExW(windowClass)) fail(kernel32.GetLastError());

  const hwnd = u32.CreateWindowExW(0, data.className, null, 0, 0, 0, 0, 0, C.HWND_MESSAGE, 0, instance, 0);
  if (!hwnd) {
    const error = kernel32.GetLastError();
    u32.UnregisterClassW(data.className, instance);
    fail(error);
  }

  shared[HWND_LOW] = hwnd % TWO_32;
  shared[HWND_HIGH] = Math.floor(hwnd / TWO_32);
  shared[THREAD_ID] = kernel32.GetCurrentThreadId();
  Atomics.store(shared, STATE, STATE_READY);
  Atomics.notify(shared, STATE);

  pump: while (!Atomics.load(shared, STOP)) {
    // 0: WM_QUIT; -1: failure (an invalid window, which cannot happen here).
    if (u32.GetMessageW(msg, 0, 0, 0) <= 0) break;
    if (!forward()) break;
    while (u32.PeekMessageW(msg, 0, 0, 0, C.PM_REMOVE)) {
      if (!forward()) break pump;
    }
    publish();
  }

  u32.DestroyWindow(hwnd);
  u32.UnregisterClassW(data.className, instance);
  Atomics.store(shared, STATE, STATE_STOPPED);
  Atomics.notify(shared, STATE);
}

const msg = Buffer.alloc(MSG_SIZE);
let write = Atomics.load(shared, WRITE);
let unpublished = 0;

/** Makes the entries written so far visible, and wakes the loop if it waits for them. */
function publish(): void {
  unpublished = 0;
  Atomics.store(shared, WRITE, write);
  if (Atomics.load(shared, WAITING) === 1 && Atomics.exchange(shared, WAITING, 0) === 1) parentPort!.postMessage(0);
}

/** Appends the message in `msg` to the ring; false when the pump must stop. */
function forward(): boolean {
  const message = msg.readUInt32LE(8);
  if (message === WM_STOP) return false;
  if (message < WM_WAKE || message > LAST_SOCKET_MESSAGE) return true; // not one of ours
  // A full ring: publish, and let the loop's thread catch up.
  while (((write - Atomics.load(shared, READ)) | 0) >= RING_ENTRIES) {
    if (Atomics.load(shared, STOP)) return false;
    publish();
    Atomics.wait(shared, READ, Atomics.load(shared, READ), 10);
  }
  const at = HEADER_WORDS + (write & (RING_ENTRIES - 1)) * ENTRY_WORDS;
  shared[at] = msg.readInt32LE(16); // wParam: the socket
  shared[at + 1] = msg.readInt32LE(20);
  shared[at + 2] = message;
  shared[at + 3] = msg.readInt32LE(24); // lParam: WSAMAKESELECTREPLY(event, error)
  write = (write + 1) | 0;
  if (++unpublished >= PUBLISH_EVERY) publish();
  return true;
}

try {
  run();
} catch (error) {
  // The loop's thread may be blocked waiting for the window: tell it at once.
  if (Atomics.load(shared, STATE) === STATE_STARTING) fail(-1);
  throw error;
}
