/**
 * The modes every named-pipe server instance is created with. Wine accepts
 * PIPE_REJECT_REMOTE_CLIENTS but keeps no trace of it, and has no remote
 * clients to refuse, so the suite under Wine cannot see it work: what can
 * be checked anywhere is that the instances ask for it.
 */
import { expect, it } from 'vitest';
import {
  FILE_FLAG_FIRST_PIPE_INSTANCE,
  FILE_FLAG_OVERLAPPED,
  PIPE_ACCESS_DUPLEX,
  PIPE_REJECT_REMOTE_CLIENTS,
  WRITE_DAC,
} from '../src/sys/winsock/constants.js';
import { isLocalPipeName, SERVER_PIPE_MODE, serverOpenMode } from '../src/sys/winsock/named-pipes.js';

it('server instances refuse remote clients, are overlapped both ways, may change their DACL, and only the first claims the name', () => {
  expect(SERVER_PIPE_MODE & PIPE_REJECT_REMOTE_CLIENTS).toBe(PIPE_REJECT_REMOTE_CLIENTS);
  // Byte mode, read as bytes, waiting: all zero bits (message mode would need framing).
  expect(SERVER_PIPE_MODE & ~PIPE_REJECT_REMOTE_CLIENTS).toBe(0);
  for (const first of [true, false]) {
    expect(serverOpenMode(first) & PIPE_ACCESS_DUPLEX).toBe(PIPE_ACCESS_DUPLEX);
    expect(serverOpenMode(first) & FILE_FLAG_OVERLAPPED).toBe(FILE_FLAG_OVERLAPPED);
    expect(serverOpenMode(first) & WRITE_DAC).toBe(WRITE_DAC); // chmod changes the DACL through it
  }
  expect(serverOpenMode(true) & FILE_FLAG_FIRST_PIPE_INSTANCE).toBe(FILE_FLAG_FIRST_PIPE_INSTANCE);
  expect(serverOpenMode(false) & FILE_FLAG_FIRST_PIPE_INSTANCE).toBe(0);
});

it('only local pipe names are pipe names', () => {
  for (const name of ['\\\\.\\pipe\\app', '\\\\?\\pipe\\app', '\\\\.\\PIPE\\a\\b']) expect(isLocalPipeName(name)).toBe(true);
  for (const name of ['\\\\.\\pipe\\', '\\\\server\\pipe\\app', 'C:\\app.sock', '/tmp/app.sock', 'pipe\\app']) expect(isLocalPipeName(name)).toBe(false);
});
