/**
 * The Win32 calls of Windows named pipes that are not I/O: creating a
 * server instance, opening a client's end, cancelling, and looking at a
 * pipe's state. Reads, writes and waits for clients are overlapped
 * operations, started by the backends (`@wsaloop/winsock-kit`).
 *
 * Results follow the socket API's rule: a handle (>= 0) or a negated Win32
 * error code.
 *
 * Every server instance refuses remote clients (`PIPE_REJECT_REMOTE_CLIENTS`).
 * Wine accepts the flag but keeps no trace of it (its pipes report a plain
 * byte pipe, and it has no remote clients to refuse), so only Windows can
 * show it working.
 * @module
 */
import koffi from 'koffi';
import { advapi32, windows } from './library.js';
import {
  DACL_SECURITY_INFORMATION,
  ERROR_ACCESS_DENIED,
  ERROR_BAD_PATHNAME,
  ERROR_INVALID_NAME,
  ERROR_PATH_NOT_FOUND,
  ERROR_PIPE_BUSY,
  ERROR_SEM_TIMEOUT,
  FILE_FLAG_FIRST_PIPE_INSTANCE,
  FILE_FLAG_OVERLAPPED,
  FILE_READ_ATTRIBUTES,
  FILE_TYPE_PIPE,
  FILE_WRITE_ATTRIBUTES,
  GENERIC_ALL,
  GENERIC_READ,
  GENERIC_WRITE,
  INVALID_HANDLE_VALUE,
  NO_INHERITANCE,
  OPEN_EXISTING,
  PIPE_ACCESS_DUPLEX,
  PIPE_READMODE_BYTE,
  PIPE_REJECT_REMOTE_CLIENTS,
  PIPE_TYPE_BYTE,
  PIPE_UNLIMITED_INSTANCES,
  PIPE_WAIT,
  SE_KERNEL_OBJECT,
  SECURITY_IDENTIFICATION,
  SECURITY_SQOS_PRESENT,
  SECURITY_WORLD_RID,
  SECURITY_WORLD_SID_AUTHORITY,
  SET_ACCESS,
  SYNCHRONIZE,
  TRUSTEE_IS_SID,
  TRUSTEE_IS_WELL_KNOWN_GROUP,
  WRITE_DAC,
  WSAEACCES,
  WSAEADDRINUSE,
} from './constants.js';

/**
 * Bytes each direction of an instance buffers: libuv's size, so our pipes
 * and node:net's behave alike under a reader that falls behind.
 */
const PIPE_BUFFER_SIZE = 65536;


/** dwPipeMode of every server instance: a byte stream, and no remote clients. */
export const SERVER_PIPE_MODE = PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS;

/**
 * dwOpenMode of a server instance: both ways, overlapped, allowed to change
 * the pipe's DACL (chmod), and for the `first` one, the claim on the name.
 */
export function serverOpenMode(first: boolean): number {
  return PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | WRITE_DAC | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
}

/**
 * Creates one server instance of the pipe `name`: byte mode, both ways,
 * overlapped, with the default security descriptor, and remote clients
 * refused (`PIPE_REJECT_REMOTE_CLIENTS`: a pipe is a local channel here).
 * The `first` instance claims the name: a name already served by anyone
 * fails with `EADDRINUSE` (as libuv maps it); a name the system will not
 * create a pipe under fails with `EACCES` (as libuv).
 */
export function createPipeInstance(name: string, first: boolean): number {
  const { kernel32 } = windows();
  if (first && isServed(name)) return -WSAEADDRINUSE;
  const handle = kernel32.CreateNamedPipeW(name, serverOpenMode(first), SERVER_PIPE_MODE, PIPE_UNLIMITED_INSTANCES, PIPE_BUFFER_SIZE, PIPE_BUFFER_SIZE, 0, 0);
  if (handle !== INVALID_HANDLE_VALUE) return handle;
  const error = kernel32.GetLastError();
  if (error === ERROR_ACCESS_DENIED || error === ERROR_PIPE_BUSY) return -WSAEADDRINUSE;
  if (error === ERROR_INVALID_NAME || error === ERROR_PATH_NOT_FOUND || error === ERROR_BAD_PATHNAME) return -WSAEACCES;
  return -error;
}

