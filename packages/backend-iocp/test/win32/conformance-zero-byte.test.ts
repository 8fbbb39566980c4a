import { runConformance } from '@wsaloop/core/conformance';

// Zero-byte reads change how TCP sockets receive (named pipes never use
// them): the groups that receive, close while receiving, and meet hostile
// peers. The rest of the suite runs with iocp's defaults.
runConformance({
  backend: 'iocp',
  options: { zeroByteReads: true },
  label: 'iocp, zero-byte reads',
  only: ['tcp', 'lifecycle', 'hostile', 'handoff', 'nativeCalls'],
  waitCall: 'GetQueuedCompletionStatusEx',
});
