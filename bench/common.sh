# Sourced by the benchmarks: installs what they need, builds the release
# binary ($bin), and gives a scratch directory ($dir), free ports and
# throwaway redis-servers that are shut down on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/deps.sh --bench
cargo build --release --locked --quiet
bin=$PWD/target/release/cachectl
dir=$(mktemp -d)
bench_ports=()
bench_cleanups=()

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

bench_exit() {
  local c p
  for c in "${bench_cleanups[@]}"; do eval "$c" || true; done
  for p in "${bench_ports[@]}"; do
    redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
}
trap bench_exit EXIT

# start_redis PORT [redis-server options...]: a daemonized server, ready.
start_redis() {
  local port=$1
  shift
  mkdir -p "$dir/redis-$port"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir/redis-$port" --save "" \
    --daemonize yes --logfile "$dir/redis-$port/redis.log" "$@"
  bench_ports+=("$port")
  for _ in $(seq 50); do
    redis-cli -p "$port" ${REDISCLI_AUTH:+--no-auth-warning} ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis-server on $port did not start" >&2
  exit 1
}
