// Preloaded into `vigil serve` by bench/monitor-profile.sh (ALLOC=1): V8's sampling heap profiler, counting every
// allocation — also what the garbage collector has freed since, which the default profile leaves out — from when
// the file $VIGIL_BENCH_ALLOC_DIR/start appears until $VIGIL_BENCH_ALLOC_DIR/stop does; then writes
// $VIGIL_BENCH_ALLOC_DIR/allocations.heapprofile (summarised by bench/heapprofile-summary.mjs).
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

const dir = process.env.VIGIL_BENCH_ALLOC_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  const waitFor = (name) =>
    new Promise((resolve) => {
      const timer = setInterval(() => fs.existsSync(path.join(dir, name)) && (clearInterval(timer), resolve()), 100);
      timer.unref();
    });
  (async () => {
    await waitFor('start');
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await waitFor('stop');
    const { profile } = await post('HeapProfiler.stopSampling');
    fs.writeFileSync(path.join(dir, 'allocations.heapprofile.tmp'), JSON.stringify(profile));
    fs.renameSync(path.join(dir, 'allocations.heapprofile.tmp'), path.join(dir, 'allocations.heapprofile'));
  })().catch((error) => console.error('bench/alloc-sampler:', error));
}
