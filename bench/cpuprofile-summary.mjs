// Summarises a V8 CPU profile (node --cpu-prof): the busy time's share by where the code lives (Node's own modules,
// a dependency, a Vigil package's folder, native functions, GC), then the functions with the most self time.
// Run: node bench/cpuprofile-summary.mjs FILE.cpuprofile [--from=SECONDS]   (bench/monitor-profile.sh runs it with
// PROF=1). --from leaves out the samples of the first SECONDS of the profile (a process's start, say).
import { readFileSync } from 'node:fs';
import { frameLabel, place } from './profile-places.mjs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const fromArgument = process.argv.slice(3).find((argument) => argument.startsWith('--from='));
const fromUs = fromArgument === undefined ? 0 : Number(fromArgument.slice('--from='.length)) * 1e6;
if (!Number.isFinite(fromUs) || fromUs < 0) throw new Error(`--from: expected a number of seconds, not ${fromArgument}`);
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfTime = new Map();
let sampledUs = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  sampledUs += delta;
  if (sampledUs >= fromUs) selfTime.set(id, (selfTime.get(id) ?? 0) + delta);
});

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
  const name = frameLabel(frame);
  byFunction.set(name, (byFunction.get(name) ?? 0) + time);
}
const share = (time) => `${((100 * time) / busy).toFixed(1).padStart(5)} %`;
console.log(`profiled ${((idle + busy) / 1e6).toFixed(1)} s${fromUs > 0 ? ` (from ${fromUs / 1e6} s on)` : ''}, busy ${(busy / 1e6).toFixed(1)} s; shares of the busy time:`);
for (const [where, time] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${share(time)}  ${where}`);
console.log('functions with the most self time:');
for (const [name, time] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${share(time)}  ${name}`);
