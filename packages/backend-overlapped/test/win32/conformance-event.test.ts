import { runConformance } from '@wsaloop/core/conformance';

runConformance({ backend: 'overlapped', waitCall: 'WSAWaitForMultipleEvents' });
