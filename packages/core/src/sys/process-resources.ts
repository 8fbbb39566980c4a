/**
 * What this process holds of the operating system, for leak checks and
 * benchmarks: resident memory, V8 heap, open handles and threads. On
 * Windows handles and threads are read from the system's tables
 * (NtQuerySystemInformation), since Wine 8 answers GetProcessHandleCount
 * with 0; on Linux from /proc/self.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { windows } from './winsock/library.js';

/** One reading of the process. */
export interface ProcessResources {
  /** Resident set (working set on Windows), bytes. */
  rss: number;
  /** V8 heap in use, bytes. */
  heapUsed: number;
  /** Open handles: kernel objects on Windows (sockets, events, threads...), file descriptors on Linux. */
  handles: number;
  /** Threads of the process. */
  threads: number;
}

const STATUS_INFO_LENGTH_MISMATCH = 0xc0000004;
const SYSTEM_PROCESS_INFORMATION = 5;
const SYSTEM_HANDLE_INFORMATION = 16;
/** sizeof(SYSTEM_HANDLE_TABLE_ENTRY_INFO) on x64; the owner's pid comes first. */
const HANDLE_ENTRY_SIZE = 24;
/** SYSTEM_PROCESS_INFORMATION on x64: NumberOfThreads at 4, UniqueProcessId at 0x50. */
const THREADS_OFFSET = 4;
const PID_OFFSET = 0x50;

/** The whole answer of NtQuerySystemInformation for `infoClass`, growing the buffer until it fits. */
function querySystem(infoClass: number): Buffer {
  const { ntdll } = windows();
  const needed = new Uint32Array(1);
  let info = Buffer.alloc(1 << 20);
  for (;;) {
    const status = ntdll.NtQuerySystemInformation(infoClass, info, info.byteLength, needed) >>> 0;
    if (status === STATUS_INFO_LENGTH_MISMATCH) {
      info = Buffer.alloc(Math.max(info.byteLength * 2, needed[0]! + 65536));
      continue;
    }
    if (status !== 0) throw new Error(`NtQuerySystemInformation(${infoClass}) failed: 0x${status.toString(16)}`);
    return info;
  }
}

function windowsCounts(): { handles: number; threads: number } {
  const table = querySystem(SYSTEM_HANDLE_INFORMATION);
  let handles = 0;
  for (let i = 0, count = table.readUInt32LE(0); i < count; i++) {
    if (table.readUInt32LE(8 + i * HANDLE_ENTRY_SIZE) === process.pid) handles++;
  }
  const processes = querySystem(SYSTEM_PROCESS_INFORMATION);
  let threads = 0;
  for (let at = 0; ; ) {
    if (Number(processes.readBigUInt64LE(at + PID_OFFSET)) === process.pid) {
      threads = processes.readUInt32LE(at + THREADS_OFFSET);
      break;
    }
    const next = processes.readUInt32LE(at);
    if (next === 0) break;
    at += next;
  }
  return { handles, threads };
}

function linuxCounts(): { handles: number; threads: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  return { handles: readdirSync('/proc/self/fd').length, threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0) };
}

/**
 * Reads the process's figures now (after a full garbage collection when
 * Node runs with `--expose-gc`).
 */
export function processResources(): ProcessResources {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  const counts = process.platform === 'win32' ? windowsCounts() : linuxCounts();
  return { rss, heapUsed, ...counts };
}
