# Sourced by the bench/monitor-*.sh scripts: starts bench/monitor-target.mjs and writes "$dir/vigil.yaml" with
# $count HTTP monitors every ${interval}s against it (coalescing 100 ms; the per-host limit lifted, one local target
# standing for many hosts; KEEP_ALIVE=1 adds `keep_alive: true` to each). Sets dir, target, port, vigil_flags and
# vigil_env, and defines wait_listening; the caller's EXIT trap kills $target and removes $dir.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(mktemp -d)
node "$root/bench/monitor-target.mjs" > "$dir/port" &
target=$!
while [ ! -s "$dir/port" ]; do sleep 0.1; done
port=$(cat "$dir/port")
{
  printf 'scheduler:\n  concurrency: 256\n  per_host_concurrency: 256\n  coalesce: 100ms\n'
  printf 'defaults:\n  interval: %ds\n  timeout: 5s\nmonitors:\n' "$interval"
  for ((i = 0; i < count; i++)); do
    printf '  - name: Site %d\n    type: http\n    url: http://127.0.0.1:%d/site/%d\n' "$i" "$port" "$i"
    if [ -n "${KEEP_ALIVE:-}" ]; then printf '    keep_alive: true\n'; fi
  done
} > "$dir/vigil.yaml"
# The Node.js flags and the variables (MALLOC_ARENA_MAX) the `vigil` command starts node with: vigil_flags, and
# vigil_env as NAME=value words for env(1).
{ read -r -a vigil_flags; read -r -a vigil_env; } < <(node -e "import('$root/scripts/vigil-node-flags.mjs').then((m) => {
  console.log(m.vigilNodeFlags().join(' '));
  console.log(Object.entries(m.vigilNodeEnv()).map(([name, value]) => name + '=' + value).join(' '));
})")

# Waits until `vigil serve` ($pid, logging to "$dir/log") says it listens and sets url; if it exits first (a
# configuration it refuses, say), shows its log and fails instead of waiting for ever.
wait_listening() {
  until url=$(grep -o 'listening on http://[^ ]*' "$dir/log" | cut -d' ' -f3) && [ -n "$url" ]; do
    if ! kill -0 "$pid" 2> /dev/null; then
      echo "vigil serve exited before listening:" >&2
      cat "$dir/log" >&2
      exit 1
    fi
    sleep 0.2
  done
}