/**
 * Whether some server already has an instance of `name`, free or busy.
 * FILE_FLAG_FIRST_PIPE_INSTANCE says so on Windows, but Wine ignores that
 * flag (a second "first" instance is created without an error), so the name
 * is asked first: WaitNamedPipeW does not connect, and it waits at most
 * 1 ms, only while every instance of a served name is busy.
 */
function isServed(name: string): boolean {
  const { kernel32 } = windows();
  if (kernel32.WaitNamedPipeW(name, 1) !== 0) return true;
  return kernel32.GetLastError() === ERROR_SEM_TIMEOUT;
}

/**
 * Opens a client's end of the pipe `name`, overlapped, letting the server
 * identify but not impersonate the client. `-ERROR_PIPE_BUSY` when every
 * instance is taken: the caller waits and tries again.
 */
export function openPipeClient(name: string): number {
  const { kernel32 } = windows();
  const flags = FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION;
  const handle = kernel32.CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, 0, OPEN_EXISTING, flags, 0);
  return handle === INVALID_HANDLE_VALUE ? -kernel32.GetLastError() : handle;
}

/** Cancels every operation in flight on `handle` (each completes with ERROR_OPERATION_ABORTED). */
export function cancelPipeIo(handle: number): void {
  windows().kernel32.CancelIoEx(handle, 0);
}

/** Most characters in a pipe's name, `\\.\pipe\` included (CreateNamedPipeW's documented limit). */
export const PIPE_NAME_MAX = 256;

/** Whether `name` names a local named pipe: `\\.\pipe\NAME` (or `\\?\pipe\NAME`), with a NAME. */
export function isLocalPipeName(name: string): boolean {
  return /^\\\\[.?]\\pipe\\./i.test(name);
}

/** Writes `name` as UTF-16LE into `out` (a pipe's "address"); returns its length in bytes. */
export function encodePipeName(name: string, out: Buffer): number {
  return out.write(name, 0, 'utf16le');
}

/** The name in the first `length` bytes of `data`, written by {@link encodePipeName}. */
export function decodePipeName(data: Uint8Array, length: number): string {
  return Buffer.from(data.buffer, data.byteOffset, Math.max(0, length)).toString('utf16le');
}

/** Whether `handle` is a pipe's handle (named or not). */
export function isPipeHandle(handle: number): boolean {
  return windows().kernel32.GetFileType(handle) === FILE_TYPE_PIPE;
}

/** Closes a pipe handle no backend was told about. */
export function closePipeHandle(handle: number): void {
  windows().kernel32.CloseHandle(handle);
}

/** EXPLICIT_ACCESS_W on x64: permissions, mode, inheritance, then a TRUSTEE_W at 16 (form at +12, type at +16, the SID's address at +24). */
const EXPLICIT_ACCESS_SIZE = 48;
const EA_MODE = 4;
const EA_INHERITANCE = 8;
const EA_TRUSTEE_FORM = 28;
const EA_TRUSTEE_TYPE = 32;
const EA_TRUSTEE_NAME = 40;

const pointerIn = (cell: Buffer): number => Number(cell.readBigUInt64LE(0));

/** Runs `use` with the "Everyone" SID's address (freed after). */
function withEveryone<T>(use: (sid: number) => T): T | number {
  const api = advapi32();
  const cell = Buffer.alloc(8);
  if (!api.AllocateAndInitializeSid(Buffer.from(SECURITY_WORLD_SID_AUTHORITY), 1, SECURITY_WORLD_RID, 0, 0, 0, 0, 0, 0, 0, cell)) return -windows().kernel32.GetLastError();
  const sid = pointerIn(cell);
  try {
    return use(sid);
  } finally {
    api.FreeSid(sid);
  }
}

