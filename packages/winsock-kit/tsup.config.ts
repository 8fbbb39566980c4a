import { backendBuild } from '../../tsup.backend.js';

// The event-group wait threads are loaded with new Worker(url), never imported.
export default backendBuild({ 'event-wait-thread': 'src/event-groups/wait-thread.ts' });
