import { runConformance } from '@wsaloop/core/conformance';

runConformance({ backend: 'select', waitCall: process.platform === 'win32' ? 'select' : 'poll' });
