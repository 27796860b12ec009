//! The catalogue of facts runbook expressions may read: every root variable,
//! its fields and what they mean. Runbooks are validated against it at load
//! time, so a misspelt fact is an error with its position, not a silent false.

use std::borrow::Cow;
use std::sync::OnceLock;

/// The shape of a fact value.
#[derive(Debug, Clone)]
pub enum Shape {
    /// A scalar, with its CEL type name for documentation.
    Scalar(&'static str),
    /// Named fields, each documented.
    Record(Vec<Field>),
    /// A list whose elements have this shape.
    List(Box<Shape>),
    /// A map with arbitrary string keys (`commandstats.get`, `config["x"]`).
    Map(Box<Shape>),
    /// INFO fields: names checked against the known list on `info.x`;
    /// `info["x"]` reads any field.
    InfoFields,
}

/// A named part of a fact. Names are mostly static; runbooks add their own
/// (thresholds, HTTP step ids, JSONPath value names, metric series names).
#[derive(Debug, Clone)]
pub struct Field {
    pub name: Cow<'static, str>,
    pub doc: &'static str,
    pub shape: Shape,
}

impl Field {
    pub fn new(name: impl Into<Cow<'static, str>>, doc: &'static str, shape: Shape) -> Field {
        Field {
            name: name.into(),
            doc,
            shape,
        }
    }
}

fn f(name: &'static str, ty: &'static str, doc: &'static str) -> Field {
    Field::new(name, doc, Shape::Scalar(ty))
}

fn nested(name: &'static str, doc: &'static str, shape: Shape) -> Field {
    Field::new(name, doc, shape)
}

/// CONFIG parameters cachectl reads (never secrets such as requirepass).
pub const CONFIG_PARAMS: &[&str] = &[
    "maxmemory",
    "maxmemory-policy",
    "maxmemory-samples",
    "maxclients",
    "timeout",
    "tcp-keepalive",
    "save",
    "appendonly",
    "appendfsync",
    "stop-writes-on-bgsave-error",
    "protected-mode",
    "bind",
    "slowlog-log-slower-than",
    "slowlog-max-len",
    "latency-monitor-threshold",
    "activedefrag",
    "lazyfree-lazy-eviction",
    "min-replicas-to-write",
    "repl-backlog-size",
    "io-threads",
];

/// Known INFO field names.
pub fn info_fields() -> &'static [&'static str] {
    static FIELDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        include_str!("info_fields.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect()
    })
}

/// Where a fact root comes from: the one command (or step) that fills it.
/// Collection, the not-connected and failed-command fan-outs, the catalogue
/// and `runbook facts` all read this table, so a root is declared once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Connecting (always present).
    Connection,
    /// A second connection without credentials.
    Anonymous,
    /// The PING burst.
    Ping,
    /// `INFO all`, and values derived from it (with CONFIG).
    Info,
    Config,
    Role,
    Slowlog,
    ClientList,
    Latency,
    MemoryStats,
    MemoryDoctor,
    /// `cachectl memory --keys`: a scan of the keyspace (absent otherwise).
    KeyScan,
    /// `cachectl hotkeys`: the keys read and written most (absent otherwise).
    HotKeys,
    /// A Sentinel target: what its Sentinels say (absent otherwise).
    Sentinel,
    /// A Cluster target: the Cluster as a node sees it (absent otherwise).
    Cluster,
    /// Filled by cachectl itself from the other roots.
    Bookkeeping,
}

