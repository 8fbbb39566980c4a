import { runNetConformance } from '../conformance/index.js';

// select runs on both platforms: natively over poll, and over Winsock under Wine.
runNetConformance({ backend: 'select' });
