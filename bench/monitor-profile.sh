#!/bin/bash
# Question: what does one check cost `vigil serve` in user and in system (kernel) CPU, and where does the main thread
# spend it — without bench/monitor's /health polls and /metrics scrapes? Runs `vigil serve` alone with N HTTP monitors
# every 20 s (coalescing 100 ms) against bench/monitor-target.mjs, reads /proc/<pid>/stat over 60 s after 40 s of
# start and warm-up, and prints CPU per check (user + system), CPU per second and RSS. No baseline: bench/monitor
# has the ratios. INTERVAL=3600 (seconds between a monitor's checks) measures what the process costs between checks;
# KEEP_ALIVE=1 gives every monitor `keep_alive: true`.
# Run: npm run build && bash bench/monitor-profile.sh 10000 --max-semi-space-size=4 --heap-growing-percent=25
#      (node flags after the size; about 2 minutes). PROF=1 also takes a CPU profile and summarises it; HEAP=1 takes
#      a heap snapshot after the measurement and summarises it (bench/heapsnapshot-summary.mjs; 30 s more); ALLOC=1
#      samples every allocation made during the measured minute and summarises the bytes per check
#      (bench/alloc-sampler.mjs, bench/heapprofile-summary.mjs; sampling costs CPU, so not with the CPU figures); GC=1
#      counts the measured minute's garbage collections and the bytes scavenges promoted (node --trace-gc-nvp).
set -euo pipefail
count=${1:?usage: bench/monitor-profile.sh MONITORS [node flags…]}
interval=${INTERVAL:-20}
shift
target='' pid='' dir=''
trap 'kill $target $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
# shellcheck source=bench/monitor-setup.sh
source "$(dirname "$0")/monitor-setup.sh"

profile=()
if [ -n "${PROF:-}" ]; then profile=(--cpu-prof "--cpu-prof-dir=$dir/profile"); fi
if [ -n "${HEAP:-}" ]; then profile+=(--heapsnapshot-signal=SIGUSR2 "--diagnostic-dir=$dir/heap"); mkdir -p "$dir/heap"; fi
if [ -n "${ALLOC:-}" ]; then profile+=(--import "$root/bench/alloc-sampler.mjs"); mkdir -p "$dir/alloc"; vigil_env+=("VIGIL_BENCH_ALLOC_DIR=$dir/alloc"); fi
if [ -n "${GC:-}" ]; then profile+=(--trace-gc-nvp); fi
started=$(date +%s)
env "${vigil_env[@]}" node "$@" "${profile[@]}" "$root/packages/monitor/dist/cli.js" serve --config "$dir/vigil.yaml" --port 0 --data "$dir/data" > "$dir/log" 2>&1 &
pid=$!
wait_listening

checks() { node -e "fetch('$url/metrics').then((r) => r.text()).then((t) => console.log(/^vigil_monitor_checks_total (\S+)/m.exec(t)[1]))"; }
cpu() { awk '{ print $14, $15 }' "/proc/$pid/stat"; } # user and system time, in 1/100 s
sleep 40
measure_from=$(date +%s)
checks0=$(checks); read -r user0 system0 < <(cpu)
if [ -n "${ALLOC:-}" ]; then touch "$dir/alloc/start"; fi
gc_from=$(wc -l < "$dir/log")
sleep 60
if [ -n "${ALLOC:-}" ]; then touch "$dir/alloc/stop"; fi
gc_to=$(wc -l < "$dir/log")
checks1=$(checks); read -r user1 system1 < <(cpu)
memory=$(awk '/VmRSS/ { r = $2 } /VmHWM/ { h = $2 } END { printf "%d MB (peak since start %d MB)", r / 1024, h / 1024 }' "/proc/$pid/status")
if [ -n "${ALLOC:-}" ]; then
  for ((wait = 0; wait < 120; wait++)); do [ -s "$dir/alloc/allocations.heapprofile" ] && break; sleep 0.5; done
  [ -s "$dir/alloc/allocations.heapprofile" ] || { echo "no allocation profile after 60 s:" >&2; cat "$dir/log" >&2; exit 1; }
fi
if [ -n "${HEAP:-}" ]; then
  kill -USR2 "$pid"
  # The snapshot is written in one go by the main thread: done once its size stops changing.
  last=-1
  until size=$(stat -c %s "$dir"/heap/*.heapsnapshot 2>/dev/null) && [ "$size" = "$last" ]; do last=${size:--1}; sleep 2; done
fi
kill -TERM "$pid"
wait "$pid" || true
pid=''
node -e "
  const checks = $checks1 - $checks0;
  console.log('node flags: ${*:-none}; ' + checks + ' checks in 60 s');
  console.log('CPU per check: user ' + (($user1 - $user0) * 10 / checks).toFixed(3) + ' ms + system ' + (($system1 - $system0) * 10 / checks).toFixed(3) + ' ms');
  console.log('CPU per second: ' + (($user1 - $user0 + $system1 - $system0) * 10 / 60).toFixed(1) + ' ms');
  console.log('RSS: $memory');
"
if [ -n "${PROF:-}" ]; then
  # The largest profile is the main thread's (a worker thread, loading a large configuration, writes its own). Its
  # first seconds are the start: the summary begins where the measurement does.
  node "$root/bench/cpuprofile-summary.mjs" "$(ls -S "$dir"/profile/*.cpuprofile | head -1)" "--from=$((measure_from - started))"
fi
if [ -n "${GC:-}" ]; then
  # --trace-gc-nvp writes a line per collection to stdout, the serve log: only the measured minute's lines count.
  sed -n "$((gc_from + 1)),${gc_to}p" "$dir/log" | awk '
    / gc=s / { scavenges++; if (match($0, / promoted=[0-9]+/)) promoted += substr($0, RSTART + 10, RLENGTH - 10) }
    / gc=mc / { full++ }
    END { printf "garbage collections in the measured minute: %d scavenges, %d full (mark-compact); scavenges promoted %.1f MB\n", scavenges, full, promoted / 1048576 }'
fi
if [ -n "${ALLOC:-}" ]; then
  node "$root/bench/heapprofile-summary.mjs" "$dir/alloc/allocations.heapprofile" "$((checks1 - checks0))"
fi
if [ -n "${HEAP:-}" ]; then
  node --max-old-space-size=4096 "$root/bench/heapsnapshot-summary.mjs" "$(ls "$dir"/heap/*.heapsnapshot | head -1)"
fi
