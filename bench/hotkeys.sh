#!/usr/bin/env bash
# Benchmark: what a hot-keys sample costs the server. redis-benchmark's
# GET/SET throughput (50 clients, a hot key read by one in ten commands)
# measured before any sample, during `cachectl hotkeys --sample` (MONITOR,
# where the server has neither HOTKEYS nor an LFU policy), and during the
# peer every runbook names, `redis-cli MONITOR > /dev/null`, in one run;
# ratios printed. Also: cachectl's own CPU and peak RSS for the sample, and
# that it named the hot key.
source "$(dirname "$0")/common.sh"
port=$(free_port)
start_redis "$port"
requests=${REQUESTS:-600000}
redis-cli -p "$port" SET hot:item v >/dev/null

# GET and SET of 100,000 random keys, with GET of the hot key beside them.
throughput() {
  redis-benchmark -p "$port" -c 50 -n "$requests" -r 100000 -q --csv \
    -t get,set 2>/dev/null | awk -F'"' '/"GET"|"SET"/ { s += $4; n++ } END { printf "%.0f", s / n }' &
  local pid=$!
  redis-benchmark -p "$port" -c 5 -n $((requests / 10)) -q --csv GET hot:item >/dev/null 2>&1
  wait "$pid"
}

monitored() {
  for _ in $(seq 100); do
    redis-cli -p "$port" CLIENT LIST | grep -q 'cmd=monitor' && return 0
    sleep 0.05
  done
  echo "no MONITOR client appeared" >&2
  exit 1
}

before=$(throughput)

# The sample outlasts the load; Ctrl-C ends it when the load is done (and
# prints what was sampled).
/usr/bin/time -f '%e %U %S %M' -o "$dir/time.txt" \
  "$bin" hotkeys --url "redis://127.0.0.1:$port" --sample 10m --top 5 -o json \
  >"$dir/hot.json" 2>/dev/null &
timed=$!
monitored
during=$(throughput)
pkill -INT -P "$timed" -f "cachectl hotkeys" || true
wait "$timed" || true

redis-cli -p "$port" MONITOR >/dev/null &
peer=$!
monitored
during_peer=$(throughput)
kill "$peer"; wait "$peer" 2>/dev/null || true

after=$(throughput)
python3 - "$before" "$during" "$during_peer" "$after" "$dir/hot.json" "$dir/time.txt" <<'PY'
import json, sys
before, during, peer, after = (float(x) for x in sys.argv[1:5])
h = json.load(open(sys.argv[5]))["hotkeys"]
wall, user, sys_, rss = open(sys.argv[6]).read().split()
node = h["nodes"][0]
top = h["keys"][0]
base = (before + after) / 2
print(f"redis-benchmark GET/SET, 50 clients: {before:.0f} req/s before, {after:.0f} after")
print(f"during cachectl hotkeys --sample (MONITOR): {during:.0f} req/s = {during/base:.2f} of the baseline")
print(f"during redis-cli MONITOR > /dev/null:       {peer:.0f} req/s = {peer/base:.2f} of the baseline")
print(f"cachectl: {node['lines']} lines ({node['bytes']/1e6:.1f} MB) in {node['seconds']} s, {float(user)+float(sys_):.2f} s CPU, peak RSS {int(rss)/1024:.1f} MiB")
print(f"hottest key: {top['key']} ({top['reads']} reads, {top['share']*100:.1f}% of the commands sampled)")
if top["key"] != "hot:item":
    sys.exit("cachectl did not name the hot key")
PY
