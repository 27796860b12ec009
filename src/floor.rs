//! The safety floor of a command: how risky it is whatever a runbook's label
//! says. Runbooks are checked against it when they load (a lower label is an
//! error), and every operation is raised to it before anyone decides; the
//! server's own word (COMMAND INFO flags and ACL categories) can only raise
//! it further.

use crate::model::Safety;

/// Commands (or `command subcommand`) and the least risky label they may
/// carry. Anything that loses data, connections or a primary is
/// destructive; anything that changes behaviour is at least unsafe.
const FLOORS: &[(&str, Safety)] = &[
    ("flushall", Safety::Destructive),
    ("flushdb", Safety::Destructive),
    ("del", Safety::Destructive),
    ("unlink", Safety::Destructive),
    ("client kill", Safety::Destructive),
    ("shutdown", Safety::Destructive),
    ("debug", Safety::Destructive),
    ("script flush", Safety::Destructive),
    ("function flush", Safety::Destructive),
    ("function delete", Safety::Destructive),
    ("function restore", Safety::Destructive),
    ("config rewrite", Safety::Destructive),
    ("replicaof", Safety::Destructive),
    ("slaveof", Safety::Destructive),
    ("failover", Safety::Destructive),
    ("cluster failover", Safety::Destructive),
    ("cluster reset", Safety::Destructive),
    ("cluster forget", Safety::Destructive),
    ("cluster delslots", Safety::Destructive),
    ("cluster delslotsrange", Safety::Destructive),
    ("cluster flushslots", Safety::Destructive),
    ("sentinel failover", Safety::Destructive),
    ("sentinel reset", Safety::Destructive),
    ("sentinel remove", Safety::Destructive),
    ("swapdb", Safety::Destructive),
    ("migrate", Safety::Destructive),
    ("move", Safety::Destructive),
    ("restore", Safety::Destructive),
    ("acl deluser", Safety::Destructive),
    ("config set", Safety::Unsafe),
    // Evidence is not free: these erase what findings read (errorstats,
    // hit and miss counters, rejected connections; the slow log; latency
    // events), and the postmortem with them. (ACL LOG RESET too: `of`.)
    ("config resetstat", Safety::Unsafe),
    ("slowlog reset", Safety::Unsafe),
    ("latency reset", Safety::Unsafe),
    ("acl setuser", Safety::Unsafe),
    ("acl load", Safety::Unsafe),
    ("client pause", Safety::Unsafe),
    ("client unpause", Safety::Unsafe),
    ("client no-evict", Safety::Unsafe),
    ("script kill", Safety::Unsafe),
    ("function kill", Safety::Unsafe),
    ("bgsave", Safety::Unsafe),
    ("bgrewriteaof", Safety::Unsafe),
    ("save", Safety::Unsafe),
    ("keys", Safety::Unsafe),
    ("monitor", Safety::Unsafe),
    ("sentinel set", Safety::Unsafe),
    ("module load", Safety::Unsafe),
    ("module unload", Safety::Destructive),
];

/// Commands whose first argument is a subcommand: their verb is both
/// words (`CONFIG GET`, `CLIENT KILL`).
const CONTAINERS: &[&str] = &[
    "ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DEBUG", "FUNCTION", "HOTKEYS", "LATENCY",
    "MEMORY", "MODULE", "OBJECT", "PUBSUB", "SCRIPT", "SENTINEL", "SLOWLOG", "XINFO",
];

