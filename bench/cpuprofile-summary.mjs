// Summarises a V8 CPU profile (node --cpu-prof): the busy time's share by where the code lives (Node's own modules,
// a dependency, a Vigil package's folder, native functions, GC), then the functions with the most self time.
// Run: node bench/cpuprofile-summary.mjs FILE.cpuprofile   (bench/monitor-profile.sh runs it with PROF=1)
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfTime = new Map();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

function place({ url, functionName }) {
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName}`;
  const vigil = /packages\/(\w+)\/dist\/(\w+)/.exec(url);
  if (vigil) return `vigil ${vigil[1]}/${vigil[2]}`;
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return `dependency ${dependency[1]}`;
  const internal = /node:internal\/(\w+)(?:\/(\w+))?/.exec(url);
  if (internal) return `node ${internal[1]}${internal[2] ? `/${internal[2]}` : ''}`;
  return url.replace(/^node:/, 'node ');
}

const byPlace = new Map();
const byFunction = new Map();
let idle = 0;
let busy = 0;
for (const [id, time] of selfTime) {
  const frame = nodes.get(id).callFrame;
  if (frame.functionName === '(idle)') {
    idle += time;
    continue;
  }
  busy += time;
  const where = place(frame);
  byPlace.set(where, (byPlace.get(where) ?? 0) + time);
  const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/.*\/(packages|node_modules)\//, '$1/')}:${frame.lineNumber}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + time);
}
const share = (time) => `${((100 * time) / busy).toFixed(1).padStart(5)} %`;
console.log(`profiled ${((idle + busy) / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s; shares of the busy time:`);
for (const [where, time] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${share(time)}  ${where}`);
console.log('functions with the most self time:');
for (const [name, time] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${share(time)}  ${name}`);
