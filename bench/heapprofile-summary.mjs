// Summarises an allocation profile (bench/alloc-sampler.mjs, through bench/monitor-profile.sh ALLOC=1): bytes
// allocated per check by where the code lives (Vigil's packages by folder, Node's modules), then the functions that
// allocate most. A sampled estimate (one sample per 4 KiB on average): compare runs by their totals and large rows.
// Run: node bench/heapprofile-summary.mjs FILE.heapprofile CHECKS [rows]
import { readFileSync } from 'node:fs';
import { frameLabel, place } from './profile-places.mjs';

const [file, checksText, rowsText = '25'] = process.argv.slice(2);
const checks = Number(checksText);
if (!file || !(checks > 0)) {
  console.error('usage: node bench/heapprofile-summary.mjs FILE.heapprofile CHECKS [rows]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byPlace = new Map();
const byFunction = new Map();
let total = 0;
const add = (map, key, bytes) => map.set(key, (map.get(key) ?? 0) + bytes);
(function walk(node) {
  total += node.selfSize;
  add(byPlace, place(node.callFrame), node.selfSize);
  add(byFunction, frameLabel(node.callFrame), node.selfSize);
  node.children.forEach(walk);
})(profile.head);
const perCheck = (bytes) => `${Math.round(bytes / checks)} B`.padStart(8);
const show = (title, map, rows) => {
  console.log(title);
  for (const [key, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${perCheck(bytes)}  ${key}`);
};
console.log(`allocated: ${(total / 1048576).toFixed(1)} MB over ${checks} checks, ${perCheck(total).trim()} per check`);
show('by where the code lives (per check):', byPlace, 15);
show('by function (per check; inlined callers count as their caller):', byFunction, Number(rowsText));
