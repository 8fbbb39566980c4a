// ESM resolve hook registered by net-alias.cjs: `import ... from 'net'` in a
// test file resolves to @wsaloop/net's CommonJS build, the same instance
// require('net') gives, with node:net's default export (our own packages
// keep node:net).
let packages = '';
let target = '';

export function initialize(data) {
  ({ packages, target } = data);
}

export function resolve(specifier, context, next) {
  if ((specifier === 'net' || specifier === 'node:net') && !context.parentURL?.startsWith(packages)) {
    return { url: target, shortCircuit: true };
  }
  return next(specifier, context);
}