/// What cachectl sends outside the mutation path: commands that only read
/// (and the connection's own set-up). Every other command writes, or may:
/// it is sent only with a consent (`mutate::Consent`), through the
/// mutation path, and `target::connect::Session`'s read path refuses it.
const READS: &[&str] = &[
    "PING",
    "ECHO",
    "INFO",
    "ROLE",
    "TIME",
    "LASTSAVE",
    "DBSIZE",
    "SCAN",
    "TYPE",
    "PTTL",
    "TTL",
    "EXISTS",
    "DUMP",
    "STRLEN",
    "HLEN",
    "LLEN",
    "SCARD",
    "ZCARD",
    "XLEN",
    "SELECT",
    "READONLY",
    "ACL DRYRUN",
    "ACL WHOAMI",
    "CLIENT GETNAME",
    "CLIENT ID",
    "CLIENT INFO",
    "CLIENT LIST",
    "CLIENT SETNAME",
    // The client library names itself on connecting (Redis 7.2+).
    "CLIENT SETINFO",
    "CLUSTER INFO",
    "CLUSTER MYID",
    "CLUSTER NODES",
    "CLUSTER SHARDS",
    "CLUSTER SLOTS",
    "CLUSTER SLOT-STATS",
    "CLUSTER GETKEYSINSLOT",
    // The whole command table: which arguments are keys (hotkeys).
    "COMMAND",
    "COMMAND COUNT",
    "COMMAND DOCS",
    "COMMAND INFO",
    "CONFIG GET",
    // Redis 8.6's key tracking (hotkeys): it counts, it changes no data.
    "HOTKEYS GET",
    "HOTKEYS RESET",
    "HOTKEYS START",
    "HOTKEYS STOP",
    "LATENCY DOCTOR",
    "LATENCY HISTORY",
    "LATENCY LATEST",
    "MEMORY DOCTOR",
    "MEMORY STATS",
    "MEMORY USAGE",
    "OBJECT ENCODING",
    "OBJECT FREQ",
    "OBJECT IDLETIME",
    "SENTINEL CKQUORUM",
    "SENTINEL GET-MASTER-ADDR-BY-NAME",
    "SENTINEL MASTER",
    "SENTINEL MASTERS",
    "SENTINEL MYID",
    "SENTINEL REPLICAS",
    "SENTINEL SENTINELS",
    "SENTINEL SLAVES",
    "SLOWLOG GET",
    "SLOWLOG LEN",
];

/// The verb of a command as the mutation path names it: the command's name
/// in upper case, with the subcommand for a container (`CONFIG SET`).
pub fn verb<A: AsRef<[u8]>>(args: &[A]) -> String {
    let word = |i: usize| {
        args.get(i)
            .map(|a| String::from_utf8_lossy(a.as_ref()).to_ascii_uppercase())
            .unwrap_or_default()
    };
    let name = word(0);
    if CONTAINERS.contains(&name.as_str()) && args.len() > 1 {
        format!("{name} {}", word(1))
    } else {
        name
    }
}

/// Whether a verb only reads (see `READS`).
pub fn is_read(verb: &str) -> bool {
    READS.contains(&verb)
}

/// CONFIG SET parameters that only change what Redis records about itself:
/// setting them changes nothing an application sees.
const OBSERVABILITY_PARAMS: &[&str] = &[
    "latency-monitor-threshold",
    "slowlog-log-slower-than",
    "slowlog-max-len",
    "latency-tracking",
];

/// The floor of one command from the built-in list: `Safe` when the list
/// does not know it (the server may still raise it).
pub fn of(argv: &[String]) -> Safety {
    let name = argv
        .first()
        .map(|a| a.to_ascii_lowercase())
        .unwrap_or_default();
    let pair = argv
        .get(1)
        .map(|s| format!("{name} {}", s.to_ascii_lowercase()))
        .unwrap_or_default();
    if pair == "acl log" && argv.get(2).is_some_and(|a| a.eq_ignore_ascii_case("reset")) {
        return Safety::Unsafe;
    }
    if pair == "config set"
        && argv.len() == 4
        && OBSERVABILITY_PARAMS.contains(&argv[2].to_ascii_lowercase().as_str())
    {
        return Safety::Safe;
    }
    FLOORS
        .iter()
        .filter(|(cmd, _)| *cmd == name || *cmd == pair)
        .map(|(_, s)| *s)
        .max()
        .unwrap_or(Safety::Safe)
}

