#!/usr/bin/env bash
# Benchmark: a whole `cachectl diagnose` of a healthy local Redis against one
# `redis-cli INFO` (process start, connect, one command, exit), side by side
# in one hyperfine run. Prints the ratio.
# Target (issue #21): cachectl takes at most 1.25x redis-cli INFO's wall time.
source "$(dirname "$0")/common.sh"

port=$(free_port)
export REDISCLI_AUTH="bench-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
start_redis "$port" --maxmemory 256mb --maxmemory-policy allkeys-lru --latency-monitor-threshold 100 --requirepass "$REDISCLI_AUTH"
if ! "$bin" diagnose --url "redis://127.0.0.1:$port" >/dev/null; then
  echo "the bench server is not healthy:" >&2
  "$bin" diagnose --url "redis://127.0.0.1:$port" >&2
  exit 1
fi

runs=${RUNS:-300}
hyperfine -N --warmup 20 --runs "$runs" --export-json "$dir/result.json" \
  -n "redis-cli INFO" "redis-cli --no-auth-warning -p $port INFO" \
  -n "cachectl diagnose" "$bin diagnose --url redis://127.0.0.1:$port -o json" \
  -n "cachectl --version" "$bin --version"
python3 - "$dir/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
peer = r["redis-cli INFO"]["median"]
ours = r["cachectl diagnose"]["median"]
start = r["cachectl --version"]["median"]
print(f"\nmedians: redis-cli INFO {peer*1000:.1f} ms   cachectl diagnose {ours*1000:.1f} ms"
      f"   (cachectl --version {start*1000:.1f} ms)")
print(f"ratio cachectl / redis-cli = {ours/peer:.2f}  (target: <= 1.25)")
PY
