import { runNetConformance } from '../../conformance/index.js';

// Zero-byte reads change how TCP sockets receive (named pipes never use
// them); the pipe and pool groups run with iocp's defaults.
runNetConformance({ backend: 'iocp', options: { zeroByteReads: true }, label: 'iocp, zero-byte reads', only: ['socket', 'http', 'hostile', 'tlsWs'] });
