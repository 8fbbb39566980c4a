import { runConformance } from '@wsaloop/core/conformance';

runConformance({ backend: 'iocp', connections: 2000, waitCall: 'GetQueuedCompletionStatusEx' });
