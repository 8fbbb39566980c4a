import { backendBuild } from '../../tsup.backend.js';

// The pump thread is loaded with new Worker(new URL('./pump-thread.js', import.meta.url)).
export default backendBuild({ 'pump-thread': 'src/pump-thread.ts' });
