// Preloaded (`node --require`) by scripts/node-net-tests.mjs: makes
// `require('net')`, `require('node:net')` and `import 'net'` in a test file
// give @wsaloop/net, so Node's own tests exercise our sockets. Requires made
// from inside this repository's packages (which use node:net themselves, e.g.
// for isIP) and Node's internals (node:http's own net) are left alone.
'use strict';
const Module = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const packages = path.resolve(__dirname, '../../packages') + path.sep;
const target = path.join(packages, 'net/dist/index.cjs');
const fromOurPackages = (filename) => typeof filename === 'string' && filename.startsWith(packages);

let wsaloopNet;
const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if ((request === 'net' || request === 'node:net') && !fromOurPackages(parent?.filename)) {
    wsaloopNet ??= originalLoad.call(this, target, parent, isMain);
    return wsaloopNet;
  }
  return originalLoad.call(this, request, parent, isMain);
};

// The same mapping for ES modules (the .mjs tests), through a resolve hook.
Module.register(pathToFileURL(path.join(__dirname, 'net-alias-hooks.mjs')), {
  data: { packages: pathToFileURL(packages).href, target: pathToFileURL(target).href },
});
