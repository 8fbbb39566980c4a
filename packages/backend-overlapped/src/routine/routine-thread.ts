/**
 * Entry point of the completion-routine thread (a worker_threads Worker
 * started by the routine-notified backend; built as its own script).
 * @module
 */
import { workerData } from 'node:worker_threads';
import type { RoutineThreadData } from './protocol.js';
import { runRoutineThread } from './routine-host.js';

runRoutineThread(workerData as RoutineThreadData);
