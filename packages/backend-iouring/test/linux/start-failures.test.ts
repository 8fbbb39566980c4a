import { proactorStartFailureTests } from '@wsaloop/core/conformance';
proactorStartFailureTests({ backend: 'iouring' });
proactorStartFailureTests({ backend: 'iouring', options: { zeroByteReads: true }, label: 'iouring, poll before receive' });