impl Source {
    /// The command shown when the root is unavailable.
    pub fn command(self) -> &'static str {
        match self {
            Source::Connection => "connect",
            Source::Anonymous => "PING (without credentials)",
            Source::Ping => "PING",
            Source::Info => "INFO all",
            Source::Config => "CONFIG GET",
            Source::Role => "ROLE",
            Source::Slowlog => "SLOWLOG GET",
            Source::ClientList => "CLIENT LIST",
            Source::Latency => "LATENCY LATEST",
            Source::MemoryStats => "MEMORY STATS",
            Source::MemoryDoctor => "MEMORY DOCTOR",
            Source::KeyScan => "SCAN + MEMORY USAGE",
            Source::HotKeys => "HOTKEYS, OBJECT FREQ or MONITOR",
            Source::Sentinel => "SENTINEL MASTER/REPLICAS/CKQUORUM",
            Source::Cluster => "CLUSTER INFO/NODES",
            Source::Bookkeeping => "",
        }
    }

    /// Whether the root needs a live connection to the node.
    pub fn needs_connection(self) -> bool {
        !matches!(
            self,
            Source::Connection
                | Source::Bookkeeping
                | Source::KeyScan
                | Source::HotKeys
                | Source::Sentinel
                | Source::Cluster
        )
    }

    /// Whether every diagnosis of a node collects it. The others are there
    /// when asked for (a key scan) or for a topology (a Sentinel's or a
    /// Cluster's target-wide facts): checks reading them otherwise do not
    /// apply.
    pub fn always(self) -> bool {
        !matches!(
            self,
            Source::KeyScan | Source::HotKeys | Source::Sentinel | Source::Cluster
        )
    }
}

/// A node fact root: where it comes from and its shape.
#[derive(Debug, Clone)]
pub struct Root {
    pub source: Source,
    pub field: Field,
}

/// Every node fact root, each with its source and shape.
pub fn node_roots() -> &'static [Root] {
    static ROOTS: OnceLock<Vec<Root>> = OnceLock::new();
    ROOTS.get_or_init(build_roots)
}

/// Whether every node's facts have `root` (or its absence is said in
/// `unavailable`): not a Sentinel's, a Cluster's or a key scan's root, nor
/// one a runbook adds (`http`).
pub fn always_there(root: &str) -> bool {
    node_roots()
        .iter()
        .any(|r| r.field.name == root && r.source.always())
}

/// The roots that `source` fills.
pub fn roots_of(source: Source) -> impl Iterator<Item = &'static Root> {
    node_roots().iter().filter(move |r| r.source == source)
}

/// The facts table of docs/runbooks.md, made from the catalogue so the
/// documentation cannot drift from what is collected.
pub fn markdown_table() -> String {
    let mut out = String::from("| root | from | fields |\n| --- | --- | --- |\n");
    for root in node_roots() {
        let from = match root.source {
            Source::Connection => "connecting".to_string(),
            Source::Anonymous => "a second connection, without credentials".to_string(),
            Source::Bookkeeping => "the run itself".to_string(),
            s => format!("`{}`", s.command()),
        };
        let fields = match &root.field.shape {
            Shape::Record(fields) => fields
                .iter()
                .map(|f| format!("`{}`", f.name))
                .collect::<Vec<_>>()
                .join(", "),
            _ => root.field.doc.to_string(),
        };
        out.push_str(&format!("| `{}` | {from} | {fields} |\n", root.field.name));
    }
    out.push_str("| `threshold` | the runbook's `thresholds` | numbers, e.g. `threshold.memory_critical` |\n");
    out.push_str("| `http` | the runbook's HTTP steps, with `--app` | see above |\n");
    out
}

/// The root variables and their shapes.
pub fn roots() -> &'static [Field] {
    static ROOTS: OnceLock<Vec<Field>> = OnceLock::new();
    ROOTS.get_or_init(|| node_roots().iter().map(|r| r.field.clone()).collect())
}

pub fn root(name: &str) -> Option<&'static Field> {
    roots().iter().find(|r| r.name == name)
}

