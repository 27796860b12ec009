#!/usr/bin/env bash
# The peer: the seeds' manual diagnosis with redis-cli, one process per step
# (seed 001 "Check Redis Health" and "Check Redis Metrics", seed 000 step 3,
# seed 000 Scenario 3 and 4). Usage: manual-diagnosis.sh PORT (password in REDISCLI_AUTH)
set -u
p=$1
r() { redis-cli -h 127.0.0.1 -p "$p" "$@" >/dev/null; }
r PING
r INFO server
r INFO memory
r INFO stats
r INFO clients
r INFO persistence
r INFO replication
r CLIENT LIST
r CONFIG GET maxclients
r CONFIG GET maxmemory-policy
r SLOWLOG GET 10
r INFO commandstats
r INFO errorstats
