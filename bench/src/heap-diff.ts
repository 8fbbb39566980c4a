/**
 * What the V8 heap grew by between two heap snapshots, by constructor (or
 * closure / string / array), per connection: which JS bookkeeping each idle
 * connection costs.
 *
 *   node bench/dist/heap-diff.js <before.heapsnapshot> <after.heapsnapshot> [connections] [rows]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Count and self size of the heap's nodes, by kind and name. */
function tally(path: string): Map<string, { count: number; size: number }> {
  const data = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const out = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < data.nodes.length; i += width) {
    const type = types[data.nodes[i + typeAt]!]!;
    const name = type === 'object' || type === 'closure' ? `${type} ${data.strings[data.nodes[i + nameAt]!]}` : type;
    const entry = out.get(name) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += data.nodes[i + sizeAt]!;
    out.set(name, entry);
  }
  return out;
}

const [beforePath, afterPath, connections = '1', rows = '25'] = process.argv.slice(2);
if (!beforePath || !afterPath) {
  console.error('usage: heap-diff <before.heapsnapshot> <after.heapsnapshot> [connections] [rows]');
  process.exit(2);
}
const n = Number(connections);
const before = tally(beforePath);
const after = tally(afterPath);
const grown = [...after].map(([name, a]) => {
  const b = before.get(name) ?? { count: 0, size: 0 };
  return { name, count: (a.count - b.count) / n, bytes: (a.size - b.size) / n };
});
grown.sort((x, y) => y.bytes - x.bytes);
const total = grown.reduce((sum, g) => sum + g.bytes, 0);
console.log(`| what | per connection: count | per connection: bytes |`);
console.log('| --- | ---: | ---: |');
for (const g of grown.slice(0, Number(rows))) console.log(`| ${g.name} | ${g.count.toFixed(2)} | ${g.bytes.toFixed(0)} |`);
console.log(`| all | | ${total.toFixed(0)} |`);
