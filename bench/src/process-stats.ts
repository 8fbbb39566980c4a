/**
 * What the memory scenario reads of the server's own process: resident
 * memory, V8 heap in use, open OS handles (sockets, events, threads...) and
 * threads. On Windows (and under Wine) handles and threads come from the
 * system's tables (NtQuerySystemInformation), since Wine 8 answers
 * GetProcessHandleCount with 0; on Linux from /proc/self.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One reading of the process. */
export interface ProcessStats {
  /** Resident set (working set on Windows), bytes. */
  rss: number;
  /** V8 heap in use, bytes. */
  heapUsed: number;
  /** Open handles (file descriptors on Linux). */
  handles: number;
  /** Threads of the process. */
  threads: number;
}

const STATUS_INFO_LENGTH_MISMATCH = 0xc0000004;
const SYSTEM_PROCESS_INFORMATION = 5;
const SYSTEM_HANDLE_INFORMATION = 16;
/** sizeof(SYSTEM_HANDLE_ENTRY) on x64: owner pid first. */
const HANDLE_ENTRY_SIZE = 24;
/** SYSTEM_PROCESS_INFORMATION (x64): NumberOfThreads at 4, UniqueProcessId at 0x50. */
const THREADS_OFFSET = 4;
const PID_OFFSET = 0x50;

type Query = (infoClass: number, info: Uint8Array, length: number, returnLength: Uint32Array) => number;

/** The whole answer of NtQuerySystemInformation for `infoClass`, growing the buffer until it fits. */
function querySystem(query: Query, infoClass: number): Buffer {
  const needed = new Uint32Array(1);
  let info = Buffer.alloc(1 << 20);
  for (;;) {
    const status = query(infoClass, info, info.byteLength, needed) >>> 0;
    if (status === STATUS_INFO_LENGTH_MISMATCH) {
      info = Buffer.alloc(Math.max(info.byteLength * 2, needed[0]! + 65536));
      continue;
    }
    if (status !== 0) throw new Error(`NtQuerySystemInformation(${infoClass}) failed: 0x${status.toString(16)}`);
    return info;
  }
}

async function windowsCounts(): Promise<{ handles: number; threads: number }> {
  const { windows } = await import('@wsaloop/core/winsock');
  const query = windows().ntdll.NtQuerySystemInformation as unknown as Query;
  const table = querySystem(query, SYSTEM_HANDLE_INFORMATION);
  let handles = 0;
  for (let i = 0, count = table.readUInt32LE(0); i < count; i++) {
    if (table.readUInt32LE(8 + i * HANDLE_ENTRY_SIZE) === process.pid) handles++;
  }
  const processes = querySystem(query, SYSTEM_PROCESS_INFORMATION);
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

/** Reads the process's figures, after a full garbage collection when `global.gc` is exposed. */
export async function processStats(): Promise<ProcessStats> {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  const counts = process.platform === 'win32' ? await windowsCounts() : linuxCounts();
  return { rss, heapUsed, ...counts };
}
