/**
 * Winsock extension functions (mswsock.h), fetched at run time with
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) as Microsoft requires, once
 * per address family and thread.
 * @module
 */
import koffi from 'koffi';
import { type AddressFamily, countedCalls, type NativeFunction, type SocketHandle } from '@wsaloop/core/backend';
import { windows, WinsockConstants } from '@wsaloop/core/winsock';

const { SIO_GET_EXTENSION_FUNCTION_POINTER } = WinsockConstants;

/** AcceptEx with every kept pointer passed as a numeric address. */
export type AcceptExFunction = NativeFunction<
  [listen: SocketHandle, accept: SocketHandle, output: number, dataLength: number, localLength: number, remoteLength: number, received: number, overlapped: number],
  number
>;

/** ConnectEx with every kept pointer passed as a numeric address. */
export type ConnectExFunction = NativeFunction<
  [socket: SocketHandle, address: number, length: number, sendBuffer: number, sendLength: number, sent: number, overlapped: number],
  number
>;

/** The extension functions of one provider. */
export interface ExtensionFunctions {
  AcceptEx: AcceptExFunction;
  ConnectEx: ConnectExFunction;
}

function guid(d1: number, d2: number, d3: number, d4: number[]): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(d1, 0);
  b.writeUInt16LE(d2, 4);
  b.writeUInt16LE(d3, 6);
  Buffer.from(d4).copy(b, 8);
  return b;
}

const WSAID_ACCEPTEX = guid(0xb5367df1, 0xcbac, 0x11cf, [0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92]);
const WSAID_CONNECTEX = guid(0x25a207b9, 0xddf3, 0x4660, [0x8e, 0xe9, 0x76, 0xe5, 0x8c, 0x74, 0x06, 0x3e]);

let acceptExType: unknown;
let connectExType: unknown;
const cache = new Map<AddressFamily, ExtensionFunctions>();

function fetch(name: string, socket: SocketHandle, id: Buffer, type: unknown): unknown {
  const { ws2 } = windows();
  const out = Buffer.alloc(8);
  const returned = new Uint32Array(1);
  if (ws2.WSAIoctl(socket, SIO_GET_EXTENSION_FUNCTION_POINTER, id, 16, out, 8, returned, null, null) !== 0) {
    throw new Error(`SIO_GET_EXTENSION_FUNCTION_POINTER failed with WSA error ${ws2.WSAGetLastError()}`);
  }
  return countedCalls(name, koffi.decode(koffi.decode(out, 'void *'), type as koffi.IKoffiCType) as NativeFunction<never[], unknown>);
}

/** AcceptEx and ConnectEx for sockets of `family`, looked up through `socket`. */
export function extensionFunctions(socket: SocketHandle, family: AddressFamily): ExtensionFunctions {
  const cached = cache.get(family);
  if (cached) return cached;
  // Anonymous prototypes: a named koffi type can be declared only once per
  // thread, and a thread may hold two copies of core (one per module system,
  // or one per package under Wine, which does not resolve symlinks).
  acceptExType ??= koffi.proto('__stdcall', null, 'int', ['intptr_t', 'intptr_t', 'uintptr_t', 'uint32_t', 'uint32_t', 'uint32_t', 'uintptr_t', 'uintptr_t']);
  connectExType ??= koffi.proto('__stdcall', null, 'int', ['intptr_t', 'uintptr_t', 'int', 'uintptr_t', 'uint32_t', 'uintptr_t', 'uintptr_t']);
  const functions: ExtensionFunctions = {
    AcceptEx: fetch('AcceptEx', socket, WSAID_ACCEPTEX, acceptExType) as AcceptExFunction,
    ConnectEx: fetch('ConnectEx', socket, WSAID_CONNECTEX, connectExType) as ConnectExFunction,
  };
  cache.set(family, functions);
  return functions;
}
