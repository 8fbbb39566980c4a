import { backendBuild } from '../../tsup.backend.js';

// The same ESM + CJS + .d.ts build as the backends: core stays external.
// pool-loop is what each loop of servePool loads by URL.
export default backendBuild({ 'pool-loop': 'src/pool-loop.ts' });
