/**
 * The accept thread of {@link AcceptThread}: listens, then blocks in
 * `accept()` (on Windows, for a pipe, in the wait of a named pipe's
 * instances) and posts each new socket to the least loaded target. It never
 * runs Node's event loop while accepting, so it reads control messages
 * (replacement targets) synchronously after each accept.
 */
import { unlinkSync } from 'node:fs';
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { classifyAcceptFailure } from '../io/accept-errors.js';
import { socketApi } from '../sys/platform.js';
import { decodeSockaddr, encodeLocalSockaddr, encodeSockaddr, familyOf, SOCKADDR_MAX } from '../sys/sockaddr.js';
import { closePipeHandle } from '../sys/winsock/named-pipes.js';
import { type AcceptThreadReport, RETIRED } from './accept-thread.js';
import { MOST_ACCEPT_INSTANCES, NamedPipeAcceptor } from './named-pipe-acceptor.js';

/** Out of sockets or memory: how long to wait for connections to close instead of spinning. */
const EXHAUSTED_WAIT_MS = 50;

const { host, port, path, backlog, targets, loads, stop, stopEvent, control } = workerData as {
  host: string;
  port: number;
  /** A pipe to listen on instead of host and port. */
  path: string | undefined;
  backlog: number;
  targets: MessagePort[];
  loads: SharedArrayBuffer;
  stop: SharedArrayBuffer;
  /** Windows, with a path: the event that ends the named pipe's wait. */
  stopEvent: number;
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

/** Takes replacement targets posted since the last connection. */
function takeReplacements(): void {
  for (let m = receiveMessageOnPort(control); m; m = receiveMessageOnPort(control)) {
    const { target, port: replacement } = m.message as { target: number; port: MessagePort };
    targets[target]?.close();
    targets[target] = replacement;
    Atomics.store(load, target, 0);
  }
}

/** Hands a connection to the least loaded loop; false when every loop is gone (the caller closes it). */
let last = targets.length - 1;
function deal(socket: number): boolean {
  last = pick(last);
  if (Atomics.load(load, last) >= RETIRED) return false;
  Atomics.add(load, last, 1);
  targets[last]!.postMessage({ socket });
  return true;
}

/** Sockets: blocking accept() on the listener, until the stop flag is set and a connection of the main thread's wakes it. */
function acceptSockets(): void {
  const listener = listen();
  if (listener < 0) return fail(listener);
  while (Atomics.load(stopping, 0) === 0) {
    const socket = api.accept(listener);
    takeReplacements();
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
    if (!deal(socket)) api.close(socket); // every loop is gone: nobody can serve it
  }
  api.close(listener);
  removePath();
}

/** A Windows named pipe: instances wait for clients, until the stop event is set. */
function acceptNamedPipe(name: string): void {
  const acceptor = new NamedPipeAcceptor(name, Math.min(Math.max(backlog, 1), MOST_ACCEPT_INSTANCES), stopEvent);
  const rc = acceptor.listen();
  if (rc < 0) {
    acceptor.close();
    return fail(rc);
  }
  report({ type: 'listening', address: name });
  for (;;) {
    const result = acceptor.next();
    takeReplacements();
    if (result === 'stop' || Atomics.load(stopping, 0) !== 0) {
      if (typeof result === 'object') closePipeHandle(result.handle);
      break;
    }
    // Not one instance could be made (out of handles, say): wait for connections to close instead of spinning.
    if (typeof result === 'number') {
      Atomics.wait(stopping, 0, 0, EXHAUSTED_WAIT_MS);
      continue;
    }
    if (!deal(result.handle)) closePipeHandle(result.handle);
  }
  acceptor.close();
}

if (path !== undefined && process.platform === 'win32') acceptNamedPipe(path);
else acceptSockets();
for (const target of targets) target.close();
control.close();
