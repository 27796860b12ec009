#!/usr/bin/env bash
# Benchmark: `cachectl diagnose` with 1,000 and 10,000 idle clients connected
# (seed 000 Scenario 3, too many connections), side by side in one hyperfine
# run with the peer, a bare `redis-cli CLIENT LIST`. Prints the ratio, peak
# RSS, and the cost of all runbooks against one (`--only access`), which
# shows the cost does not multiply by the number of runbooks. Also
# `cachectl clients` against `redis-cli CLIENT LIST | awk` grouping by host.
# Target (issue #8): at 10,000 clients, diagnose within 3x of CLIENT LIST.
# Then 25,000 and 100,000 clients from a server of the bench's own
# (bench/crowded.py): `clients` and `clients kill` (every client matched, a
# CLIENT KILL each), their time and peak RSS (issue #20: 1 s and 100 MB).
source "$(dirname "$0")/common.sh"

port=$(free_port)
holder=""
bench_cleanups+=('[[ -n "$holder" ]] && kill "$holder" 2>/dev/null')
start_redis "$port" --maxclients 12000

hold() { # N: hold N idle connections until killed
  python3 - "$port" "$1" <<'PY' &
import resource, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
conns = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(int(sys.argv[2]))]
print("holding", len(conns), flush=True)
time.sleep(3600)
PY
  holder=$!
  for _ in $(seq 300); do
    local have
    have=$(redis-cli -p "$port" info clients | awk -F: '/^connected_clients/{print $2+0}')
    [[ "$have" -ge "$1" ]] && return 0
    sleep 0.1
  done
  echo "could not hold $1 connections" >&2; exit 1
}

# The peer for `cachectl clients`: CLIENT LIST grouped by source host.
cat > "$dir/by-host.sh" <<'SH'
redis-cli -p "$1" CLIENT LIST | awk '{split($2, a, "="); split(a[2], h, ":"); c[h[1]]++} END {for (k in c) print k, c[k]}'
SH

runs=${RUNS:-30}
for n in 1000 10000; do
  hold "$n"
  echo "== $n idle clients"
  hyperfine -N -i --warmup 3 --runs "$runs" --export-json "$dir/$n.json" \
    -n "redis-cli CLIENT LIST" "redis-cli -p $port CLIENT LIST" \
    -n "cachectl diagnose" "$bin diagnose --url redis://127.0.0.1:$port -o json" \
    -n "cachectl diagnose --only access" "$bin diagnose --url redis://127.0.0.1:$port -o json --only access" \
    -n "redis-cli CLIENT LIST | awk (by host)" "bash $dir/by-host.sh $port" \
    -n "cachectl clients" "$bin clients --url redis://127.0.0.1:$port -o json" \
    >/dev/null 2>&1 || true
  rss=$( { /usr/bin/time -f '%M' "$bin" diagnose --url "redis://127.0.0.1:$port" -o json >/dev/null || true; } 2>&1 | tail -1)
  rss_clients=$( { /usr/bin/time -f '%M' "$bin" clients --url "redis://127.0.0.1:$port" -o json >/dev/null || true; } 2>&1 | tail -1)
  python3 - "$dir/$n.json" "$rss" "$rss_clients" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
peer, ours, one = r["redis-cli CLIENT LIST"], r["cachectl diagnose"], r["cachectl diagnose --only access"]
awk, clients = r["redis-cli CLIENT LIST | awk (by host)"], r["cachectl clients"]
print(f"redis-cli CLIENT LIST {peer*1000:.1f} ms   cachectl diagnose {ours*1000:.1f} ms   ratio {ours/peer:.2f} (target <= 3.00)")
print(f"all runbooks {ours*1000:.1f} ms vs one runbook (--only access) {one*1000:.1f} ms: x{ours/one:.2f}")
print(f"redis-cli CLIENT LIST | awk by host {awk*1000:.1f} ms   cachectl clients {clients*1000:.1f} ms   ratio {clients/awk:.2f}")
print(f"cachectl peak RSS: diagnose {int(sys.argv[2])/1024:.1f} MiB, clients {int(sys.argv[3])/1024:.1f} MiB")
PY
  kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; holder=""
  for _ in $(seq 100); do
    n2=$(redis-cli -p "$port" info clients | awk -F: '/^connected_clients/{print $2+0}')
    [[ "$n2" -le 2 ]] && break; sleep 0.1
  done
done

# 100,000 clients (issue #20: within 1 s and 100 MB, linear in the clients),
# from a server of the bench's own that answers a 100,000-line CLIENT LIST
# (bench/crowded.py): this machine may not hold 100,000 real connections.
# The peer is the same awk grouping over redis-cli's CLIENT LIST.
for n in 25000 100000; do
  fport=$(free_port)
  python3 bench/crowded.py "$fport" "$n" >"$dir/crowded-$n.log" 2>&1 &
  fake=$!
  bench_cleanups+=("kill $fake 2>/dev/null")
  for _ in $(seq 100); do grep -q ready "$dir/crowded-$n.log" 2>/dev/null && break; sleep 0.1; done
  echo "== $n clients (a server of the bench's own)"
  hyperfine -N -i --warmup 1 --runs "${RUNS_BIG:-5}" --export-json "$dir/big-$n.json" \
    -n "redis-cli CLIENT LIST | awk (by host)" "bash $dir/by-host.sh $fport" \
    -n "cachectl clients" "$bin clients --url redis://127.0.0.1:$fport -o json" \
    -n "cachectl clients kill" "$bin clients kill --url redis://127.0.0.1:$fport -o json --idle 1s --yes --confirm-destructive 127.0.0.1:$fport --audit-log $dir/kill-audit.jsonl" \
    >/dev/null 2>&1 || true
  rss_view=$( { /usr/bin/time -f '%M' "$bin" clients --url "redis://127.0.0.1:$fport" -o json >/dev/null || true; } 2>&1 | tail -1)
  rss_kill=$( { /usr/bin/time -f '%M' "$bin" clients kill --url "redis://127.0.0.1:$fport" -o json --idle 1s --yes --confirm-destructive "127.0.0.1:$fport" --audit-log "$dir/kill-audit.jsonl" >/dev/null || true; } 2>&1 | tail -1)
  python3 - "$dir/big-$n.json" "$rss_view" "$rss_kill" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
awk, view, kill = r["redis-cli CLIENT LIST | awk (by host)"], r["cachectl clients"], r["cachectl clients kill"]
print(f"redis-cli CLIENT LIST | awk by host {awk*1000:.0f} ms   cachectl clients {view*1000:.0f} ms (ratio {view/awk:.2f})   cachectl clients kill {kill*1000:.0f} ms")
print(f"cachectl peak RSS: clients {int(sys.argv[2])/1024:.1f} MiB, clients kill {int(sys.argv[3])/1024:.1f} MiB (target at 100,000: 1 s and 100 MB)")
PY
  kill "$fake" 2>/dev/null || true
done
