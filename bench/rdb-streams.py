#!/usr/bin/env python3
"""Stream memory: `memory --rdb`'s estimate of each stream against MEMORY
USAGE (SAMPLES 0) on a live server, stream by stream (docs/rdb.md).

Writes 48 streams into the server at 127.0.0.1:PORT (after FLUSHALL: use a
throwaway server): 1, 4, 60 and 250 entries; IDs of one millisecond (a
pipeline's), 17 ms apart and 1000 s apart (as events come); no group, a
group of one consumer that read every entry, one of three that read half,
two groups of two; with --nack (Redis 8.8 and later) also a group of two
with a third of its entries NACKed. Then SAVE, and `CACHECTL memory --rdb`
on the dump; prints each stream's difference and the total's.

Usage: bench/rdb-streams.py PORT CACHECTL [--nack] [--allocator NAME]
"""
import json
import os
import subprocess
import sys

port, cachectl = sys.argv[1], sys.argv[2]
nack = "--nack" in sys.argv
allocator = sys.argv[sys.argv.index("--allocator") + 1] if "--allocator" in sys.argv else None


def cli(*args):
    return subprocess.run(["redis-cli", "-p", port, *map(str, args)],
                          capture_output=True, text=True, check=True).stdout.strip()


def pipe(cmds):
    data = "".join(" ".join(f'"{x}"' for x in map(str, c)) + "\n" for c in cmds)
    subprocess.run(["redis-cli", "-p", port], input=data, capture_output=True, text=True, check=True)


cli("FLUSHALL")
T = 1796369698394
ids = {
    "fast": lambda i: f"{T}-{i + 1}",
    "slow": lambda i: f"{T + i * 17}-0",
    "spread": lambda i: f"{T + i * 1000003}-{i % 3}",
}
shapes = ["none", "g1c1all", "g1c3half", "g2c2all"] + (["g1c2nack"] if nack else [])
names = []
for mode, id_of in ids.items():
    for n in [1, 4, 60, 250]:
        for shape in shapes:
            k = f"{mode}-{n}-{shape}"
            names.append(k)
            pipe([["XADD", k, id_of(i), "f", i] for i in range(n)])
            if shape == "none":
                continue
            groups = 2 if shape.startswith("g2") else 1
            consumers = int(shape[3])
            for g in range(groups):
                cli("XGROUP", "CREATE", k, f"g{g}", "0")
                read = max(1, n // 2) if shape.endswith("half") else n
                each = max(1, read // consumers)
                for c in range(consumers):
                    cli("XREADGROUP", "GROUP", f"g{g}", f"c{c}", "COUNT", each, "STREAMS", k, ">")
            if shape.endswith("nack") and n >= 4:
                nacked = [id_of(i) for i in range(1, n, 3)]
                cli("XNACK", k, "g0", "SILENT", "IDS", len(nacked), *nacked)
usage = {k: int(cli("MEMORY", "USAGE", k, "SAMPLES", "0")) for k in names}
cli("SAVE")
dump = os.path.join(cli("CONFIG", "GET", "dir").split("\n")[1], cli("CONFIG", "GET", "dbfilename").split("\n")[1])
args = [cachectl, "memory", "--rdb", dump, "--output", "json", "--top", "1000"]
if allocator:
    args += ["--allocator", allocator]
report = json.loads(subprocess.run(args, capture_output=True, text=True).stdout)
estimate = {e["key"]: e["bytes"] for e in report["keyspace"]["largest"]}
for k in names:
    u, e = usage[k], estimate[k]
    print(f"{k:20} MEMORY USAGE {u:7}  estimate {e:7}  {e - u:+6}  {(e - u) / u * 100:+6.1f}%")
total_u, total_e = sum(usage.values()), sum(estimate[k] for k in names)
exact = sum(1 for k in names if usage[k] == estimate[k])
print(f"{len(names)} streams, {exact} exact; in all {total_u} against {total_e}: "
      f"{(total_e - total_u) / total_u * 100:+.2f}%")
