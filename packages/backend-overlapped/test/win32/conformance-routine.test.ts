import { runConformance } from '@wsaloop/core/conformance';

// A file of its own, so the Windows suite's shards can run it beside the event mode.
runConformance({ backend: 'overlapped', options: { notify: 'routine' }, label: 'overlapped, completion routines', waitCall: 'WSAWaitForMultipleEvents' });
