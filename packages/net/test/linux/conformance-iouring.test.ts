import { runNetConformance } from '../../conformance/index.js';

runNetConformance({ backend: 'iouring' });
