import { proactorStartFailureTests } from '@wsaloop/core/conformance';

proactorStartFailureTests({ backend: 'iocp' });
proactorStartFailureTests({ backend: 'iocp', options: { skipCompletionOnSuccess: false }, label: 'iocp, every completion through the port' });
proactorStartFailureTests({ backend: 'iocp', options: { zeroByteReads: true }, label: 'iocp, zero-byte reads' });
