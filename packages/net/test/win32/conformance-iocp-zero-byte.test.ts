import { runNetConformance } from '../../conformance/index.js';

runNetConformance({ backend: 'iocp', options: { zeroByteReads: true }, label: 'iocp, zero-byte reads' });
