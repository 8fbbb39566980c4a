// Runs createLoop({ backend: 'iouring' }) in a process whose io_uring_setup
// a seccomp filter fails with the errno in argv[2], as container runtimes'
// default profiles do, and prints what createLoop threw as JSON.
import koffi from 'koffi';
import { createLoop } from '@wsaloop/core';

const errnoValue = Number(process.argv[2]);
const libc = koffi.load('libc.so.6');
const prctl = libc.func('int prctl(int option, unsigned long a2, void *a3, unsigned long a4, unsigned long a5)');
const PR_SET_NO_NEW_PRIVS = 38;
const PR_SET_SECCOMP = 22;
const SECCOMP_MODE_FILTER = 2;
const SYS_io_uring_setup = 425;

// struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }
const program = [
  [0x20, 0, 0, 0], // load the system call number
  [0x15, 0, 1, SYS_io_uring_setup], // io_uring_setup?
  [0x06, 0, 0, 0x00050000 | errnoValue], // then fail it with errno
  [0x06, 0, 0, 0x7fff0000], // else allow
];
const filter = Buffer.alloc(program.length * 8);
program.forEach(([code, jt, jf, k], i) => {
  filter.writeUInt16LE(code, i * 8);
  filter[i * 8 + 2] = jt;
  filter[i * 8 + 3] = jf;
  filter.writeUInt32LE(k >>> 0, i * 8 + 4);
});
// struct sock_fprog { unsigned short len; struct sock_filter *filter; }
const fprog = Buffer.alloc(16);
fprog.writeUInt16LE(program.length, 0);
const addressOf = libc.func('uintptr_t memcpy(void *dest, void *src, size_t size)');
fprog.writeBigUInt64LE(BigInt(addressOf(filter, filter, 0)), 8);
if (prctl(PR_SET_NO_NEW_PRIVS, 1, null, 0, 0) !== 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fprog, 0, 0) !== 0) {
  console.log(JSON.stringify({ setup: `seccomp failed: errno ${koffi.errno()}` }));
  process.exit(0);
}
const fallback = createLoop();
const result = { defaultBackend: fallback.backend.name };
fallback.close();
try {
  createLoop({ backend: 'iouring' }).close();
  result.created = true;
} catch (error) {
  Object.assign(result, { code: error.code, message: error.message });
}
console.log(JSON.stringify(result));
