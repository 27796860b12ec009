"""A server of the benchmark's own that answers like a Redis 7.0 with N idle
clients: CLIENT LIST has N lines (a process here may hold only 20,000 open
files, so 100,000 real connections cannot be made). Enough of Redis for
`cachectl clients` and `clients kill`: PING, INFO, ROLE, CONFIG GET, CLIENT
LIST/ID/KILL, COMMAND INFO, ACL DRYRUN, DBSIZE, SLOWLOG, LATENCY.
Usage: crowded.py PORT N"""
import socket
import sys
import threading

port, n = int(sys.argv[1]), int(sys.argv[2])
lines = "".join(
    f"id={i + 10} addr=10.0.{i // 250 % 250}.{i % 250}:{1000 + i % 60000} laddr=127.0.0.1:6379 "
    f"fd={i + 8} name=app-{i % 7} age={i % 5000 + 10} idle={i % 4000 + 5} flags=N db=0 sub=0 "
    "psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 "
    "oll=0 omem=0 tot-mem=1800 events=r cmd=get user=default redir=-1 resp=2\n"
    for i in range(n)
).encode()


def bulk(b):
    return b"$%d\r\n%s\r\n" % (len(b), b)


CLIENT_LIST = bulk(lines)
INFO = bulk(
    b"# Server\r\nredis_version:7.0.15\r\nprocess_id:1\r\nuptime_in_seconds:1000\r\n"
    b"# Clients\r\nconnected_clients:%d\r\nmaxclients:200000\r\n# Memory\r\n"
    b"used_memory:1000000\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n"
    b"# Replication\r\nrole:master\r\nconnected_slaves:0\r\n# Keyspace\r\n" % n
)


def reply(args):
    w = [a.upper() for a in args[:2]] + [b""]
    c, sub = w[0], w[1]
    if c == b"PING":
        return b"+PONG\r\n"
    if c == b"INFO":
        return INFO
    if c == b"ROLE":
        return b"*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n"
    if c == b"CLIENT" and sub == b"LIST":
        return CLIENT_LIST
    if c == b"CLIENT" and sub in (b"ID", b"KILL"):
        return b":1\r\n"
    if c == b"CLIENT":
        return b"+OK\r\n"
    if c == b"CONFIG":
        return b"*2\r\n" + bulk(b"maxmemory") + bulk(b"0")
    if c == b"COMMAND" and sub == b"INFO":
        return (b"*1\r\n*7\r\n" + bulk(args[2]) +
                b":-2\r\n*1\r\n+admin\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@admin\r\n")
    if c == b"ACL":
        return b"+OK\r\n"
    if c == b"DBSIZE":
        return b":0\r\n"
    if c in (b"SLOWLOG", b"LATENCY", b"COMMAND"):
        return b"*0\r\n"
    return b"-ERR unknown command\r\n"


def serve(conn):
    f = conn.makefile("rb")
    try:
        while True:
            line = f.readline()
            if not line:
                return
            if not line.startswith(b"*"):
                continue
            args = []
            for _ in range(int(line[1:])):
                size = int(f.readline()[1:])
                args.append(f.read(size + 2)[:-2])
            conn.sendall(reply(args))
    except OSError:
        pass


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(64)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
