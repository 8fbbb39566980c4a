import { backendBuild } from '../../tsup.backend.js';

export default backendBuild();
