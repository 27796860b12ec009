#!/usr/bin/env bash
# Benchmark (issue 13): `cachectl diagnose` of a 6-node Redis Cluster (3
# primaries, 3 replicas) from one seed node, side by side in one hyperfine
# run with the same checks done node by node with redis-cli: the seeds'
# manual diagnosis (bench/manual-diagnosis.sh, 13 redis-cli processes) on
# each of the 6 nodes in turn, plus CLUSTER INFO and CLUSTER NODES.
# Prints the ratio.
source "$(dirname "$0")/common.sh"

ports=()
for _ in 1 2 3 4 5 6; do
  # The cluster bus listens on port + 10000: keep both in range.
  port=$(free_port)
  while ((port > 55000)); do port=$(free_port); done
  start_redis "$port" --cluster-enabled yes --cluster-config-file "nodes-$port.conf" \
    --cluster-node-timeout 2000 --repl-diskless-sync-delay 0 \
    --maxmemory 256mb --maxmemory-policy allkeys-lru
  ports+=("$port")
done
nodes=()
for p in "${ports[@]}"; do nodes+=("127.0.0.1:$p"); done
redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >/dev/null
for p in "${ports[@]}"; do
  for _ in $(seq 100); do
    redis-cli -p "$p" CLUSTER INFO | grep -q 'cluster_state:ok' && break
    sleep 0.1
  done
done
sleep 2 # replicas in sync, every node's view complete
# 30k keys over the shards (cachectl warm sends each to its slot's primary).
python3 -c '
for i in range(30000):
    print("{\"key\":\"cache:%d\",\"value\":\"value\",\"ttl\":3600}" % i)
' > "$dir/keys.jsonl"
"$bin" warm --url "redis://127.0.0.1:${ports[0]}" --file "$dir/keys.jsonl" --yes \
  --audit-log "$dir/audit.log" >/dev/null

cat > "$dir/by-node.sh" <<EOS
for p in ${ports[*]}; do
  bash bench/manual-diagnosis.sh \$p
  redis-cli -p \$p CLUSTER INFO >/dev/null
  redis-cli -p \$p CLUSTER NODES >/dev/null
done
EOS
seed="redis://127.0.0.1:${ports[0]}"
"$bin" diagnose --url "$seed" -o json > "$dir/report.json" || true
python3 - "$dir/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["topology"] == "cluster" and len(r["nodes"]) == 6, r["nodes"]
print("cachectl sees", len(r["nodes"]), "nodes:", ", ".join(n["addr"] + " " + n["role"] for n in r["nodes"]))
PY

runs=${RUNS:-30}
# -i: cachectl exits 1 on the warnings this lab has (no password).
hyperfine -N -i --warmup 3 --runs "$runs" --export-json "$dir/result.json" \
  -n "redis-cli node by node (6 x 15 processes)" "bash $dir/by-node.sh" \
  -n "cachectl diagnose (whole cluster)" "$bin diagnose --url $seed -o json"
python3 - "$dir/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
peer = r["redis-cli node by node (6 x 15 processes)"]["mean"]
ours = r["cachectl diagnose (whole cluster)"]["mean"]
print(f"\nredis-cli node by node: {peer*1000:.1f} ms   cachectl diagnose of the cluster: {ours*1000:.1f} ms")
print(f"ratio cachectl / redis-cli = {ours/peer:.3f}  ({peer/ours:.1f}x faster)")
PY
