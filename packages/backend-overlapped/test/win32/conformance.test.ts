import { runConformance } from '@wsaloop/core/conformance';

runConformance({ backend: 'overlapped' });
runConformance({ backend: 'overlapped', options: { notify: 'routine' }, label: 'overlapped, completion routines' });
