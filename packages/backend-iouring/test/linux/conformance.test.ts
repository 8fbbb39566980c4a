import { runConformance } from '@wsaloop/core/conformance';

runConformance({ backend: 'iouring', waitCall: 'io_uring_enter', callsPerRoundTrip: 1 });
