/**
 * Winsock, Win32 and user32 constants used anywhere in wsaloop. Values are
 * from the Windows SDK headers (winsock2.h, ws2def.h, ws2ipdef.h, mswsock.h,
 * mstcpip.h, winbase.h, winuser.h).
 * @module
 */

/** Windows 10 1803+ (afunix.h). */
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 23;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;

export const INVALID_SOCKET = -1;
export const SOCKET_ERROR = -1;

export const WSA_FLAG_OVERLAPPED = 0x01;
export const WSA_FLAG_NO_HANDLE_INHERIT = 0x80;

export const SOL_SOCKET = 0xffff;
export const SO_REUSEADDR = 0x0004;
export const SO_KEEPALIVE = 0x0008;
export const SO_BROADCAST = 0x0020;
export const SO_LINGER = 0x0080;
export const SO_EXCLUSIVEADDRUSE = ~SO_REUSEADDR;
export const SO_SNDBUF = 0x1001;
export const SO_RCVBUF = 0x1002;
export const SO_ERROR = 0x1007;
export const SO_UPDATE_ACCEPT_CONTEXT = 0x700b;
export const SO_UPDATE_CONNECT_CONTEXT = 0x7010;

export const TCP_NODELAY = 0x0001;

export const IP_TTL = 4;
export const IP_MULTICAST_TTL = 10;
export const IP_MULTICAST_LOOP = 11;
export const IP_ADD_MEMBERSHIP = 12;
export const IP_DROP_MEMBERSHIP = 13;
export const IPV6_UNICAST_HOPS = 4;
export const IPV6_MULTICAST_HOPS = 10;
export const IPV6_MULTICAST_LOOP = 11;
export const IPV6_ADD_MEMBERSHIP = 12;
export const IPV6_DROP_MEMBERSHIP = 13;
export const IPV6_V6ONLY = 27;

export const SD_SEND = 1;
export const FIONBIO = 0x8004667e | 0;

/** WSAIoctl codes (mstcpip.h / mswsock.h). */
export const SIO_KEEPALIVE_VALS = 0x98000004 | 0;
export const SIO_UDP_CONNRESET = 0x9800000c | 0;
export const SIO_TCP_INITIAL_RTO = 0x98000011 | 0;
export const SIO_GET_EXTENSION_FUNCTION_POINTER = 0xc8000006 | 0;

/** TCP_INITIAL_RTO_PARAMETERS fields (mstcpip.h). */
export const TCP_INITIAL_RTO_UNSPECIFIED_RTT = 0xffff;
export const TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS = 0xfe;

/** WSAEventSelect / WSAAsyncSelect network events. */
export const FD_READ = 0x01;
export const FD_WRITE = 0x02;
export const FD_OOB = 0x04;
export const FD_ACCEPT = 0x08;
export const FD_CONNECT = 0x10;
export const FD_CLOSE = 0x20;
export const FD_READ_BIT = 0;
export const FD_WRITE_BIT = 1;
export const FD_OOB_BIT = 2;
export const FD_ACCEPT_BIT = 3;
export const FD_CONNECT_BIT = 4;
export const FD_CLOSE_BIT = 5;
export const FD_MAX_EVENTS = 10;

/** Wait results (winbase.h / winsock2.h). */
export const WSA_INFINITE = 0xffffffff;
export const WSA_WAIT_EVENT_0 = 0;
export const WSA_WAIT_IO_COMPLETION = 0xc0;
export const WSA_WAIT_TIMEOUT = 0x102;
export const WSA_WAIT_FAILED = 0xffffffff;
export const WSA_MAXIMUM_WAIT_EVENTS = 64;
export const INFINITE = 0xffffffff;
export const WAIT_TIMEOUT = 0x102;
export const WAIT_IO_COMPLETION = 0xc0;

