import { runConformance } from '@wsaloop/core/conformance';

runConformance({ backend: 'overlapped', waitCall: 'WSAWaitForMultipleEvents' });
runConformance({ backend: 'overlapped', options: { notify: 'routine' }, label: 'overlapped, completion routines', waitCall: 'WSAWaitForMultipleEvents' });
