import { runConformance } from '@wsaloop/core/conformance';

runConformance({ backend: 'iocp', options: { zeroByteReads: true }, label: 'iocp, zero-byte reads', waitCall: 'GetQueuedCompletionStatusEx' });
