/**
 * A benchmarked server's control port (node:net, beside whatever the server
 * runs): each connection gets one JSON line of the process's figures, the
 * native calls wsaloop made so far included, and is closed. Prints
 * `control on <host>:<port>`.
 */
import { createServer } from 'node:net';
import { nativeCallCounts, processResources } from '@wsaloop/core';

/** What a control port answers. */
export interface ControlReading {
  rss: number;
  heapUsed: number;
  handles: number;
  threads: number;
  /** The server's Node version (`process.version`). */
  nodeVersion: string;
  /** nativeCallCounts(): every thread of the process, by function name. */
  nativeCalls: Record<string, number>;
  /** Path of the heap snapshot this reading wrote, if asked to. */
  snapshot?: string;
}

/** Opens the control port; `extra` may add to each reading (e.g. write a heap snapshot). */
export function openControlPort(host: string, extra: () => Partial<ControlReading> = () => ({})): void {
  const control = createServer((s) => {
    s.on('error', () => {});
    const reading: ControlReading = { ...processResources(), nodeVersion: process.version, nativeCalls: nativeCallCounts(), ...extra() };
    s.end(`${JSON.stringify(reading)}\n`);
  });
  control.unref();
  control.listen(0, host, () => console.log(`control on ${host}:${(control.address() as { port: number }).port}`));
}
