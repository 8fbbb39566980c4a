import { runConformance } from '@wsaloop/core/conformance';

runConformance({ backend: 'asyncselect', waitCall: 'GetMessageW' });
