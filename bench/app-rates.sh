#!/usr/bin/env bash
# Benchmark: the application side on a large exporter. A /metrics body of
# 100,000 `cache_hits_total` series (plus misses), served by a real HTTP
# server; `cachectl diagnose --app --only app-hit-rate` scrapes it twice
# (--interval 1ms) and pairs every series for rates. The peer, in the same
# hyperfine run: one plain fetch and parse of the same body with the
# Prometheus Python client's parser. Prints the ratio and cachectl's peak RSS
# (the body is parsed as it streams, keeping only the selected series).
source "$(dirname "$0")/common.sh"
series=${SERIES:-100000}

venv=${BENCH_VENV:-$PWD/bench/.venv}
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import prometheus_client' 2>/dev/null ||
  "$venv/bin/pip" install -q prometheus_client
rport=$(free_port)
hport=$(free_port)
web=""
bench_cleanups+=('[[ -n "$web" ]] && kill "$web" 2>/dev/null')
start_redis "$rport"
mkdir -p "$dir/www"
python3 - "$dir/www/metrics" "$series" <<'PY'
import sys
n = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    f.write("# HELP cache_hits_total Cache hits\n# TYPE cache_hits_total counter\n")
    for i in range(n):
        f.write(f'cache_hits_total{{service="api",shard="{i}"}} {i * 9}\n')
    f.write("# HELP cache_misses_total Cache misses\n# TYPE cache_misses_total counter\n")
    for i in range(n):
        f.write(f'cache_misses_total{{service="api",shard="{i}"}} {i}\n')
PY
(cd "$dir/www" && exec python3 -m http.server "$hport" --bind 127.0.0.1 >/dev/null 2>&1) &
web=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$hport/metrics" 2>/dev/null && break; sleep 0.1; done
size=$(stat -c %s "$dir/www/metrics")
echo "/metrics: $((series * 2)) series, $((size / 1024 / 1024)) MiB"
cat > "$dir/peer.py" <<'PY'
import sys, urllib.request
from prometheus_client.parser import text_string_to_metric_families
body = urllib.request.urlopen(sys.argv[1], timeout=30).read().decode()
n = sum(len(f.samples) for f in text_string_to_metric_families(body))
assert n > 0
PY
ours="$bin diagnose --url redis://127.0.0.1:$rport --app http://127.0.0.1:$hport --only app-hit-rate --interval 1ms --timeout 60s -o json"
report=$($ours || true)
echo "$report" | python3 -c '
import json, sys
r = json.load(sys.stdin)
f = [x["id"] for x in r["findings"]]
assert "app-hit-rate-critical" not in f and "app-hit-rate-warning" not in f, f
print("cachectl report:", r["status"], "checks", r["checks"])'
runs=${RUNS:-10}
hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$dir/result.json" \
  -n "python fetch + prometheus_client parse (once)" "$venv/bin/python $dir/peer.py http://127.0.0.1:$hport/metrics" \
  -n "cachectl diagnose (two scrapes, rates)" "$ours" >/dev/null 2>&1
rss=$( { /usr/bin/time -f '%M' $ours >/dev/null || true; } 2>&1 | tail -1)
python3 - "$dir/result.json" "$rss" "$size" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
peer = r["python fetch + prometheus_client parse (once)"]
ours = r["cachectl diagnose (two scrapes, rates)"]
print(f"peer (one fetch + parse) {peer*1000:.0f} ms   cachectl (two scrapes + pairing) {ours*1000:.0f} ms   ratio {ours/peer:.2f}")
print(f"cachectl peak RSS {int(sys.argv[2])/1024:.1f} MiB for a {int(sys.argv[3])/1048576:.1f} MiB body")
PY
