#!/usr/bin/env bash
# Benchmark: `cachectl flush --pattern` against the two shell pipelines the
# seeds and experts use, side by side in one hyperfine run on the same data:
# KEYS keys (default 1,000,000), a quarter of them (`tmp:*`) matching.
# Each run reloads the keyspace first (hyperfine --prepare, not timed).
# Peers:
#   redis-cli --scan --pattern P | xargs redis-cli UNLINK     (issue #12: >= 10x)
#   redis-cli --scan --pattern P | RESP | redis-cli --pipe    (the expert's; >= 1x)
# The floor: the server's own time (INFO commandstats) for the SCAN and
# UNLINK of one cachectl run, which no client beats; cachectl's time is
# printed as a multiple of it (target <= 1.5).
# Also checks that every matching key is gone after each tool and that no
# command cachectl sent reached the slow log at a 10 ms threshold.
source "$(dirname "$0")/common.sh"
keys=${KEYS:-1000000}
port=$(free_port)
start_redis "$port" --slowlog-log-slower-than 10000 --slowlog-max-len 1024

python3 - "$keys" > "$dir/data.resp" <<'PY'
import sys
n = int(sys.argv[1])
out = sys.stdout.buffer
for i in range(n):
    k = (b"tmp:%d" % i) if i % 4 == 0 else (b"keep:%d" % i)
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$8\r\nxxxxxxxx\r\n" % (len(k), k))
PY
cat > "$dir/load.sh" <<EOS
redis-cli -p $port FLUSHALL >/dev/null && redis-cli -p $port --pipe < $dir/data.resp >/dev/null
EOS
cat > "$dir/xargs.sh" <<EOS
redis-cli -p $port --scan --pattern 'tmp:*' | xargs redis-cli -p $port UNLINK >/dev/null
EOS
cat > "$dir/pipe.sh" <<EOS
redis-cli -p $port --scan --pattern 'tmp:*' \
  | awk '{ printf "*2\r\n\$6\r\nUNLINK\r\n\$%d\r\n%s\r\n", length(\$0), \$0 }' \
  | redis-cli -p $port --pipe >/dev/null
EOS
cat > "$dir/cachectl.sh" <<EOS
$bin flush --url redis://127.0.0.1:$port --pattern 'tmp:*' --yes \
  --confirm-destructive 127.0.0.1:$port --audit-log $dir/audit.log -o json >/dev/null 2>&1
EOS

# Correctness first: each tool leaves exactly the non-matching keys.
want=$((keys - (keys + 3) / 4))
for tool in xargs pipe cachectl; do
  bash "$dir/load.sh"
  bash "$dir/$tool.sh"
  left=$(redis-cli -p "$port" DBSIZE)
  if [[ $left != "$want" ]]; then
    echo "$tool left $left keys, want $want" >&2
    exit 1
  fi
done

runs=${RUNS:-3}
hyperfine -N --runs "$runs" --export-json "$dir/result.json" --prepare "bash $dir/load.sh" \
  -n "xargs redis-cli UNLINK" "bash $dir/xargs.sh" \
  -n "redis-cli --pipe" "bash $dir/pipe.sh" \
  -n "cachectl flush" "bash $dir/cachectl.sh" >/dev/null 2>&1
# The slow log of one cachectl run alone (the peers' big UNLINKs would count).
bash "$dir/load.sh"
redis-cli -p "$port" SLOWLOG RESET >/dev/null
redis-cli -p "$port" CONFIG RESETSTAT >/dev/null
bash "$dir/cachectl.sh"
slow=$(redis-cli -p "$port" SLOWLOG GET 1024 | grep -ciE '^(scan|unlink|type|exists)$' || true)
# The server's own time for cachectl's commands: the floor no client beats.
redis-cli -p "$port" INFO commandstats | tr -d '\r' > "$dir/stats.txt"
python3 - "$dir/result.json" "$keys" "$slow" "$dir/stats.txt" <<'PY'
import json, re, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
xa, pipe, ours = r["xargs redis-cli UNLINK"], r["redis-cli --pipe"], r["cachectl flush"]
n = int(sys.argv[2])
usec = {m[0]: int(m[1]) / 1e6 for m in re.findall(r"cmdstat_(\w+):calls=\d+,usec=(\d+)", open(sys.argv[4]).read())}
print(f"{(n + 3) // 4} of {n} keys: xargs redis-cli UNLINK {xa:.2f} s   redis-cli --scan | --pipe {pipe:.2f} s   cachectl flush {ours:.2f} s")
print(f"cachectl is {xa/ours:.1f}x faster than xargs (target >= 10) and {pipe/ours:.2f}x the speed of the --pipe pipeline (target >= 1)")
print("server time of one cachectl run (INFO commandstats): " + ", ".join(f"{k.upper()} {v:.3f} s" for k, v in sorted(usec.items()) if k in ("scan", "unlink", "exists")) + f"; 10x the xargs peer means {xa/10:.3f} s in all")
floor = usec.get("scan", 0) + usec.get("unlink", 0)
print(f"floor: the server's own time for SCAN + UNLINK of the run {floor:.3f} s; cachectl flush {ours:.3f} s = {ours/floor:.2f}x the floor (target <= 1.5); with its EXISTS re-check {floor + usec.get('exists', 0):.3f} s")
print(f"slow-log entries >= 10 ms from cachectl's SCAN/UNLINK/EXISTS: {sys.argv[3]}")
PY
