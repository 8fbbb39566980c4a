import { backendBuild } from '../../tsup.backend.js';

// The completion-routine thread is loaded with new Worker(url), never imported.
export default backendBuild({ 'routine-thread': 'src/routine/routine-thread.ts' });
