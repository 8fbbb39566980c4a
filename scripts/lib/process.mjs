// Small helpers for the setup, demo and test scripts: run a command with
// inherited output and fail loudly.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export function run(command, args, options = {}) {
  console.log(`\n$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

export function mustRun(command, args, options = {}) {
  const status = run(command, args, options);
  if (status !== 0) {
    console.error(`\n${command} exited with status ${status}`);
    process.exit(status);
  }
}

export function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export function capture(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  return result.status === 0 ? result.stdout.trim() : null;
}

/**
 * Starts `command` without waiting, its output to `logFile` (a file, not a
 * pipe: the caller may block in a synchronous run meanwhile); resolves with
 * its exit code.
 */
export function runInBackground(command, args, logFile, options = {}) {
  console.log(`\n$ ${[command, ...args].join(' ')}   (in the background, output: ${logFile})`);
  const out = openSync(logFile, 'w');
  const child = spawn(command, args, { stdio: ['ignore', out, out], ...options });
  closeSync(out);
  return new Promise((resolve) => {
    child.on('error', () => resolve(1));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
