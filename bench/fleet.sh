#!/usr/bin/env bash
# Benchmark: a fleet of 40 local caches diagnosed by one `cachectl diagnose
# --targets FILE` (a pool of --parallel threads), beside the shell loop a
# team writes without it (`for url in ...; do cachectl diagnose --url
# $url; done`), in one hyperfine run. Then the same with 4 of the 40
# stopped (SIGSTOP: hung) and 4 refused: the fleet ends within its
# deadline, the loop pays each hung target's time limit in turn.
# Issue #23: fleets.
source "$(dirname "$0")/common.sh"

n=${FLEET:-40}
ports=()
for _ in $(seq "$n"); do
  p=$(free_port)
  start_redis "$p" --maxmemory 64mb --maxmemory-policy allkeys-lru
  redis-cli -p "$p" DEBUG POPULATE 10000 key 32 >/dev/null 2>&1 || true
  ports+=("$p")
done
: > "$dir/targets.txt"
for p in "${ports[@]}"; do echo "redis://127.0.0.1:$p" >> "$dir/targets.txt"; done
cat > "$dir/loop.sh" <<SH
while read -r url; do "$bin" diagnose --url "\$url" -o json --timeout 5s >/dev/null; done < "$dir/targets.txt"
SH

runs=${RUNS:-10}
hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$dir/healthy.json" \
  -n "shell loop of cachectl diagnose" "bash $dir/loop.sh" \
  -n "cachectl diagnose --targets (parallel 8)" "$bin diagnose --targets $dir/targets.txt -o json --timeout 5s" \
  >/dev/null 2>&1
python3 - "$dir/healthy.json" "$n" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
loop, fleet = r["shell loop of cachectl diagnose"], r["cachectl diagnose --targets (parallel 8)"]
print(f"{sys.argv[2]} healthy caches: shell loop {loop*1000:.0f} ms, --targets {fleet*1000:.0f} ms, ratio {fleet/loop:.3f}")
PY

# Four hung (stopped) and four refused among them.
for i in 0 1 2 3; do
  kill -STOP "$(redis-cli -p "${ports[$i]}" info server | awk -F: '/^process_id/{print $2+0}')"
done
bench_cleanups+=('for p in $(pgrep -x redis-server); do kill -CONT $p; done')
for i in 4 5 6 7; do redis-cli -p "${ports[$i]}" shutdown nosave >/dev/null 2>&1 || true; done
start=$(date +%s.%N)
"$bin" diagnose --targets "$dir/targets.txt" -o json --timeout 5s > "$dir/fleet.json" || true
end=$(date +%s.%N)
start_loop=$(date +%s.%N)
bash "$dir/loop.sh" || true
end_loop=$(date +%s.%N)
python3 - "$dir/fleet.json" "$start" "$end" "$start_loop" "$end_loop" <<'PY'
import json, sys
docs = json.load(open(sys.argv[1]))
s, e, sl, el = map(float, sys.argv[2:6])
bad = sum(1 for d in docs if d["status"] == "critical")
print(f"with 4 hung and 4 refused: --targets {e-s:.2f} s (deadline 5 s; {bad} critical), shell loop {el-sl:.2f} s, ratio {(e-s)/(el-sl):.3f}")
PY
