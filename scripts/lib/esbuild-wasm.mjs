// Loaded with `--import` into every node.exe the scripts start under Wine
// (see spawnWindowsNode): registers esbuild-wasm-hooks.mjs.
import { register } from 'node:module';

register('./esbuild-wasm-hooks.mjs', import.meta.url);
