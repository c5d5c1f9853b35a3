// Summarises a V8 heap snapshot (node --heapsnapshot-signal, v8.writeHeapSnapshot): self size by kind of object
// (type and constructor; strings and code together), then the objects whose hidden class is their own — a Map and a
// DescriptorArray each, grouped by their first properties: a shape made per object where one per kind was meant.
// Run: node bench/heapsnapshot-summary.mjs FILE.heapsnapshot [rows]   (bench/monitor-profile.sh runs it with HEAP=1)
import { readFileSync } from 'node:fs';

const snapshot = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const rows = Number(process.argv[3] ?? 25);
const { node_fields: nodeFields, edge_fields: edgeFields, node_types: nodeTypes, edge_types: edgeTypes } = snapshot.snapshot.meta;
const [types, kinds] = [nodeTypes[0], edgeTypes[0]];
const { nodes, edges, strings } = snapshot;
const [N, E] = [nodeFields.length, edgeFields.length];
const [TYPE, NAME, SIZE, EDGES] = ['type', 'name', 'self_size', 'edge_count'].map((field) => nodeFields.indexOf(field));
const [KIND, LABEL, TO] = ['type', 'name_or_index', 'to_node'].map((field) => edgeFields.indexOf(field));
const count = nodes.length / N;
const firstEdge = new Uint32Array(count + 1);
for (let i = 0, e = 0; i < count; i++, e += nodes[(i - 1) * N + EDGES] * E) firstEdge[i] = e;
firstEdge[count] = edges.length;
const mb = (bytes) => `${(bytes / 1048576).toFixed(2)} MB`.padStart(10);

const bySort = new Map();
let total = 0;
for (let i = 0; i < count; i++) {
  const type = types[nodes[i * N + TYPE]];
  const name = /string|code/.test(type) ? '' : strings[nodes[i * N + NAME]].slice(0, 60);
  const key = `${type}${name ? ` ${name}` : ''}`;
  const entry = bySort.get(key) ?? { bytes: 0, count: 0 };
  entry.bytes += nodes[i * N + SIZE];
  entry.count++;
  bySort.set(key, entry);
  total += nodes[i * N + SIZE];
}
console.log(`heap: ${mb(total).trim()} in ${count} objects; by kind (self size, count):`);
for (const [key, { bytes, count: n }] of [...bySort].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, rows)) {
  console.log(`${mb(bytes)} ${String(n).padStart(9)}  ${key}`);
}

// Objects by hidden class: a class used by a single object, many times over, is a shape made per object.
const users = new Map();
const shapeOf = new Map();
for (let i = 0; i < count; i++) {
  if (types[nodes[i * N + TYPE]] !== 'object') continue;
  let map = -1;
  const properties = [];
  for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += E) {
    const kind = kinds[edges[e + KIND]];
    if (kind === 'internal' && strings[edges[e + LABEL]] === 'map') map = edges[e + TO];
    else if (kind === 'property' && properties.length < 6) properties.push(strings[edges[e + LABEL]]);
  }
  if (map < 0) continue;
  users.set(map, (users.get(map) ?? 0) + 1);
  shapeOf.set(map, `${strings[nodes[i * N + NAME]]} { ${properties.join(', ')} }`);
}
const alone = new Map();
for (const [map, n] of users) if (n === 1) alone.set(shapeOf.get(map), (alone.get(shapeOf.get(map)) ?? 0) + 1);
console.log('\nobjects with a hidden class of their own, by shape (more than 100):');
const many = [...alone].filter(([, n]) => n > 100).sort((a, b) => b[1] - a[1]);
for (const [shape, n] of many.slice(0, rows)) console.log(`${String(n).padStart(9)}  ${shape.slice(0, 140)}`);
if (many.length === 0) console.log('        none');
