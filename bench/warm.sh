#!/usr/bin/env bash
# Benchmark: `cachectl warm --file` (JSON Lines with TTLs) against
# `redis-cli --pipe` on the equivalent RESP file (SET key value EX ttl NX),
# side by side in one hyperfine run, each starting from an empty database
# (hyperfine --prepare FLUSHALL, not timed). KEYS records (default 1,000,000).
# Target (issue #12): cachectl within 1.5x of redis-cli --pipe. Also checks
# both wrote every key and that nothing cachectl sent reached the slow log
# at a 10 ms threshold, and prints cachectl's peak RSS (streaming: it must
# not grow with the input).
source "$(dirname "$0")/common.sh"
keys=${KEYS:-1000000}
port=$(free_port)
start_redis "$port" --slowlog-log-slower-than 10000 --slowlog-max-len 1024

python3 - "$keys" "$dir/data.jsonl" "$dir/data.resp" <<'PY'
import sys
n = int(sys.argv[1])
with open(sys.argv[2], "wb") as j, open(sys.argv[3], "wb") as r:
    for i in range(n):
        k = b"cache:item:%d" % i
        v = b"value-%032d" % i
        j.write(b'{"key":"%s","value":"%s","ttl":3600}\n' % (k, v))
        r.write(b"*6\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$2\r\nEX\r\n$4\r\n3600\r\n$2\r\nNX\r\n"
                % (len(k), k, len(v), v))
PY
cat > "$dir/pipe.sh" <<EOS
redis-cli -p $port --pipe < $dir/data.resp >/dev/null
EOS
cat > "$dir/cachectl.sh" <<EOS
$bin warm --url redis://127.0.0.1:$port --file $dir/data.jsonl --yes --audit-log $dir/audit.log -o json >/dev/null 2>&1
EOS
for tool in pipe cachectl; do
  redis-cli -p "$port" FLUSHALL >/dev/null
  bash "$dir/$tool.sh"
  got=$(redis-cli -p "$port" DBSIZE)
  [[ $got == "$keys" ]] || { echo "$tool wrote $got keys, want $keys" >&2; exit 1; }
done
rss=$( { redis-cli -p "$port" FLUSHALL >/dev/null; /usr/bin/time -f '%M' bash "$dir/cachectl.sh"; } 2>&1 | tail -1)

runs=${RUNS:-3}
hyperfine -N --runs "$runs" --export-json "$dir/result.json" \
  --prepare "redis-cli -p $port FLUSHALL" \
  -n "redis-cli --pipe" "bash $dir/pipe.sh" \
  -n "cachectl warm" "bash $dir/cachectl.sh" >/dev/null 2>&1
# The slow log of one cachectl run alone.
redis-cli -p "$port" FLUSHALL >/dev/null
redis-cli -p "$port" SLOWLOG RESET >/dev/null
bash "$dir/cachectl.sh"
slow=$(redis-cli -p "$port" SLOWLOG GET 1024 | grep -ciE '^(set|exists|hset|sadd|zadd|rpush|expire)$' || true)
python3 - "$dir/result.json" "$keys" "$slow" "$rss" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
pipe, ours = r["redis-cli --pipe"], r["cachectl warm"]
print(f"{sys.argv[2]} keys with TTLs: redis-cli --pipe {pipe:.2f} s   cachectl warm {ours:.2f} s")
print(f"cachectl takes {ours/pipe:.2f}x the time of redis-cli --pipe (target <= 1.5)")
print(f"cachectl peak RSS {int(sys.argv[4])/1024:.1f} MiB; slow-log entries >= 10 ms from the writes: {sys.argv[3]}")
PY