/** Runs `use` with the DACL of the pipe `handle` (its descriptor freed after); a negated Win32 error if it cannot be read. */
function withDacl<T>(handle: number, use: (dacl: number) => T): T | number {
  const daclCell = Buffer.alloc(8);
  const descriptorCell = Buffer.alloc(8);
  const error = advapi32().GetSecurityInfo(handle, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, 0, 0, daclCell, 0, descriptorCell);
  if (error !== 0) return -error;
  try {
    return use(pointerIn(daclCell));
  } finally {
    windows().kernel32.LocalFree(pointerIn(descriptorCell));
  }
}

/**
 * Lets everyone read from and/or write to the pipe of `handle` (a server
 * instance), as libuv's uv_pipe_chmod: an entry for Everyone is set in the
 * pipe's DACL. Returns 0 or a negated Win32 error.
 */
export function grantEveryone(handle: number, access: { readable?: boolean; writable?: boolean }): number {
  const permissions = (access.readable ? GENERIC_READ | FILE_WRITE_ATTRIBUTES : 0) | (access.writable ? GENERIC_WRITE | FILE_READ_ATTRIBUTES : 0) | SYNCHRONIZE;
  const rc = withEveryone((everyone) =>
    withDacl(handle, (dacl) => {
      const entry = Buffer.alloc(EXPLICIT_ACCESS_SIZE);
      entry.writeUInt32LE(permissions >>> 0, 0);
      entry.writeUInt32LE(SET_ACCESS, EA_MODE);
      entry.writeUInt32LE(NO_INHERITANCE, EA_INHERITANCE);
      entry.writeUInt32LE(TRUSTEE_IS_SID, EA_TRUSTEE_FORM);
      entry.writeUInt32LE(TRUSTEE_IS_WELL_KNOWN_GROUP, EA_TRUSTEE_TYPE);
      entry.writeBigUInt64LE(BigInt(everyone), EA_TRUSTEE_NAME);
      const newCell = Buffer.alloc(8);
      let error = advapi32().SetEntriesInAclW(1, entry, dacl, newCell);
      if (error !== 0) return -error;
      const newDacl = pointerIn(newCell);
      try {
        error = advapi32().SetSecurityInfo(handle, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, 0, 0, newDacl, 0);
        return error === 0 ? 0 : -error;
      } finally {
        windows().kernel32.LocalFree(newDacl);
      }
    }),
  );
  return rc;
}

/**
 * The access the pipe of `handle` grants Everyone by an explicit entry of
 * its DACL (0 when none; GENERIC_ALL when it has no DACL at all, which lets
 * everyone do anything, as Wine's pipes start), or a negated Win32 error:
 * what `grantEveryone` set.
 */
export function everyoneAccess(handle: number): number {
  return withEveryone((everyone) =>
    withDacl(handle, (dacl) => {
      if (dacl === 0) return GENERIC_ALL;
      const count = new Uint32Array(1);
      const entriesCell = Buffer.alloc(8);
      const error = advapi32().GetExplicitEntriesFromAclW(dacl, count, entriesCell);
      if (error !== 0) return -error;
      const entries = pointerIn(entriesCell);
      if (count[0] === 0 || entries === 0) return 0;
      try {
        const bytes = Buffer.from(koffi.view(koffi.decode(entriesCell, 'void *'), count[0]! * EXPLICIT_ACCESS_SIZE));
        let granted = 0;
        for (let at = 0; at < bytes.length; at += EXPLICIT_ACCESS_SIZE) {
          if (bytes.readUInt32LE(at + EA_TRUSTEE_FORM) !== TRUSTEE_IS_SID) continue;
          if (advapi32().EqualSid(Number(bytes.readBigUInt64LE(at + EA_TRUSTEE_NAME)), everyone)) granted |= bytes.readUInt32LE(at);
        }
        return granted >>> 0;
      } finally {
        windows().kernel32.LocalFree(entries);
      }
    }),
  ) as number;
}