/// The floor the server itself gives: a write is at least unsafe, a write
/// in the `@dangerous` category destructive.
pub fn from_server(flags: &[String], categories: &[String]) -> Safety {
    let writes = flags.iter().any(|f| f == "write");
    let dangerous = categories.iter().any(|c| c == "@dangerous");
    match (writes, dangerous) {
        (true, true) => Safety::Destructive,
        (true, false) => Safety::Unsafe,
        _ => Safety::Safe,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn floors_by_command_and_subcommand() {
        assert_eq!(of(&argv("FLUSHALL")), Safety::Destructive);
        assert_eq!(of(&argv("flushdb ASYNC")), Safety::Destructive);
        assert_eq!(of(&argv("CLIENT KILL ID 5")), Safety::Destructive);
        assert_eq!(of(&argv("CLIENT LIST")), Safety::Safe);
        assert_eq!(of(&argv("CONFIG SET maxmemory 1gb")), Safety::Unsafe);
        assert_eq!(
            of(&argv("CONFIG SET latency-monitor-threshold 100")),
            Safety::Safe
        );
        assert_eq!(
            of(&argv(
                "CONFIG SET latency-monitor-threshold 100 maxmemory 1"
            )),
            Safety::Unsafe
        );
        assert_eq!(of(&argv("CONFIG REWRITE")), Safety::Destructive);
        assert_eq!(of(&argv("CONFIG RESETSTAT")), Safety::Unsafe);
        assert_eq!(of(&argv("SLOWLOG RESET")), Safety::Unsafe);
        assert_eq!(of(&argv("latency reset")), Safety::Unsafe);
        assert_eq!(of(&argv("SLOWLOG GET 10")), Safety::Safe);
        assert_eq!(of(&argv("ACL LOG RESET")), Safety::Unsafe);
        assert_eq!(of(&argv("ACL LOG 10")), Safety::Safe);
        assert_eq!(
            from_server(&argv("write"), &argv("@keyspace @write @slow @dangerous")),
            Safety::Destructive
        );
        assert_eq!(
            from_server(&argv("write denyoom"), &argv("@write")),
            Safety::Unsafe
        );
        assert_eq!(
            from_server(&argv("admin"), &argv("@admin @dangerous")),
            Safety::Safe
        );
    }
}

/// Words in an application action's path that say it loses data or
/// service: clearing a cache, restarting a service.
const DESTRUCTIVE_ACTIONS: &[&str] = &[
    "clear",
    "flush",
    "purge",
    "restart",
    "delete",
    "drop",
    "wipe",
    "kill",
    "evict",
    "reset-all",
];

/// The floor of a request to the application: any write changes it
/// (unsafe); DELETE, and a path that clears, flushes, purges or restarts,
/// lose data or service (destructive).
pub fn of_request(method: &str, path: &str) -> Safety {
    let method = method.to_ascii_uppercase();
    if method == "DELETE" {
        return Safety::Destructive;
    }
    let lower = path.to_ascii_lowercase();
    let words = lower.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'));
    let destructive = words
        .flat_map(|w| std::iter::once(w).chain(w.split('-')))
        .any(|w| DESTRUCTIVE_ACTIONS.contains(&w));
    if destructive {
        Safety::Destructive
    } else if matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS") {
        Safety::Safe
    } else {
        Safety::Unsafe
    }
}

#[cfg(test)]
mod request_tests {
    use super::*;

    #[test]
    fn requests_that_clear_or_restart_are_destructive_other_writes_unsafe() {
        assert_eq!(
            of_request("POST", "/internal/cache/clear"),
            Safety::Destructive
        );
        assert_eq!(
            of_request("POST", "/internal/cache/restart"),
            Safety::Destructive
        );
        assert_eq!(
            of_request("DELETE", "/internal/cache/entries/x"),
            Safety::Destructive
        );
        assert_eq!(
            of_request("post", "/internal/cache/flush-all"),
            Safety::Destructive
        );
        assert_eq!(of_request("POST", "/internal/cache/gc"), Safety::Unsafe);
        assert_eq!(
            of_request("POST", "/internal/cache/reset-config"),
            Safety::Unsafe
        );
        assert_eq!(
            of_request("POST", "/internal/cache/apply-preset"),
            Safety::Unsafe
        );
        // Words, not substrings: "nuclear" holds "clear".
        assert_eq!(
            of_request("POST", "/internal/nuclear/status"),
            Safety::Unsafe
        );
    }
}
