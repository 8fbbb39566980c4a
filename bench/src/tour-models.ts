/**
 * What the tour runs and what it shows: the seven model servers of
 * examples/models (overlapped I/O twice, once per notification), the Linux
 * models the same servers get when deployed there (poll, epoll, io_uring),
 * each also serving a pipe (a Unix domain socket), and the measures of its
 * table and charts.
 */

/** One model server of examples/models. */
export interface TourModel {
  id: string;
  /** As the table and charts name it. */
  label: string;
  /** The built server, relative to examples/models/dist. */
  script: string;
  /** Flags the server gets beside `--host` and `--port`. */
  flags: string[];
  /**
   * The system whose model it is: Winsock models run natively on Windows
   * and under Wine's node.exe on Linux; Linux models run natively on Linux
   * only.
   */
  system: 'windows' | 'linux';
  /** Serves a pipe (`--path`) instead of a port: the same clients, over a local stream. */
  pipe?: boolean;
}

export const TOUR_MODELS: readonly TourModel[] = [
  { id: 'blocking', label: '1 blocking', script: 'blocking-server.js', flags: [], system: 'windows' },
  { id: 'nonblocking', label: '2 non-blocking', script: 'nonblocking-server.js', flags: [], system: 'windows' },
  { id: 'select', label: '3 select', script: 'select-server.js', flags: [], system: 'windows' },
  { id: 'asyncselect', label: '4 WSAAsyncSelect', script: 'asyncselect-server.js', flags: [], system: 'windows' },
  { id: 'eventselect', label: '5 WSAEventSelect', script: 'eventselect-server.js', flags: [], system: 'windows' },
  { id: 'overlapped-event', label: '6 overlapped, events', script: 'overlapped-server.js', flags: ['--notify', 'event'], system: 'windows' },
  { id: 'overlapped-routine', label: '6 overlapped, routines', script: 'overlapped-server.js', flags: ['--notify', 'routine'], system: 'windows' },
  { id: 'iocp', label: '7 completion port', script: 'iocp-server.js', flags: [], system: 'windows' },
  // The select backend calls poll() on Linux.
  { id: 'linux-poll', label: 'Linux poll', script: 'select-server.js', flags: [], system: 'linux' },
  { id: 'linux-epoll', label: 'Linux epoll', script: 'epoll-server.js', flags: [], system: 'linux' },
  { id: 'linux-iouring', label: 'Linux io_uring', script: 'iouring-server.js', flags: [], system: 'linux' },
  // The same servers on a pipe: a named pipe for the Winsock models from 3 on
  // (1 and 2 are raw socket loops), a Unix domain socket for the Linux ones.
  { id: 'select-pipe', label: '3 select, pipe', script: 'select-server.js', flags: [], system: 'windows', pipe: true },
  { id: 'asyncselect-pipe', label: '4 WSAAsyncSelect, pipe', script: 'asyncselect-server.js', flags: [], system: 'windows', pipe: true },
  { id: 'eventselect-pipe', label: '5 WSAEventSelect, pipe', script: 'eventselect-server.js', flags: [], system: 'windows', pipe: true },
  { id: 'overlapped-event-pipe', label: '6 overlapped, events, pipe', script: 'overlapped-server.js', flags: ['--notify', 'event'], system: 'windows', pipe: true },
  { id: 'overlapped-routine-pipe', label: '6 overlapped, routines, pipe', script: 'overlapped-server.js', flags: ['--notify', 'routine'], system: 'windows', pipe: true },
  { id: 'iocp-pipe', label: '7 completion port, pipe', script: 'iocp-server.js', flags: [], system: 'windows', pipe: true },
  { id: 'linux-poll-pipe', label: 'Linux poll, pipe', script: 'select-server.js', flags: [], system: 'linux', pipe: true },
  { id: 'linux-epoll-pipe', label: 'Linux epoll, pipe', script: 'epoll-server.js', flags: [], system: 'linux', pipe: true },
  { id: 'linux-iouring-pipe', label: 'Linux io_uring, pipe', script: 'iouring-server.js', flags: [], system: 'linux', pipe: true },
];

/** The models this machine can run: Linux's only on Linux. */
export function runnableModels(platform: NodeJS.Platform = process.platform): TourModel[] {
  return TOUR_MODELS.filter((m) => m.system === 'windows' || platform === 'linux');
}

/** One model's figures. */
export interface TourRow {
  id: string;
  label: string;
  /** Ping-pong, 64 B, one connection. */
  roundTrips1: number;
  p50us1: number;
  p99us1: number;
  /** Native calls the server made per round trip (every thread), one connection. */
  calls1: number;
  /** Ping-pong, 64 B, 50 connections. */
  roundTrips50: number;
  p50us50: number;
  p99us50: number;
  calls50: number;
  /** Of the 50 connections, how many got an answer at all. */
  served50: number;
  /** Bulk: 16 KiB writes on one connection, echoed back. */
  mbPerSec: number;
  /** Resident memory the idle connections added, per connection. */
  kBPerIdle: number;
  /** Of the idle clients, how many got their echo. */
  servedIdle: number;
  /** Threads of the server process holding the idle connections. */
  threads: number;
  /** Native calls per second while every connection is idle. */
  idleCallsPerSec: number;
  /** Per round trip with 1 connection, by function name, most first. */
  callsByName1: Record<string, number>;
  /** The same with 50 connections. */
  callsByName50: Record<string, number>;
}

/** A figure of the table, and a chart of the page. */
export interface TourMeasure {
  key: keyof TourRow & string;
  title: string;
  digits: number;
  /** Which way is better, said under the chart. */
  better: 'higher' | 'lower';
}

export const TOUR_MEASURES: readonly TourMeasure[] = [
  { key: 'roundTrips1', title: 'Round trips/s, 1 connection', digits: 0, better: 'higher' },
  { key: 'p99us1', title: 'p99 latency, 1 connection (µs)', digits: 0, better: 'lower' },
  { key: 'roundTrips50', title: 'Round trips/s, 50 connections', digits: 0, better: 'higher' },
  { key: 'p99us50', title: 'p99 latency, 50 connections (µs)', digits: 0, better: 'lower' },
  { key: 'mbPerSec', title: 'Bulk echo (MB/s)', digits: 1, better: 'higher' },
  { key: 'kBPerIdle', title: 'Memory per idle connection (kB)', digits: 1, better: 'lower' },
  { key: 'threads', title: 'Threads, with the idle connections', digits: 0, better: 'lower' },
  { key: 'calls1', title: 'Native calls per round trip, 1 connection', digits: 1, better: 'lower' },
  { key: 'calls50', title: 'Native calls per round trip, 50 connections', digits: 1, better: 'lower' },
  { key: 'idleCallsPerSec', title: 'Native calls/s while every connection is idle', digits: 0, better: 'lower' },
];

/** Where and when the figures were taken. */
export interface TourMachine {
  date: string;
  /** CPU model and cores, operating system. */
  host: string;
  /** What ran the servers: "wine-8.0, Windows node.exe v20.20.2; Linux models: node v20.20.2", or natively "Windows node.exe v20.20.2". */
  runtime: string;
  /** The machine's 1-minute load average when the tour started: other work skews the figures. */
  loadAverage: number;
}

/** A whole tour, as tour.json holds it. */
export interface TourResult {
  machine: TourMachine;
  /** Settings: connections, durations. */
  settings: { durationMs: number; warmupMs: number; idleClients: number; settleMs: number };
  rows: TourRow[];
  /** Models that could not be measured, with why. */
  failures: Array<{ id: string; label: string; error: string }>;
  /** Seconds the tour took. */
  seconds: number;
}
