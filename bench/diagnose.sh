#!/usr/bin/env bash
# Benchmark: `cachectl diagnose` against the seeds' manual redis-cli diagnosis
# (bench/manual-diagnosis.sh, 13 redis-cli processes), side by side in one
# hyperfine run against the same healthy local Redis. Prints the ratio.
# Target (issue #2): cachectl takes at most one fifth of the peer's wall time.
source "$(dirname "$0")/common.sh"

port=$(free_port)
export REDISCLI_AUTH="bench-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
start_redis "$port" --requirepass "$REDISCLI_AUTH" \
  --maxmemory 256mb --maxmemory-policy allkeys-lru --latency-monitor-threshold 100 \
  --enable-debug-command local

# A healthy small cache: 100k keys and 20k reads, 90% of them hits.
redis-cli -p "$port" DEBUG POPULATE 100000 cache 64 >/dev/null
redis-cli -p "$port" SLOWLOG RESET >/dev/null
redis-cli -p "$port" CONFIG RESETSTAT >/dev/null
python3 -c '
import sys
for i in range(20000):
    key = f"cache:{i}" if i % 10 else f"absent:{i}"
    sys.stdout.write(f"*2\r\n$3\r\nGET\r\n${len(key)}\r\n{key}\r\n")
' | redis-cli -p "$port" --pipe >/dev/null
if ! "$bin" diagnose --url "redis://127.0.0.1:$port" >/dev/null; then
  echo "the bench cache is not healthy:" >&2
  "$bin" diagnose --url "redis://127.0.0.1:$port" >&2
  exit 1
fi

runs=${RUNS:-50}
hyperfine -N --warmup 5 --runs "$runs" --export-json "$dir/result.json" \
  -n "redis-cli manual diagnosis (13 processes)" "bash bench/manual-diagnosis.sh $port" \
  -n "cachectl diagnose" "$bin diagnose --url redis://127.0.0.1:$port -o json"
python3 - "$dir/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
peer = r["redis-cli manual diagnosis (13 processes)"]["mean"]
ours = r["cachectl diagnose"]["mean"]
print(f"\nredis-cli manual diagnosis: {peer*1000:.1f} ms   cachectl diagnose: {ours*1000:.1f} ms")
print(f"ratio cachectl / redis-cli = {ours/peer:.3f}  ({peer/ours:.1f}x faster; target: ratio <= 0.200)")
PY
