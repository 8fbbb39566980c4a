// ESM resolve hook for node.exe under Wine (registered by esbuild-wasm.mjs):
// `import ... from 'esbuild'` (vite's TypeScript transforms, in vitest's
// parent process) gets esbuild's WebAssembly build, whose API is the same.
// The native Windows esbuild.exe needs bcryptprimitives.dll, which Wine 8
// lacks; on Linux the native esbuild builds the packages in a fraction of
// the time the WebAssembly one took.
export function resolve(specifier, context, next) {
  return next(specifier === 'esbuild' ? 'esbuild-wasm' : specifier, context);
}
