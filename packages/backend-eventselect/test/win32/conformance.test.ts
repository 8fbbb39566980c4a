import { runConformance } from '@wsaloop/core/conformance';

runConformance({ backend: 'eventselect', waitCall: 'WSAWaitForMultipleEvents' });
