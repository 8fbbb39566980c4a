/**
 * The architecture, checked: core's folders import each other without a
 * circle (a loop and its handle types may know each other, inside `loop/`),
 * core imports no backend, packages reach core and the Winsock kit only
 * through their entry points, and no package imports a backend. Type-only
 * imports count: a circle of types is still a circle for whoever reads it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const coreSrc = join(packages, 'core/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Module specifiers of every import and re-export in `file`. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** `path` relative to core's src/, with `/` on every platform. */
const inCore = (path: string): string => relative(coreSrc, path).replaceAll('\\', '/');

/** Relative imports of core's sources, as a graph of files relative to src/. */
function coreGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(coreSrc)) {
    const deps = specifiers(file)
      .filter((s) => s.startsWith('.'))
      .map((s) => inCore(resolve(dirname(file), s.replace(/\.js$/, '.ts'))));
    graph.set(inCore(file), deps);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const folderOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');

describe('layers', () => {
  it('the checker sees a circle when there is one', () => {
    const graph = new Map([
      ['io/a.ts', ['loop/b.ts']],
      ['loop/b.ts', ['io/a.ts']],
      ['io/c.ts', []],
    ]);
    expect(circles(graph)).toEqual([['io/a.ts', 'loop/b.ts']]);
  });

  it('no import circle in core crosses a folder', () => {
    const crossing = circles(coreGraph()).filter((c) => new Set(c.map(folderOf)).size > 1);
    expect(crossing).toEqual([]);
  });

  it('only the loop and its handle types know each other', () => {
    const within = circles(coreGraph()).filter((c) => new Set(c.map(folderOf)).size === 1);
    expect(within.map((c) => folderOf(c[0]!))).toEqual(within.length > 0 ? ['loop'] : []);
  });

  it('the io adapters and the backend contract do not import the loop', () => {
    const graph = coreGraph();
    const offenders = [...graph].filter(([file, deps]) => /^(io|backend|sys)\//.test(file) && deps.some((d) => d.startsWith('loop/')));
    expect(offenders.map(([file]) => file)).toEqual([]);
  });

  it('core imports no backend, and other packages reach core only through its entry points', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(coreSrc)) {
      if (specifiers(file).some((s) => s.startsWith('@wsaloop/') && !s.startsWith('@wsaloop/core'))) offenders.push(relative(packages, file));
    }
    for (const pkg of readdirSync(packages)) {
      if (pkg === 'core') continue;
      for (const file of sourceFiles(join(packages, pkg, 'src'))) {
        const reachesIn = specifiers(file).some((s) => /(^|\/)core\/src\//.test(s) || /^@wsaloop\/core\/(?!backend$|winsock$|posix$|conformance$|testing$)/.test(s));
        if (reachesIn) offenders.push(relative(packages, file));
      }
    }
    expect(offenders).toEqual([]);
  });

  it('no package imports a backend; the Winsock kit is reached through its entry point and imports no backend', () => {
    const offenders: string[] = [];
    for (const pkg of readdirSync(packages)) {
      for (const file of sourceFiles(join(packages, pkg, 'src'))) {
        const bad = specifiers(file).some((s) => s.startsWith('@wsaloop/backend-') || /^@wsaloop\/winsock-kit\/./.test(s) || /(^|\/)winsock-kit\/src\//.test(s));
        if (bad) offenders.push(relative(packages, file));
      }
    }
    expect(offenders).toEqual([]);
  });
});