fn build_roots() -> Vec<Root> {
    use Shape::{InfoFields, List, Map, Record, Scalar};
    use Source::{
        Anonymous, Bookkeeping, ClientList, Cluster, Config, Connection, HotKeys, Info, KeyScan,
        Latency, MemoryDoctor, MemoryStats, Ping, Role, Sentinel, Slowlog,
    };
    let from = |source: Source, field: Field| Root { source, field };
    vec![
        from(Connection, nested("connection", "Connecting to the node (always available).", Record(vec![
            f("host", "string", "host name or address connected to (the socket path for unix sockets)"),
            f("port", "int", "TCP port (0 for unix sockets)"),
            f("user", "string", "ACL user cachectl authenticates as (default when none given)"),
            f("ok", "bool", "true when the node answered PING with the given credentials"),
            f("error", "string", "why not: dns, refused, connect_timeout, unresponsive, tls, closed, auth_failed, auth_required, maxclients, loading, busy, not_redis, other; empty when ok"),
            f("detail", "string", "the error as reported, secrets removed"),
            f("connect_ms", "double", "time to connect and authenticate, ms"),
            f("tls", "bool", "whether the target uses TLS"),
            f("authenticated", "bool", "whether a password was supplied"),
            f("answered", "string", "with not_redis: what answered (http, tls, other)"),
            f("first_bytes", "string", "with not_redis: the first bytes it sent, escaped"),
            f("lost", "bool", "the connection dropped during the run, after connecting"),
            f("after_loss", "string", "after a loss: refused (the server is down), accepting (it restarted, or dropped only us) or timeout"),
            nested("arrived", "after a loss: the roots that arrived before it", List(Box::new(Scalar("string")))),
            nested("missing", "after a loss: the roots lost with the connection", List(Box::new(Scalar("string")))),
        ]))),
        from(Anonymous, nested("access", "What an unauthenticated client may do.", Record(vec![
            f("anonymous", "bool", "true when a client with no password can run commands"),
        ]))),
        from(Info, nested("info", "Every scalar INFO field (INFO all), typed: info.used_memory, info.maxmemory_policy.", InfoFields)),
        from(Info, nested("keyspace", "INFO keyspace by database: keyspace.db0.keys.", Map(Box::new(Record(vec![
            f("keys", "int", "number of keys"),
            f("expires", "int", "keys with a TTL"),
            f("avg_ttl", "int", "average TTL, ms"),
        ]))))),
        from(Info, nested("commandstats", "INFO commandstats by lower-case command: commandstats.get.calls.", Map(Box::new(Record(vec![
            f("calls", "int", "calls since start or CONFIG RESETSTAT"),
            f("usec", "int", "total time, µs"),
            f("usec_per_call", "double", "average time per call, µs"),
            f("rejected_calls", "int", "calls rejected before running (e.g. OOM, ACL)"),
            f("failed_calls", "int", "calls that ran and failed"),
        ]))))),
        from(Info, nested("errorstats", "INFO errorstats: error replies by prefix (OOM, NOPERM, ERR, ...).", Map(Box::new(Scalar("int"))))),
        from(Info, nested("replicas", "A primary's replicas from INFO replication.", List(Box::new(Record(vec![
            f("ip", "string", "replica address"),
            f("port", "int", "replica port"),
            f("state", "string", "online, wait_bgsave, send_bulk, ..."),
            f("offset", "int", "acknowledged replication offset"),
            f("lag", "int", "seconds since the replica last acknowledged"),
        ]))))),
        from(Info, nested("derived", "Values computed from INFO and CONFIG.", Record(vec![
            f("hit_ratio", "double", "keyspace_hits / (hits + misses); 0 when there were no lookups"),
            f("lookups", "int", "keyspace_hits + keyspace_misses since start"),
            f("maxmemory", "int", "maxmemory in bytes; 0 when unlimited"),
            f("memory_ratio", "double", "used_memory / maxmemory; 0 when maxmemory is unlimited"),
            f("maxclients", "int", "maxclients (INFO, or CONFIG on Redis < 7)"),
            f("clients_ratio", "double", "connected_clients / maxclients (connected_clients counts cachectl's own connection)"),
            f("evictions_per_min", "double", "evicted_keys per minute, over the uptime (or over the window after a fix)"),
            f("fragmentation_excess_bytes", "int", "used_memory_rss - used_memory"),
            f("max_replica_lag", "int", "largest lag of any replica, seconds; 0 without replicas"),
            f("used_memory_mb", "double", "used_memory in MiB"),
            f("memory_excluding_clients", "int", "used_memory less client buffers (mem_clients_normal + mem_clients_slaves), bytes: what must be resident"),
            f("oom_errors", "int", "OOM error replies over the window: since start, or since the diagnosis when re-checked after a fix"),
            f("rejected_connections", "int", "connections refused at maxclients over the window (as oom_errors)"),
            f("evicted_keys", "int", "keys evicted over the window (as oom_errors)"),
            f("window_s", "int", "seconds the window covers"),
            f("nodes_on_host", "int", "nodes of the topology diagnosed on this node's host (same address), this one included: they share its RAM; 1 for a lone node"),
            f("rss_ratio_excluding_clients", "double", "used_memory_rss / memory_excluding_clients; below 1 means part of the data is swapped out; 0 when nothing is used"),
        ]))),
        from(Config, nested("config", "CONFIG GET of the parameters runbooks use, as strings: config[\"maxmemory-policy\"].", Map(Box::new(Scalar("string"))))),
        from(Role, nested("role", "ROLE.", Record(vec![
            f("role", "string", "master, slave or sentinel"),
            f("offset", "int", "replication offset"),
            f("primary", "string", "replica: host:port of its primary"),
            f("link_state", "string", "replica: connect, connecting, sync or connected"),
            nested("replicas", "primary: replicas and their acknowledged offsets", List(Box::new(Record(vec![
                f("addr", "string", "host:port"),
                f("offset", "int", "acknowledged offset"),
            ])))),
        ]))),
        from(Slowlog, nested("slowlog", "SLOWLOG GET 128.", Record(vec![
            nested("entries", "the entries, newest first", List(Box::new(Record(vec![
                f("id", "int", "entry id"),
                f("timestamp", "int", "unix time"),
                f("duration_us", "int", "execution time, µs"),
                f("command", "string", "lower-case command name"),
                nested("args", "first arguments, truncated; none for secret-bearing commands", List(Box::new(Scalar("string")))),
                f("client_addr", "string", "client address"),
                f("client_name", "string", "client name"),
            ])))),
            f("count", "int", "number of entries read"),
            f("max_duration_us", "int", "slowest entry, µs; 0 when empty"),
            f("slowest_command", "string", "command of the slowest entry"),
        ]))),
        from(ClientList, nested("clients", "One CLIENT LIST, summed up: with 10,000 clients a per-client list costs more than the whole diagnosis should.", Record(vec![
            f("count", "int", "number of clients"),
            f("idle_over_300s", "int", "clients idle for more than 5 minutes"),
            f("total_omem", "int", "sum of output buffers, bytes"),
            f("total_mem", "int", "sum of the clients' total memory (tot-mem), bytes"),
            f("max_omem", "int", "largest output buffer of one client, bytes"),
            f("total_qbuf", "int", "sum of query buffers, bytes"),
            f("blocked", "int", "clients blocked in BLPOP, XREAD BLOCK, WAIT, ... (flag b)"),
            f("pubsub", "int", "clients in subscribe mode (flag P)"),
            nested("idle", "every client's idle seconds, largest first: clients.idle.filter(i, i > 300).size()", List(Box::new(Scalar("int")))),
            nested("by_ip", "clients per source IP address", Map(Box::new(Scalar("int")))),
            nested("by_name", "clients per CLIENT SETNAME name (\"\" for unnamed)", Map(Box::new(Scalar("int")))),
            nested("by_user", "clients per ACL user", Map(Box::new(Scalar("int")))),
            nested("by_cmd", "clients per last command", Map(Box::new(Scalar("int")))),
            nested("top_omem", "the 10 clients with the largest output buffers", List(Box::new(Record(vec![
                f("id", "int", "client id"),
                f("addr", "string", "address"),
                f("name", "string", "CLIENT SETNAME name"),
                f("age", "int", "seconds connected"),
                f("idle", "int", "seconds since last command"),
                f("flags", "string", "CLIENT LIST flags (N normal, S replica, M primary, P pubsub, b blocked...)"),
                f("db", "int", "selected database"),
                f("cmd", "string", "last command"),
                f("user", "string", "ACL user"),
                f("omem", "int", "output buffer bytes"),
                f("tot_mem", "int", "total client memory bytes"),
                f("qbuf", "int", "query buffer bytes"),
                f("lib_name", "string", "client library (Redis 7.2+), empty before"),
                f("lib_ver", "string", "client library version (Redis 7.2+)"),
                f("oll", "int", "replies queued in the output list"),
                f("laddr", "string", "server address the client connected to"),
                f("fd", "int", "file descriptor"),
                f("sub", "int", "channel subscriptions"),
                f("psub", "int", "pattern subscriptions"),
                f("ssub", "int", "shard channel subscriptions (Redis 7+)"),
                f("multi", "int", "commands queued in MULTI; -1 outside one"),
                f("qbuf_free", "int", "free query buffer bytes"),
                f("argv_mem", "int", "memory of the arguments of the next command"),
                f("obl", "int", "output buffer length, bytes"),
                f("events", "string", "r, w or rw"),
                f("resp", "int", "RESP version (Redis 7+)"),
            ])))),
        ]))),
        from(Latency, nested("latency", "LATENCY LATEST.", Record(vec![
            nested("events", "latency monitor events", List(Box::new(Record(vec![
                f("event", "string", "command, fast-command, fork, aof-fsync-always, ..."),
                f("timestamp", "int", "unix time of the latest spike"),
                f("latest_ms", "int", "latest spike, ms"),
                f("max_ms", "int", "largest spike, ms"),
            ])))),
            f("max_ms", "int", "largest spike of any event; 0 when none"),
        ]))),
        from(MemoryStats, nested("memory", "MEMORY STATS highlights (0 when the server does not report a field).", Record(
            super::memory::STATS.iter().map(|(_, name, ty, doc)| f(name, ty, doc)).collect(),
        ))),
        from(MemoryDoctor, nested("memory_doctor", "MEMORY DOCTOR.", Record(vec![
            f("text", "string", "the server's own advice about its memory"),
        ]))),
        from(KeyScan, nested("keyspace_scan", "With `cachectl memory --keys`: the scan of the keyspace, summed up (absent otherwise: checks reading it do not apply).", Record(vec![
            f("scanned_keys", "int", "keys scanned"),
            f("total_keys", "int", "keys in the database (DBSIZE), or the estimate when sampled"),
            f("total_bytes", "int", "MEMORY USAGE summed over the scanned keys (the estimate when sampled)"),
            f("partial", "bool", "the scan was interrupted (Ctrl-C, deadline) before the end"),
            f("stopped_because", "string", "why a partial scan or dump read stopped; empty when it did not"),
            f("source", "string", "scan (the live server) or rdb (a dump: total_keys are the keys read)"),
            f("sampled", "bool", "--sample: a part of the keyspace, with estimates"),
            f("no_ttl_keys", "int", "scanned keys without a TTL"),
            f("no_ttl_bytes_share", "double", "share of the scanned bytes in keys without a TTL, 0-1"),
            f("big_key_count", "int", "keys over the runbook's big-key thresholds"),
            nested("patterns", "the 50 patterns holding the most bytes", List(Box::new(Record(vec![
                f("pattern", "string", "the key pattern (ids, numbers, UUIDs, hashes, IPs, dates collapsed to *), escaped"),
                f("keys", "int", "keys"),
                f("bytes", "int", "bytes (MEMORY USAGE)"),
                f("share", "double", "share of the scanned bytes, 0-1"),
                f("no_ttl_keys", "int", "keys without a TTL"),
                f("no_ttl_share", "double", "share of its keys without a TTL, 0-1"),
            ])))),
            nested("big_keys", "the largest keys over the big-key thresholds", List(Box::new(Record(vec![
                f("key", "string", "the key, escaped"),
                f("type", "string", "string, list, hash, set, zset, stream, ..."),
                f("bytes", "int", "bytes (MEMORY USAGE)"),
                f("elements", "int", "members, fields or elements; the length for strings"),
                f("ttl", "int", "seconds to live; -1 without a TTL"),
            ])))),
        ]))),
        from(HotKeys, nested("hot_keys", "With `cachectl hotkeys`: the keys read and written most on each node (absent otherwise).", Record(vec![
            f("measured", "bool", "every node was measured by some method (HOTKEYS, OBJECT FREQ, MONITOR)"),
            nested("unmeasured", "the nodes no method measured, each `addr (why)`", List(Box::new(Scalar("string")))),
            nested("capped", "the nodes whose sample ended early, each `addr (why)`", List(Box::new(Scalar("string")))),
            nested("keys", "the hottest keys, hottest first", List(Box::new(Record(vec![
                f("key", "string", "the key, escaped"),
                f("node", "string", "host:port"),
                f("share", "double", "its part of what its node measured (commands, CPU time or frequency), 0-1"),
                f("method", "string", "hotkeys, object-freq or monitor"),
                f("pattern", "string", "its key pattern"),
                f("reads", "int", "commands reading it (MONITOR); null otherwise"),
                f("writes", "int", "commands writing it (MONITOR); null otherwise"),
            ])))),
        ]))),
        from(Sentinel, nested("sentinel", "A target reached through its Sentinels (--sentinel, redis+sentinel://): what they say, asked all at once (absent otherwise).", Record(vec![
            f("master", "string", "the master's name"),
            f("asked", "string", "the Sentinel (host:port) the facts come from: the first that answered, else the first given"),
            f("asked_host", "string", "its host"),
            f("asked_port", "int", "its port"),
            f("sentinels", "int", "Sentinels given"),
            f("expected", "int", "Sentinels there should be: those given, or as many as the answering ones know of, whichever is more"),
            f("reachable", "int", "Sentinels that answered and watch the master"),
            f("majority", "bool", "more than half of `expected` answered: only then can they authorise a failover, or be taken for the topology's view"),
            nested("unreachable", "Sentinels that did not answer, each `addr: why`", List(Box::new(Scalar("string")))),
            nested("unaware", "Sentinels that answered but watch no master of that name", List(Box::new(Scalar("string")))),
            nested("known_masters", "the masters the unaware Sentinels do watch", List(Box::new(Scalar("string")))),
            f("known_sentinels", "int", "Sentinels the answering ones know of, themselves included (the most of SENTINEL MASTER num-other-sentinels + 1)"),
            f("quorum", "int", "the quorum configured"),
            f("quorum_ok", "bool", "a majority answered and every answering Sentinel said OK to SENTINEL CKQUORUM"),
            f("ckquorum", "string", "the first refusal (NOQUORUM ...), the OK text, or why a minority cannot authorise"),
            nested("primaries", "the distinct primaries the Sentinels name", List(Box::new(Scalar("string")))),
            nested("named_by", "each primary named, and the Sentinels naming it", List(Box::new(Record(vec![
                f("primary", "string", "host:port"),
                nested("sentinels", "the Sentinels naming it", List(Box::new(Scalar("string")))),
            ])))),
            f("agree", "bool", "every answering Sentinel names the same primary"),
            f("primary", "string", "the primary a strict majority of the answering Sentinels name; empty when none is (no node is then connected to)"),
            f("primary_votes", "int", "how many Sentinels name the most-named primary"),
            nested("claimants", "nodes whose own ROLE (or INFO) says master", List(Box::new(Scalar("string")))),
            f("primary_down", "bool", "the Sentinels flag the primary s_down or o_down"),
            f("failover_in_progress", "bool", "a failover is under way"),
            f("down_after_ms", "int", "down-after-milliseconds"),
            f("failover_timeout_ms", "int", "failover-timeout, ms"),
            f("parallel_syncs", "int", "parallel-syncs"),
            nested("replicas", "the replicas the Sentinels know", List(Box::new(Record(vec![
                f("addr", "string", "host:port"),
                f("flags", "string", "the Sentinels' flags (slave, s_down, o_down, disconnected, ...)"),
                f("down", "bool", "flagged s_down, o_down or disconnected"),
                f("link_ok", "bool", "its link to the primary is up"),
                f("offset", "int", "replication offset the Sentinel last saw"),
                f("priority", "int", "replica-priority (0: never promoted)"),
                f("lag_bytes", "int", "the primary's offset minus the replica's own, from INFO on both; -1 when either did not answer"),
            ])))),
        ]))),
        from(Cluster, nested("cluster", "A Redis Cluster target (recognised from cluster_enabled, or --cluster): CLUSTER INFO and NODES from every node, each node's own view, with every primary's keys and memory (absent otherwise).", Record(vec![
            f("asked", "string", "the node named (host:port): the slots_* counts, nodes and replicas are its view"),
            f("asked_host", "string", "its host"),
            f("asked_port", "int", "its port"),
            f("state", "string", "ok when every node that answered says cluster_state:ok; fail when any says otherwise"),
            nested("failing", "each node whose own cluster_state is not ok, and how many slots it sees ok", List(Box::new(Scalar("string")))),
            f("slots_assigned", "int", "cluster_slots_assigned"),
            f("slots_ok", "int", "cluster_slots_ok"),
            f("slots_pfail", "int", "cluster_slots_pfail"),
            f("slots_fail", "int", "cluster_slots_fail"),
            f("known_nodes", "int", "cluster_known_nodes"),
            f("size", "int", "cluster_size: primaries serving slots"),
            f("slots_uncovered", "int", "slots no primary serves (of 16384), as the node that sees the most unserved"),
            nested("uncovered_by", "each node that sees slots unassigned, how many and which", List(Box::new(Scalar("string")))),
            f("split_slots", "int", "slots whose owner the nodes' views disagree on"),
            nested("slot_splits", "runs of slots the views disagree on, each naming what each node believes owns them (the first 10)", List(Box::new(Scalar("string")))),
            f("primaries", "int", "primaries listed"),
            f("replicas", "int", "replicas listed"),
            nested("failed", "nodes any node flags fail", List(Box::new(Scalar("string")))),
            nested("failed_by", "each failed node and the nodes that flag it", List(Box::new(Scalar("string")))),
            nested("fail_splits", "failed nodes that some views flag fail and others do not, naming both", List(Box::new(Scalar("string")))),
            nested("views", "each node's own view", List(Box::new(Record(vec![
                f("node", "string", "host:port"),
                f("state", "string", "its cluster_state; empty when it did not answer"),
                f("slots_ok", "int", "its cluster_slots_ok"),
                f("epoch", "int", "its cluster_current_epoch"),
                f("error", "string", "why its view could not be read; empty when it was"),
            ])))),
            nested("unanswered", "nodes whose view could not be read, each `addr: why`", List(Box::new(Scalar("string")))),
            nested("pfail", "nodes the node named flags fail? (suspected: its own view)", List(Box::new(Scalar("string")))),
            nested("primaries_without_replicas", "primaries serving slots with no working replica", List(Box::new(Scalar("string")))),
            f("migrating_slots", "int", "slots being migrated or imported"),
            nested("nodes", "every node CLUSTER NODES lists", List(Box::new(Record(vec![
                f("addr", "string", "host:port"),
                f("id", "string", "node id"),
                f("role", "string", "primary, replica or unknown"),
                f("flags", "string", "flags as listed (myself, master, slave, fail, fail?, ...)"),
                f("slots", "int", "slots served"),
                f("primary", "string", "a replica's primary, host:port"),
                f("link", "string", "connected or disconnected"),
            ])))),
            f("keys_max", "int", "most keys on one primary"),
            f("keys_min", "int", "fewest keys on one primary"),
            f("keys_skew", "double", "keys_max / keys_min; 0 when a primary has none or did not answer"),
            f("memory_max", "int", "most used_memory on one primary, bytes"),
            f("memory_min", "int", "least used_memory on one primary, bytes"),
            f("memory_skew", "double", "memory_max / memory_min; 0 when unknown"),
        ]))),
        from(Ping, nested("ping", "Client-side round trips of a short PING burst.", Record(vec![
            f("samples", "int", "number of PINGs"),
            f("min_ms", "double", "fastest, ms"),
            f("avg_ms", "double", "mean, ms"),
            f("p90_ms", "double", "90th percentile, ms"),
            f("p99_ms", "double", "99th percentile, ms"),
            f("max_ms", "double", "slowest, ms"),
            f("tail", "string", "the percentile judged: p99 from 100 samples, p90 below (a p99 of fewer is the slowest alone)"),
            f("tail_ms", "double", "that percentile, ms"),
        ]))),
        from(Bookkeeping, nested("unavailable", "Facts that could not be collected, by root: unavailable.config.kind is noperm, disabled, timeout, connection_lost, error, malformed, too_large or not_connected.", Map(Box::new(Record(vec![
            f("command", "string", "the Redis command that failed"),
            f("kind", "string", "noperm, disabled, timeout, connection_lost, error, malformed, too_large, not_connected"),
            f("detail", "string", "the error as reported"),
        ]))))),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_unique_and_info_fields_load() {
        let mut names: Vec<_> = roots().iter().map(|r| r.name.as_ref()).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
        assert!(info_fields().contains(&"used_memory"));
        assert!(info_fields().contains(&"maxmemory_policy"));
        assert!(!info_fields().contains(&"cmdstat_get"));
    }
}
