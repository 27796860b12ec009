#!/usr/bin/env bash
# Benchmark: `cachectl memory --keys` against `redis-cli --memkeys` and a
# pipelined redis-py SCAN COUNT 1000 + MEMORY USAGE script, side by side in
# one hyperfine run on the same data: KEYS keys (default 1,000,000) of a
# cache's mix (profiles without TTL, sessions with TTL, carts as hashes,
# a few lists). Prints the ratios, cachectl's peak RSS, and checks that no
# command cachectl sent reached the slow log at a 10 ms threshold.
# Targets (issue #10): at least 4x faster than redis-cli --memkeys and 2x
# faster than the redis-py script, while also reporting types and TTLs.
source "$(dirname "$0")/common.sh"
keys=${KEYS:-1000000}

venv=${BENCH_VENV:-$PWD/bench/.venv}
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import redis' 2>/dev/null || "$venv/bin/pip" install -q redis

port=$(free_port)
start_redis "$port" --slowlog-log-slower-than 10000 --slowlog-max-len 1024

echo "loading $keys keys" >&2
python3 - "$keys" <<'PY' | redis-cli -p "$port" --pipe >/dev/null
import sys, uuid
n = int(sys.argv[1])
out = sys.stdout.buffer
def cmd(*args):
    parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    out.write(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
for i in range(n):
    r = i % 10
    if r < 6:
        cmd("SET", f"user:{i}:profile", "x" * 80)
    elif r < 9:
        cmd("SET", f"session:{uuid.UUID(int=i)}", "y" * 40, "EX", 86400)
    elif i % 1000 == 9:
        cmd("RPUSH", f"queue:{i}", *(["job"] * 50))
    else:
        cmd("HSET", f"cart:{i}", "a", "1", "b", "2", "c", "3")
PY
dbsize=$(redis-cli -p "$port" DBSIZE)
echo "dbsize $dbsize" >&2

cat > "$dir/peer.py" <<'PY'
import sys, redis
r = redis.Redis(port=int(sys.argv[1]))
total = n = 0
cursor = 0
while True:
    cursor, keys = r.scan(cursor, count=1000)
    p = r.pipeline(transaction=False)
    for k in keys:
        p.memory_usage(k)
    for b in p.execute():
        if b is not None:
            total += b
            n += 1
    if cursor == 0:
        break
print(n, total)
PY

redis-cli -p "$port" SLOWLOG RESET >/dev/null
runs=${RUNS:-3}
hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$dir/result.json" \
  -n "redis-cli --memkeys" "redis-cli -p $port --memkeys" \
  -n "redis-py SCAN COUNT 1000 + MEMORY USAGE" "$venv/bin/python $dir/peer.py $port" \
  -n "cachectl memory --keys" "$bin memory --url redis://127.0.0.1:$port --keys -o json" >/dev/null 2>&1
rss=$( { /usr/bin/time -f '%M' "$bin" memory --url "redis://127.0.0.1:$port" --keys -o json >/dev/null || true; } 2>&1 | tail -1)
slow=$(redis-cli -p "$port" SLOWLOG GET 1024 | grep -ciE '^(scan|type|memory|pttl|object|llen|hlen|scard|zcard|xlen|strlen)$' || true)
python3 - "$dir/result.json" "$rss" "$dbsize" "$slow" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
cli = r["redis-cli --memkeys"]
py = r["redis-py SCAN COUNT 1000 + MEMORY USAGE"]
ours = r["cachectl memory --keys"]
print(f"{sys.argv[3]} keys: redis-cli --memkeys {cli:.2f} s   redis-py {py:.2f} s   cachectl {ours:.2f} s")
print(f"cachectl is {cli/ours:.1f}x faster than redis-cli --memkeys (target >= 4) and {py/ours:.1f}x faster than redis-py (target >= 2)")
print(f"cachectl peak RSS {int(sys.argv[2])/1024:.1f} MiB; slow-log entries >= 10 ms from the scan's commands: {sys.argv[4]}")
PY
