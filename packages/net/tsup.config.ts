import { backendBuild } from '../../tsup.backend.js';

// The same ESM + CJS + .d.ts build as the backends: core stays external.
export default backendBuild();
