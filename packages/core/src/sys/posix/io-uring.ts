/**
 * io_uring's ABI, from <linux/io_uring.h> and <sys/mman.h>: the system call
 * numbers, the layout of `struct io_uring_params`, of the submission and
 * completion queue entries, the opcodes wsaloop submits, and the flags it
 * reads. The same on x86-64 and arm64 (the io_uring calls are in the generic
 * system call table, the structures have fixed-size fields).
 * @module
 */

export const SYS_io_uring_setup = 425;
export const SYS_io_uring_enter = 426;
export const SYS_io_uring_register = 427;

/** sizeof(struct io_uring_params). */
export const PARAMS_SIZE = 120;
export const PARAMS_SQ_ENTRIES = 0;
export const PARAMS_CQ_ENTRIES = 4;
export const PARAMS_FLAGS = 8;
export const PARAMS_FEATURES = 20;
/** Offset of `struct io_sqring_offsets sq_off` in the params. */
export const PARAMS_SQ_OFF = 40;
/** Offset of `struct io_cqring_offsets cq_off` in the params. */
export const PARAMS_CQ_OFF = 80;
/** Fields of `io_sqring_offsets` (each a u32 giving an offset into the SQ ring mapping). */
export const SQ_OFF_HEAD = 0;
export const SQ_OFF_TAIL = 4;
export const SQ_OFF_RING_MASK = 8;
export const SQ_OFF_FLAGS = 16;
export const SQ_OFF_ARRAY = 24;
/** Fields of `io_cqring_offsets`. */
export const CQ_OFF_HEAD = 0;
export const CQ_OFF_TAIL = 4;
export const CQ_OFF_RING_MASK = 8;
export const CQ_OFF_CQES = 20;

/** mmap offsets of the rings (one mapping holds both with IORING_FEAT_SINGLE_MMAP) and of the SQE array. */
export const IORING_OFF_SQ_RING = 0;
export const IORING_OFF_SQES = 0x10000000;

/** sizeof(struct io_uring_sqe) and its fields. */
export const SQE_SIZE = 64;
export const SQE_OPCODE = 0;
export const SQE_FD = 4;
/** `off` (connect: the address length). */
export const SQE_OFF = 8;
/** `addr` (a buffer, a msghdr, a sockaddr, or the user_data to cancel). */
export const SQE_ADDR = 16;
export const SQE_LEN = 24;
/** The op-specific flags: msg_flags, accept_flags, poll32_events, cancel_flags. */
export const SQE_OP_FLAGS = 28;
export const SQE_USER_DATA = 32;

/** sizeof(struct io_uring_cqe) and its fields. */
export const CQE_SIZE = 16;
export const CQE_USER_DATA = 0;
export const CQE_RES = 8;
export const CQE_FLAGS = 12;

export const IORING_OP_POLL_ADD = 6;
export const IORING_OP_SENDMSG = 9;
export const IORING_OP_RECVMSG = 10;
export const IORING_OP_ACCEPT = 13;
export const IORING_OP_ASYNC_CANCEL = 14;
export const IORING_OP_CONNECT = 16;
export const IORING_OP_READ = 22;
export const IORING_OP_SEND = 26;
export const IORING_OP_RECV = 27;

/** Setup flag: clamp too-large ring sizes instead of failing. */
export const IORING_SETUP_CLAMP = 1 << 4;
/** Setup flag: finish completions when the submitter next enters the kernel, without interrupting it (Linux 5.19). */
export const IORING_SETUP_COOP_TASKRUN = 1 << 8;
/** Setup flag: set IORING_SQ_TASKRUN in the SQ ring's flags while such work waits (Linux 5.19). */
export const IORING_SETUP_TASKRUN_FLAG = 1 << 9;

export const IORING_FEAT_SINGLE_MMAP = 1 << 0;
export const IORING_FEAT_NODROP = 1 << 1;
export const IORING_FEAT_FAST_POLL = 1 << 5;

export const IORING_ENTER_GETEVENTS = 1 << 0;

/** SQ ring flag: completions overflowed into the kernel's list; an enter with GETEVENTS flushes them. */
export const IORING_SQ_CQ_OVERFLOW = 1 << 1;
/** SQ ring flag (with IORING_SETUP_TASKRUN_FLAG): completions wait for the submitter to enter the kernel. */
export const IORING_SQ_TASKRUN = 1 << 2;

/** CQE flag: the socket had more to accept or receive when this completed (Linux 6.x; absent before). */
export const IORING_CQE_F_SOCK_NONEMPTY = 1 << 2;

/** io_uring_register opcode: which operations the kernel supports. */
export const IORING_REGISTER_PROBE = 8;
/** sizeof(struct io_uring_probe) header, and of each io_uring_probe_op after it. */
export const PROBE_HEADER_SIZE = 16;
export const PROBE_OP_SIZE = 8;
/** Offset of `ops_len` in the probe header, and of `flags` in a probe op. */
export const PROBE_OPS_LEN = 1;
export const PROBE_OP_FLAGS = 2;
export const IO_URING_OP_SUPPORTED = 1;

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const MAP_POPULATE = 0x8000;
