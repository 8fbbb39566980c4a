#!/usr/bin/env node
// Dev tool, not part of `npm test`: runs Node's own test/parallel/test-net-*
// files with `net` mapped to @wsaloop/net, to measure how close our sockets
// and servers are to node:net. It vendors nothing: give it Node's `test`
// directory (or a checkout that has one) of a Node version close to the one
// running it (Node 20 tests for Node 20).
//
//   node scripts/node-net-tests.mjs <node-test-dir> [--backend select]
//        [--timeout 30000] [--only substring] [--list] [--control]
//
// --control runs the same files on node:net itself (no mapping): a file
// that fails there does not fit the running Node version (tests of a newer
// or older Node), and its failure with @wsaloop/net says nothing about us.
//
// Each file runs alone (`node --require scripts/lib/net-alias.cjs <Flags:>
// file`) with the `// Flags:` the file asks for, the loop backend from
// --backend (WSALOOP_BACKEND) and a timeout. Exit code 0 is a pass.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Pipe files: Unix domain sockets run on Linux; Windows' named pipes are not built yet.
const PIPE_FILES = [
  'test-net-better-error-messages-listen-path.js',
  'test-net-better-error-messages-path.js',
  'test-net-connect-options-path.js',
  'test-net-pipe-connect-errors.js',
  'test-net-pipe-with-long-path.js',
  'test-net-server-listen-path.js',
  'test-net-perf_hooks.js',
  'test-net-pingpong.js',
];

// Files of test/parallel/test-net-* left out, and why: they are not about
// sockets and servers through node:net's public API.
const EXCLUDED = {
  ...(process.platform === 'win32' ? Object.fromEntries(PIPE_FILES.map((file) => [file, 'named pipes (not built yet)'])) : {}),
  'test-net-connect-options-fd.js': 'fd option and internals (--expose-internals)',
  'test-net-listen-fd0.js': 'listening on an fd',
  'test-net-server-listen-handle.js': 'listen(handle) and internals (--expose-internals)',
  'test-net-socket-constructor.js': 'fd and handle options, cluster',
  'test-net-child-process-connect-reset.js': 'child processes',
  'test-net-listen-exclusive-random-ports.js': 'cluster',
  'test-net-listen-handle-in-cluster-1.js': 'cluster',
  'test-net-listen-handle-in-cluster-2.js': 'cluster',
  'test-net-server-close-before-ipc-response.js': 'cluster IPC',
  'test-net-end-close.js': 'internals (--expose-internals)',
  'test-net-normalize-args.js': 'internals (--expose-internals)',
  'test-net-persistent-nodelay.js': 'internals (--expose-internals)',
  'test-net-persistent-ref-unref.js': 'internals (--expose-internals)',
  'test-net-after-close.js': 'inspects the libuv handle (_handle)',
  'test-net-bytes-read.js': 'inspects the libuv handle (_handle)',
  'test-net-timeout-no-handle.js': 'inspects the libuv handle (_handle)',
  'test-net-connect-keepalive.js': 'patches the libuv handle (_handle)',
  'test-net-connect-nodelay.js': 'patches the libuv handle (_handle)',
  'test-net-server-keepalive.js': 'patches the libuv handle (_handle)',
  'test-net-server-nodelay.js': 'patches the libuv handle (_handle)',
  'test-net-socket-write-after-close.js': 'patches the libuv handle (_handle)',
  'test-net-deprecated-setsimultaneousaccepts.js': 'net._setSimultaneousAccepts (internal, Windows handle passing)',
  'test-net-server-simultaneous-accepts-produce-warning-once.js': 'net._setSimultaneousAccepts (internal)',
  'test-net-isip.js': 'IP string helpers, not sockets',
  'test-net-isipv4.js': 'IP string helpers, not sockets',
  'test-net-isipv6.js': 'IP string helpers, not sockets',
  'test-net-blocklist.js': 'BlockList, not sockets',
  'test-net-socket-setnodelay.js': 'passes fake libuv handles as options.handle',
  'test-net-write-arguments.js': "fails on node:net itself under Node 20.20 (a Node 20.11 test of Writable's message)",
};

function parseArgs(argv) {
  const options = { dir: undefined, backend: 'select', timeout: 30_000, only: undefined, list: false, control: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--backend') options.backend = argv[++i];
    else if (arg === '--timeout') options.timeout = Number(argv[++i]);
    else if (arg === '--only') options.only = argv[++i];
    else if (arg === '--list') options.list = true;
    else if (arg === '--control') options.control = true;
    else options.dir = arg;
  }
  if (!options.dir) {
    console.error('usage: node scripts/node-net-tests.mjs <node-test-dir> [--backend select] [--timeout ms] [--only text] [--list] [--control]');
    process.exit(2);
  }
  return options;
}

function parallelDir(dir) {
  for (const candidate of [join(dir, 'parallel'), join(dir, 'test', 'parallel')]) {
    if (existsSync(candidate)) return resolve(candidate);
  }
  console.error(`no parallel/ or test/parallel/ under ${dir}`);
  process.exit(2);
}

/** The flags a test asks for in its `// Flags:` comment, as Node's runner passes them. */
function flagsOf(file) {
  const match = /^\/\/ Flags: (.+)$/m.exec(readFileSync(file, 'utf8'));
  return match ? match[1].trim().split(/\s+/) : [];
}

function runOne(file, { backend, timeout, control }, alias) {
  return new Promise((done) => {
    const started = Date.now();
    const mapping = control ? [] : ['--require', alias];
    const child = spawn(process.execPath, [...mapping, ...flagsOf(file), file], {
      cwd: dirname(file),
      env: { ...process.env, WSALOOP_BACKEND: backend },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk) => {
      if (output.length < 20_000) output += chunk;
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      const timedOut = signal === 'SIGKILL' && ms >= timeout;
      done({ pass: code === 0, why: timedOut ? 'timeout' : signal ? signal : `exit ${code}`, ms, output });
    });
  });
}

const options = parseArgs(process.argv.slice(2));
const dir = parallelDir(options.dir);
const alias = fileURLToPath(new URL('./lib/net-alias.cjs', import.meta.url));
const files = readdirSync(dir)
  .filter((name) => /^test-net-.*\.(js|mjs)$/.test(name) && !(name in EXCLUDED))
  .filter((name) => !options.only || name.includes(options.only))
  .sort();
console.log(
  `${files.length} files selected (${Object.keys(EXCLUDED).length} excluded by name), ` +
    (options.control ? 'on node:net itself (control run)' : `net = @wsaloop/net on backend ${options.backend}`),
);
if (options.list) {
  for (const name of files) console.log(name);
  process.exit(0);
}

let passed = 0;
const failed = [];
for (const name of files) {
  const result = await runOne(join(dir, name), options, alias);
  console.log(`${result.pass ? 'pass' : 'FAIL'} ${name} (${result.ms} ms${result.pass ? '' : `, ${result.why}`})`);
  if (result.pass) passed++;
  else {
    failed.push(name);
    if (process.env.VERBOSE) console.log(result.output.replace(/^/gm, '    '));
  }
}
if (failed.length) console.log(`\nfailed:\n${failed.map((n) => `  ${n}`).join('\n')}`);
console.log(`\n${passed} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
