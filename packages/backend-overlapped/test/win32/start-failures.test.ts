import { proactorStartFailureTests } from '@wsaloop/core/conformance';

proactorStartFailureTests({ backend: 'overlapped', label: 'overlapped, events' });
proactorStartFailureTests({ backend: 'overlapped', options: { notify: 'routine' }, label: 'overlapped, completion routines' });
