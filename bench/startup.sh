#!/usr/bin/env bash
# Benchmark: a whole `cachectl diagnose` of a healthy local Redis against one
# `redis-cli INFO` (process start, connect, one command, exit), side by side.
# Prints the ratio of the medians.
# Target (issue #21): cachectl takes at most 1.25x redis-cli INFO's wall time.
#
# A shared 2-core machine drifts by tens of percent within a minute, more
# than the difference measured: hyperfine runs each command's runs in one
# block, so the commands take turns in short rounds (ROUNDS of RUNS each)
# and the medians are of all the rounds' runs pooled.
source "$(dirname "$0")/common.sh"

port=$(free_port)
export REDISCLI_AUTH="bench-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
start_redis "$port" --maxmemory 256mb --maxmemory-policy allkeys-lru --latency-monitor-threshold 100 --requirepass "$REDISCLI_AUTH"
if ! "$bin" diagnose --url "redis://127.0.0.1:$port" >/dev/null; then
  echo "the bench server is not healthy:" >&2
  "$bin" diagnose --url "redis://127.0.0.1:$port" >&2
  exit 1
fi

rounds=${ROUNDS:-10}
runs=${RUNS:-40}
for round in $(seq "$rounds"); do
  hyperfine -N --warmup 5 --runs "$runs" --export-json "$dir/round-$round.json" --style none \
    -n "redis-cli INFO" "redis-cli --no-auth-warning -p $port INFO" \
    -n "cachectl diagnose" "$bin diagnose --url redis://127.0.0.1:$port -o json" \
    -n "cachectl --version" "$bin --version" >/dev/null
done
python3 - "$dir" "$rounds" <<'PY'
import json, statistics, sys
times = {}
for i in range(1, int(sys.argv[2]) + 1):
    for r in json.load(open(f"{sys.argv[1]}/round-{i}.json"))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
med = {k: statistics.median(v) * 1000 for k, v in times.items()}
n = len(times["redis-cli INFO"])
peer, ours, start = med["redis-cli INFO"], med["cachectl diagnose"], med["cachectl --version"]
print(f"medians of {n} runs each: redis-cli INFO {peer:.2f} ms   cachectl diagnose {ours:.2f} ms"
      f"   (cachectl --version {start:.2f} ms)")
print(f"ratio cachectl / redis-cli = {ours/peer:.2f}  (target: <= 1.25)")
PY
