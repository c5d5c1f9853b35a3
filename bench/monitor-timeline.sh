#!/bin/bash
# Question: how does `vigil serve` keep its schedule over time at N monitors — from the start (every monitor's first
# check is a state change), through /metrics scrapes — rather than as one figure at the end? Runs `vigil serve` with
# N HTTP monitors every INTERVAL seconds (coalescing 100 ms, the shipped node flags) against bench/monitor-target.mjs,
# reads the scheduler's figures from /health every 2 s (checks run, running, queued, lateness p50/p99 over the last
# 10,000 runs) and scrapes /metrics every 45 s (marked). No baseline: a timeline to read, bench/monitor has ratios.
# Run: npm run build && bash bench/monitor-timeline.sh 100000        (about 2 minutes; SECONDS_TO_RUN=120 INTERVAL=60)
set -euo pipefail
count=${1:?usage: bench/monitor-timeline.sh MONITORS}
interval=${INTERVAL:-60}
duration=${SECONDS_TO_RUN:-120}
target='' pid='' dir=''
trap 'kill $target $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
# shellcheck source=bench/monitor-setup.sh
source "$(dirname "$0")/monitor-setup.sh"
token=$(node "$root/packages/monitor/dist/cli.js" token create --name bench --scope read --data "$dir/data")
started=$(date +%s%3N)
env "${vigil_env[@]}" node "${vigil_flags[@]}" "$root/packages/monitor/dist/cli.js" serve --config "$dir/vigil.yaml" --port 0 --data "$dir/data" > "$dir/log" 2>&1 &
pid=$!
wait_listening
echo "$count monitors every $interval s; listening $(( ($(date +%s%3N) - started) / 1000 )) s after the start"
node -e "
  const [url, token, started, duration] = process.argv.slice(1);
  const auth = { headers: { authorization: 'Bearer ' + token } };
  const since = () => ((Date.now() - Number(started)) / 1000).toFixed(0).padStart(4) + ' s';
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  (async () => {
    console.log('since start | checks run | running | queued | lateness p50 / p99');
    let nextScrape = Date.now() + 30_000;
    while (Date.now() - Number(started) < Number(duration) * 1000) {
      const d = (await (await fetch(url + '/health', auth)).json()).checks.scheduler.details;
      console.log(since(), '|', String(d.runs).padStart(8), '|', String(d.running).padStart(3), '|', String(d.queued).padStart(6), '|', d.lateness_p50_ms + ' / ' + d.lateness_p99_ms + ' ms');
      if (Date.now() >= nextScrape) {
        const t = Date.now();
        const text = await (await fetch(url + '/metrics', auth)).text();
        console.log(since(), '| /metrics scraped in', Date.now() - t, 'ms,', (text.length / 1e6).toFixed(0), 'MB');
        nextScrape += 45_000;
      }
      await sleep(2000);
    }
  })();
" "$url" "$token" "$started" "$duration"
echo "RSS $(awk '/VmRSS/ { r = $2 } /VmHWM/ { h = $2 } END { printf "%d MB (peak since start %d MB)", r / 1024, h / 1024 }' "/proc/$pid/status")"
kill -TERM "$pid"
wait "$pid" || true
pid=''
