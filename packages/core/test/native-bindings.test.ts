/**
 * The objects our native functions are called through keep V8's fast
 * properties. Built by one store per name, they had turned into
 * dictionaries past a dozen functions, and every recv, send and wait paid a
 * dictionary lookup: HTTP on epoll served 0.99x node:http with them, 1.11x
 * without (wrk, 50 connections). `%HasFastProperties` says it; the flag
 * that allows it is set before the checking function is compiled.
 */
import { setFlagsFromString } from 'node:v8';
import { expect, it } from 'vitest';
import { libc } from '../src/sys/posix/library.js';
import { user32, windows } from '../src/sys/winsock/library.js';

setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

it('a dictionary-mode object is told apart (the check itself works)', () => {
  const slow: Record<string, number> = {};
  for (let i = 0; i < 30; i++) slow[`f${i}`] = i;
  expect(hasFastProperties(slow)).toBe(false);
});

it.runIf(process.platform !== 'win32')('libc bindings keep fast properties', () => {
  expect(Object.keys(libc()).length).toBeGreaterThan(20);
  expect(hasFastProperties(libc())).toBe(true);
});

it.runIf(process.platform === 'win32')('Winsock, kernel32, ntdll, msvcrt and user32 bindings keep fast properties', () => {
  const libraries = windows() as unknown as Record<string, object>;
  for (const [name, library] of Object.entries(libraries)) expect([name, hasFastProperties(library)]).toEqual([name, true]);
  expect(hasFastProperties(user32())).toBe(true);
});