/** Win32 error codes that are outcomes rather than failures. */
export const ERROR_IO_PENDING = 997;
export const ERROR_IO_INCOMPLETE = 996;
export const ERROR_OPERATION_ABORTED = 995;
export const ERROR_NOT_FOUND = 1168;
export const WSA_IO_PENDING = ERROR_IO_PENDING;
export const WSA_IO_INCOMPLETE = ERROR_IO_INCOMPLETE;
export const WSA_OPERATION_ABORTED = ERROR_OPERATION_ABORTED;
export const WSAEWOULDBLOCK = 10035;
export const WSAEINPROGRESS = 10036;
export const WSAEALREADY = 10037;
export const WSAEACCES = 10013;
export const WSAEINVAL = 10022;
export const WSAEOPNOTSUPP = 10045;
export const WSAENOTSOCK = 10038;
export const WSAENOBUFS = 10055;
export const WSAEADDRINUSE = 10048;
export const WSAENOTCONN = 10057;
export const WSAEAFNOSUPPORT = 10047;
export const WSAECONNRESET = 10054;
export const WSAEMSGSIZE = 10040;

/** NTSTATUS an OVERLAPPED's Internal member holds while the operation is in flight (HasOverlappedIoCompleted tests it). */
export const STATUS_PENDING = 0x103;

/** Named pipes (winbase.h, fileapi.h, winnt.h). */
export const PIPE_ACCESS_DUPLEX = 0x3;
export const FILE_FLAG_OVERLAPPED = 0x40000000;
export const FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
/** Lets the instance's handle change the pipe's DACL (chmod), as libuv opens its instances. */
export const WRITE_DAC = 0x00040000;
export const PIPE_TYPE_BYTE = 0x0;
export const PIPE_READMODE_BYTE = 0x0;
export const PIPE_WAIT = 0x0;
export const PIPE_REJECT_REMOTE_CLIENTS = 0x8;
export const PIPE_UNLIMITED_INSTANCES = 255;
/** GetFileType's answer for a named pipe (or an anonymous one). */
export const FILE_TYPE_PIPE = 3;
export const GENERIC_READ = 0x80000000;
export const GENERIC_WRITE = 0x40000000;
export const GENERIC_ALL = 0x10000000;
export const OPEN_EXISTING = 3;
/** A client's CreateFileW flags: let the server identify, never impersonate, it. */
export const SECURITY_SQOS_PRESENT = 0x00100000;
export const SECURITY_IDENTIFICATION = 0x00010000;
export const INVALID_HANDLE_VALUE = -1;

/** A named pipe's access for everyone (accctrl.h, winnt.h), as libuv's uv_pipe_chmod sets it. */
export const SE_KERNEL_OBJECT = 6;
export const DACL_SECURITY_INFORMATION = 0x4;
export const SET_ACCESS = 2;
export const NO_INHERITANCE = 0;
export const TRUSTEE_IS_SID = 0;
export const TRUSTEE_IS_WELL_KNOWN_GROUP = 5;
export const FILE_READ_ATTRIBUTES = 0x80;
export const FILE_WRITE_ATTRIBUTES = 0x100;
export const SYNCHRONIZE = 0x100000;
/** SECURITY_WORLD_SID_AUTHORITY, and its one subauthority SECURITY_WORLD_RID: the "Everyone" SID. */
export const SECURITY_WORLD_SID_AUTHORITY = [0, 0, 0, 0, 0, 1] as const;
export const SECURITY_WORLD_RID = 0;

/** Win32 errors of named pipes. */
export const ERROR_FILE_NOT_FOUND = 2;
export const ERROR_PATH_NOT_FOUND = 3;
export const ERROR_ACCESS_DENIED = 5;
export const ERROR_BROKEN_PIPE = 109;
export const ERROR_SEM_TIMEOUT = 121;
export const ERROR_INVALID_NAME = 123;
export const ERROR_BAD_PATHNAME = 161;
export const ERROR_PIPE_BUSY = 231;
export const ERROR_NO_DATA = 232;
export const ERROR_PIPE_NOT_CONNECTED = 233;
export const ERROR_PIPE_CONNECTED = 535;

/** File handle completion modes (winbase.h). */
export const FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = 0x1;
export const FILE_SKIP_SET_EVENT_ON_HANDLE = 0x2;

/** user32 (winuser.h). */
export const HWND_MESSAGE = -3;
export const WM_USER = 0x0400;
export const WM_QUIT = 0x0012;
export const PM_REMOVE = 0x0001;
