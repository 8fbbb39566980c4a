#!/usr/bin/env node
// `npm run demo`: sets everything up, starts the echo server on the default
// backend, drives it with the echo client, and reports what happened.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, setup } from './lib/setup.mjs';

setup();

const server = spawn(process.execPath, [join(root, 'examples/echo-server/dist/echo-server.js'), '--host', '127.0.0.1', '--port', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'], // a service: no stdin
});
let output = '';
const port = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('echo server did not start within 20 s')), 20_000);
  server.stdout.on('data', (chunk) => {
    output += chunk;
    process.stdout.write(`[server] ${chunk}`);
    const match = /listening on [^\s]+:(\d+)/.exec(output);
    if (match) {
      clearTimeout(timer);
      resolve(Number(match[1]));
    }
  });
  server.on('exit', (code) => reject(new Error(`echo server exited early (${code})`)));
});

console.log(`\n[demo] driving the server on port ${port} with 8 connections x 200 messages`);
const client = spawnSync(process.execPath, [join(root, 'examples/echo-client/dist/echo-client.js'), '--port', String(port), '--connections', '8', '--messages', '200', '--size', '256'], {
  encoding: 'utf8',
});
process.stdout.write(`[client] ${client.stdout}`);
if (client.stderr) process.stderr.write(`[client] ${client.stderr}`);

// A service stops on a signal, as a service manager would stop it.
server.kill('SIGTERM');
const serverCode = await new Promise((resolve) => server.on('exit', resolve));
console.log(`\n[demo] client exited with ${client.status}, server exited with ${serverCode}`);
process.exit(client.status === 0 && serverCode === 0 ? 0 : 1);
