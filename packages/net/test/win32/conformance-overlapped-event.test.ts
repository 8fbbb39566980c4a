import { runNetConformance } from '../../conformance/index.js';

runNetConformance({ backend: 'overlapped', options: { notify: 'event' }, label: 'overlapped, event' });
