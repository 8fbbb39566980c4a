/**
 * `--help` on the examples: their own flags and the backends' options,
 * printed before anything starts (it used to reach the backend as an option
 * and be refused, or, in the blocking and non-blocking servers, to be
 * ignored while they started serving).
 */
import { expect, it } from 'vitest';
import { helpText } from '../shared/cli.js';
import { built, exited, spawnServer } from './servers.js';

const flags = [{ flag: '--port N', help: 'the port' }];

it('lists every backend with its options for an example that takes --backend', () => {
  const text = helpText({ command: 'node x.js', summary: 'An example.', flags, backends: 'any' });
  expect(text).toMatch(/^usage: node x\.js \[flags\] \[backend options\]\n/);
  expect(text).toMatch(/--port N\s+the port/);
  expect(text).toMatch(/--help\s+print this and exit/);
  expect(text).toMatch(/^ {2}select\s+\(none\)\s+\[Windows, Linux\]$/m);
  expect(text).toMatch(/^ {2}epoll\s+--maxEvents --spinMicroseconds\s+\[Linux\]$/m);
  expect(text).toMatch(/^ {2}iouring\s+.*--ringEntries.*\[Linux\]$/m);
  expect(text).toMatch(/^ {2}overlapped\s+--notify --recvBufferSize .*\[Windows\]$/m);
  expect(text).toMatch(/^ {2}iocp\s+.*--batchSize.*\[Windows\]$/m);
  expect(text).toMatch(/^default backend here: \w+$/m);
});

it("shows only a model server's own backend, and none for an example without one", () => {
  const model = helpText({ command: 'node m.js', summary: 'A model.', flags, backends: 'iocp' });
  expect(model).toMatch(/^ {2}iocp\s/m);
  expect(model).not.toMatch(/^ {2}select\s/m);
  const plain = helpText({ command: 'node b.js', summary: 'Blocking.', flags, backends: null });
  expect(plain).not.toMatch(/backend options/);
  expect(plain).toMatch(/^usage: node b\.js \[flags\]\n/);
});

it.each([
  ['echo-server', 'echo-server/dist/echo-server.js', /--backend NAME/],
  ['the blocking model server', 'models/dist/blocking-server.js', /--host HOST/],
])('%s --help prints its flags and exits 0 without starting', async (_name, script, flag) => {
  const child = await spawnServer([built(script), '--help']);
  let stdout = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  expect(await exited(child)).toBe(0);
  expect(stdout).toMatch(/^usage: node /);
  expect(stdout).toMatch(flag);
  expect(stdout).not.toMatch(/listening on/);
});
