#!/usr/bin/env bash
# Installs what cachectl's lab, tests and benchmarks need when it is absent:
# Redis (server, cli, sentinel) and openssl from Debian; with --bench also
# hyperfine, GNU time and python3.
# Sourced by the other scripts; safe to run again.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
command -v redis-sentinel >/dev/null 2>&1 || need+=(redis-sentinel)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v script >/dev/null 2>&1 || need+=(bsdutils)  # pseudo-terminal for prompt tests
command -v chromium >/dev/null 2>&1 || need+=(chromium)  # -o html is checked in a headless browser
command -v python3 >/dev/null 2>&1 || need+=(python3)   # holds thousands of idle connections in a test
# venvs: the server matrix (scripts/servers) and the benchmarks' peers.
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
if [[ "${1:-}" == "--bench" ]]; then
  command -v hyperfine >/dev/null 2>&1 || need+=(hyperfine)
  [[ -x /usr/bin/time ]] || need+=(time)  # peak RSS
fi

if ((${#need[@]})); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "need root or sudo to install: ${need[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "installing: ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
# The Debian package starts a system Redis on 6379; the lab and tests use
# their own ports, so it is left alone.

command -v cargo >/dev/null 2>&1 || {
  echo "cargo not found: install the Rust toolchain (https://rustup.rs) first" >&2
  exit 1
}
