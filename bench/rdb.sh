#!/usr/bin/env bash
# Benchmark: `cachectl memory --rdb` (the whole report: patterns, TTLs,
# types, largest keys, each key's memory estimated, findings) against
# redis-check-rdb (the server's own checker, Debian's redis-tools) and
# rdb-py (a Rust-backed parser from PyPI, iterated from Python), side by
# side on the same dumps written by Redis:
#   - 1M keys of a cache's mix (profiles, sessions with TTLs, page
#     fragments of 1-3 KB, carts as hashes, sets, sorted sets, lists):
#     about 300 bytes a key, where keys/s and MB/s both count;
#   - 10M small strings (DEBUG POPULATE), where keys/s counts;
#   - 50,000 random strings of 20 KB (1 GB), where MB/s counts.
# For each: seconds (hyperfine, mean of RUNS), keys/s, MB/s, peak RSS, and
# the ratios. Targets (issue #25): at least 1M keys/s and 300 MB/s on one
# core for the whole report.
source "$(dirname "$0")/common.sh"
keys=${KEYS:-1000000}
big=${BIG_KEYS:-10000000}
runs=${RUNS:-3}

venv=${BENCH_VENV:-$PWD/bench/.venv}
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import rdb' 2>/dev/null || "$venv/bin/pip" install -q rdb-py
command -v redis-check-rdb >/dev/null || { echo "redis-check-rdb is missing (redis-tools)" >&2; exit 1; }

port=$(free_port)
start_redis "$port" --enable-debug-command yes --dbfilename mix.rdb

echo "writing $keys keys of a cache's mix" >&2
python3 - "$keys" <<'PY' | redis-cli -p "$port" --pipe >/dev/null
import random, sys
n = int(sys.argv[1])
rnd = random.Random(25)
out = sys.stdout.buffer
def cmd(*args):
    parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    out.write(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
for i in range(n):
    r = i % 20
    if r < 12:
        cmd("SET", f"user:{i}:profile", '{"name":"%s","plan":"pro","seen":%d}' % ("u" * rnd.randint(40, 160), i))
    elif r < 17:
        cmd("SET", f"session:{i:x}{rnd.getrandbits(64):016x}", "s" * 40, "EX", 86400)
    elif r == 17:
        cmd("SET", f"page:/products/{i}", rnd.randbytes(rnd.randint(1000, 3000)).hex()[: rnd.randint(1000, 3000)])
    elif r == 18:
        cmd("HSET", f"cart:{i}", "sku1", "2", "sku2", "1", "total", "42.50")
    elif i % 3 == 0:
        cmd("SADD", f"tags:{i}", *[f"t{j}" for j in range(rnd.randint(1, 20))])
    elif i % 3 == 1:
        cmd("ZADD", f"rank:{i}", *sum(([j, f"m{j}"] for j in range(rnd.randint(1, 20))), []))
    else:
        cmd("RPUSH", f"queue:{i}", *(["job"] * rnd.randint(1, 30)))
PY
redis-cli -p "$port" SAVE >/dev/null
mix="$dir/redis-$port/mix.rdb"

echo "writing $big keys with DEBUG POPULATE" >&2
redis-cli -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
port2=$(free_port)
start_redis "$port2" --enable-debug-command yes --dbfilename big.rdb
redis-cli -p "$port2" DEBUG POPULATE "$big" key 32 >/dev/null
redis-cli -p "$port2" SAVE >/dev/null
redis-cli -p "$port2" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
bigdump="$dir/redis-$port2/big.rdb"

blobs=${BLOB_KEYS:-50000}
echo "writing $blobs strings of 20 KB" >&2
port3=$(free_port)
start_redis "$port3" --dbfilename blobs.rdb
python3 - "$blobs" <<'PY' | redis-cli -p "$port3" --pipe >/dev/null
import os, sys
out = sys.stdout.buffer
for i in range(int(sys.argv[1])):
    key, value = f"blob:{i}".encode(), os.urandom(20000)
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(value), value))
PY
redis-cli -p "$port3" SAVE >/dev/null
redis-cli -p "$port3" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
blobdump="$dir/redis-$port3/blobs.rdb"

cat > "$dir/rdbpy.py" <<'PY'
import sys, rdb
n = 0
for item in rdb.RdbDecoder(sys.argv[1]):
    if "key" in item and item["type"] != "aux_field":
        n += 1
print(n)
PY

measure() { # measure NAME DUMP KEYS: hyperfine, then peak RSS, for the three
  local name=$1 dump=$2 nkeys=$3 size
  size=$(stat -c %s "$dump")
  hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$dir/$name.json" \
    -n "cachectl memory --rdb" "$bin memory --rdb $dump -o json" \
    -n "redis-check-rdb" "redis-check-rdb $dump" \
    -n "rdb-py" "$venv/bin/python $dir/rdbpy.py $dump" >/dev/null 2>&1
  local rss_ours rss_check rss_py
  rss_ours=$( { /usr/bin/time -f '%M' "$bin" memory --rdb "$dump" -o json >/dev/null || true; } 2>&1 | tail -1)
  rss_check=$( { /usr/bin/time -f '%M' redis-check-rdb "$dump" >/dev/null || true; } 2>&1 | tail -1)
  rss_py=$( { /usr/bin/time -f '%M' "$venv/bin/python" "$dir/rdbpy.py" "$dump" >/dev/null || true; } 2>&1 | tail -1)
  python3 - "$dir/$name.json" "$name" "$nkeys" "$size" "$rss_ours" "$rss_check" "$rss_py" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
name, keys, size = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rss = dict(zip(["cachectl memory --rdb", "redis-check-rdb", "rdb-py"], (int(x) / 1024 for x in sys.argv[5:8])))
print(f"{name}: {keys:,} keys, {size / 1e6:.0f} MB")
for tool, secs in r.items():
    print(f"  {tool:24} {secs:6.2f} s  {keys / secs / 1e6:5.2f}M keys/s  {size / secs / 1e6:6.0f} MB/s  peak RSS {rss[tool]:6.1f} MiB")
ours = r["cachectl memory --rdb"]
print(f"  cachectl is {r['redis-check-rdb'] / ours:.1f}x redis-check-rdb's speed and {r['rdb-py'] / ours:.1f}x rdb-py's"
      f" (targets: >= 1M keys/s: {keys / ours / 1e6:.2f}M, >= 300 MB/s: {size / ours / 1e6:.0f})")
PY
}

measure "1M keys, a cache's mix" "$mix" "$keys"
measure "10M keys, DEBUG POPULATE" "$bigdump" "$big"
measure "$blobs keys of 20 KB" "$blobdump" "$blobs"
