import { runConformance } from '@wsaloop/core/conformance';

runConformance({ backend: 'epoll', waitCall: 'epoll_wait' });
