#!/usr/bin/env node
// `npm run setup`: pnpm, dependencies, build.
import { setup } from './lib/setup.mjs';

setup();
