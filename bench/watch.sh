#!/usr/bin/env bash
# Benchmark: what `cachectl watch` costs the server it watches, beside the
# peer, `redis-cli --stat` (redis-cli's own live view: one INFO a refresh),
# in the same run against the same server: 100,000 keys, 1,000 idle clients
# (so CLIENT LIST is not trivial) and a steady GET/SET load. For each, the
# server's own time per refresh (INFO commandstats usec, watcher's commands
# only) and the calls per refresh; for watch also the wall time of a
# refresh (its report's duration_ms) and its peak RSS. Prints the ratios.
# Issue #22: a refresh is one pipeline per node (plus the PING burst).
source "$(dirname "$0")/common.sh"

port=$(free_port)
holder=""
load=""
bench_cleanups+=('[[ -n "$holder" ]] && kill "$holder" 2>/dev/null')
bench_cleanups+=('[[ -n "$load" ]] && kill "$load" 2>/dev/null')
start_redis "$port" --maxclients 4000 --maxmemory 512mb --maxmemory-policy allkeys-lru
redis-cli -p "$port" DEBUG POPULATE 100000 cache 64 >/dev/null

python3 - "$port" 1000 <<'PY' &
import socket, sys, time
conns = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(int(sys.argv[2]))]
time.sleep(3600)
PY
holder=$!
for _ in $(seq 100); do
  have=$(redis-cli -p "$port" info clients | awk -F: '/^connected_clients/{print $2+0}')
  [[ "$have" -ge 1000 ]] && break
  sleep 0.1
done
# A steady load from another client, so ops/s is not the watcher's own.
redis-benchmark -p "$port" -q -n 100000000 -c 4 -t get,set -r 100000 --csv >/dev/null 2>&1 &
load=$!
sleep 1

refreshes=${REFRESHES:-100}
every=0.1

# usec and calls of the commands a watcher sends, since the last RESETSTAT.
cost() {
  redis-cli -p "$port" info commandstats | python3 -c '
import sys
watch = {"info", "config|get", "config", "role", "slowlog|get", "slowlog", "client|list", "client",
         "latency|latest", "latency", "memory|stats", "memory|doctor", "memory", "ping"}
calls = usec = infos = 0
for line in sys.stdin:
    if not line.startswith("cmdstat_"):
        continue
    name, rest = line.strip()[len("cmdstat_"):].split(":", 1)
    if name not in watch:
        continue
    f = dict(kv.split("=") for kv in rest.split(","))
    calls += int(f["calls"]); usec += int(f["usec"])
    infos += int(f["calls"]) if name == "info" else 0
print(calls, usec, infos)'
}

# The load sends GET and SET only, so every other call is the watcher's.
redis-cli -p "$port" CONFIG RESETSTAT >/dev/null
/usr/bin/time -f '%M' -o "$dir/rss" "$bin" watch --url "redis://127.0.0.1:$port" \
  --every "${every}s" --count $((refreshes + 1)) -o json >"$dir/watch.jsonl" || true
read -r w_calls w_usec _ < <(cost)

redis-cli -p "$port" CONFIG RESETSTAT >/dev/null
timeout "$(python3 -c "print($refreshes * $every + 0.05)")" \
  redis-cli -p "$port" --stat -i "$every" >"$dir/stat.txt" 2>&1 || true
# redis-cli --stat sends one INFO a refresh.
read -r s_calls s_usec s_refreshes < <(cost)
s_refreshes=$((s_refreshes > 0 ? s_refreshes : 1))

python3 - "$dir/watch.jsonl" "$refreshes" "$w_calls" "$w_usec" "$s_refreshes" "$s_calls" "$s_usec" "$(tail -1 "$dir/rss")" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
n = int(sys.argv[2])
w_calls, w_usec, s_n, s_calls, s_usec = map(int, sys.argv[3:8])
rss = int(sys.argv[8]) / 1024
# The first document is the diagnosis the watch starts from (its own
# connection, a 20-PING burst, the anonymous probe): counted with the rest.
walls = sorted(d["duration_ms"] for d in docs[1:])
ops = [d["watch"]["nodes"][0]["ops_per_s"] for d in docs[1:] if d["watch"]["nodes"][0]["ops_per_s"]]
print(f"cachectl watch: {len(docs) - 1} refreshes, {w_calls / n:.1f} calls and {w_usec / n:.0f} us of server time a refresh")
print(f"  a refresh's wall time: p50 {walls[len(walls)//2]:.2f} ms, p99 {walls[int(len(walls)*0.99)-1]:.2f} ms; peak RSS {rss:.1f} MiB; load seen {sum(ops)/len(ops):,.0f} ops/s")
print(f"redis-cli --stat: {s_n} refreshes, {s_calls / s_n:.1f} calls and {s_usec / s_n:.0f} us of server time a refresh")
print(f"ratio server time a refresh, cachectl / redis-cli = {(w_usec / n) / (s_usec / s_n):.2f}"
      f"  (what it buys: the runbooks' findings, CLIENT LIST, slow log, latency, memory, not INFO alone)")
PY
