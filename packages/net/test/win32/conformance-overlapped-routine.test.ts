import { runNetConformance } from '../../conformance/index.js';

runNetConformance({ backend: 'overlapped', options: { notify: 'routine' }, label: 'overlapped, routine' });
