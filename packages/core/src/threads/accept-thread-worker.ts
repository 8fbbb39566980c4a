/**
 * The accept thread of {@link AcceptThread}: listens, then blocks in
 * `accept()` and posts each new socket to the least loaded target. It never
 * runs Node's event loop while accepting, so it reads control messages
 * (replacement targets) synchronously after each accept.
 */
import { unlinkSync } from 'node:fs';
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { classifyAcceptFailure } from '../io/accept-errors.js';
import { socketApi } from '../sys/platform.js';
import { decodeSockaddr, encodeLocalSockaddr, encodeSockaddr, familyOf, SOCKADDR_MAX } from '../sys/sockaddr.js';
import { type AcceptThreadReport, RETIRED } from './accept-thread.js';

/** Out of sockets or memory: how long to wait for connections to close instead of spinning. */
const EXHAUSTED_WAIT_MS = 50;

const { host, port, path, backlog, targets, loads, stop, control } = workerData as {
  host: string;
  port: number;
  /** A pipe to listen on instead of host and port. */
  path: string | undefined;
  backlog: number;
  targets: MessagePort[];
  loads: SharedArrayBuffer;
  stop: SharedArrayBuffer;
  control: MessagePort;
};
const api = socketApi();
const load = new Int32Array(loads);
const stopping = new Int32Array(stop);
const report = (message: AcceptThreadReport): void => parentPort!.postMessage(message);
const fail = (rc: number): void => {
  const code = api.errorCode(-rc);
  report({ type: 'error', code, errno: -rc, message: `accept thread: ${code} (${api.errorMessage(-rc)})` });
};

function listen(): number {
  const family = path !== undefined ? 'unix' : familyOf(host)!;
  const socket = api.open(family, 'stream');
  if (socket < 0) return socket;
  if (family === 'ipv6') api.setOption(socket, 'ipv6Only', 0, family);
  const address = Buffer.alloc(SOCKADDR_MAX);
  // The main thread checked that a path fits.
  const length = path !== undefined ? encodeLocalSockaddr(api, path, address) : encodeSockaddr(api, family as 'ipv4' | 'ipv6', host, port, address);
  let rc = api.bind(socket, address, length);
  const bound = rc >= 0;
  if (rc >= 0) rc = api.listen(socket, backlog);
  if (rc >= 0) rc = api.setBlocking(socket, true);
  if (rc >= 0 && path === undefined) rc = api.localAddress(socket, address);
  if (rc < 0) {
    api.close(socket);
    if (bound) removePath(); // our file (a failed bind leaves someone else's alone)
    return rc;
  }
  report({ type: 'listening', address: path ?? decodeSockaddr(api, address)! });
  return socket;
}

/** Removes the pipe's file (an abstract name has none), as a pipe's close does. */
function removePath(): void {
  if (path === undefined || path.startsWith('\0')) return;
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** The target with the fewest live connections; among equals, the next after `last`. */
function pick(last: number): number {
  let best = -1;
  for (let i = 1; i <= targets.length; i++) {
    const t = (last + i) % targets.length;
    if (best < 0 || Atomics.load(load, t) < Atomics.load(load, best)) best = t;
  }
  return best;
}

const listener = listen();
if (listener < 0) {
  fail(listener);
} else {
  let last = targets.length - 1;
  while (Atomics.load(stopping, 0) === 0) {
    const socket = api.accept(listener);
    for (let m = receiveMessageOnPort(control); m; m = receiveMessageOnPort(control)) {
      const { target, port: replacement } = m.message as { target: number; port: MessagePort };
      targets[target]?.close();
      targets[target] = replacement;
      Atomics.store(load, target, 0);
    }
    if (Atomics.load(stopping, 0) !== 0) {
      if (socket >= 0) api.close(socket);
      break;
    }
    if (socket < 0) {
      // A connection's own failure: accept the next one. Out of resources:
      // the listener is blocking, so the spare-descriptor trick (which
      // accepts until the backlog is empty) is not for it; wait instead.
      const failure = classifyAcceptFailure(-socket);
      if (failure === 'connection') continue;
      if (failure === 'resources') {
        Atomics.wait(stopping, 0, 0, EXHAUSTED_WAIT_MS);
        continue;
      }
      fail(socket);
      break;
    }
    last = pick(last);
    if (Atomics.load(load, last) >= RETIRED) {
      api.close(socket); // every loop is gone: nobody can serve it
      continue;
    }
    Atomics.add(load, last, 1);
    targets[last]!.postMessage({ socket });
  }
  api.close(listener);
  removePath();
}
for (const target of targets) target.close();
control.close();
