/**
 * The server process's own figures, for leak checks: memory, and OS handles
 * (Win32 handles under Windows, open file descriptors on Linux). Wine
 * answers GetProcessHandleCount with 0: the soak harness then counts the
 * Linux descriptors of the node.exe process instead.
 * @module
 */
import { readdirSync } from 'node:fs';

/** What the soak compares at start and end. */
export interface ProcessFigures {
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  handles: number;
}

let handleCount: (() => number) | null = null;

async function handleCounter(): Promise<() => number> {
  if (process.platform === 'win32') {
    const { windows } = await import('@wsaloop/core/winsock');
    const k32 = windows().kernel32;
    const out = new Uint32Array(1);
    return () => (k32.GetProcessHandleCount(k32.GetCurrentProcess(), out) ? out[0]! : -1);
  }
  return () => {
    try {
      return readdirSync('/proc/self/fd').length;
    } catch {
      return -1;
    }
  };
}

/** Memory (after a full collection when the process runs with --expose-gc) and handle count now. */
export async function processFigures(): Promise<ProcessFigures> {
  handleCount ??= await handleCounter();
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const mib = (n: number): number => Math.round((n / 1048576) * 10) / 10;
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), externalMiB: mib(m.external), handles: handleCount() };
}
