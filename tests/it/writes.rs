//! One write path: nothing reaches Redis that writes unless it went through
//! the mutation path (consent, audit record). Observed on the servers
//! themselves with INFO commandstats, which counts every command, the
//! administrative ones MONITOR hides (CONFIG SET, CLIENT KILL, SLOWLOG
//! RESET) included.

use std::collections::{BTreeMap, BTreeSet};

use crate::harness::*;

/// Commands the server ran since its stats were last reset, by verb
/// (`CONFIG GET`), as cachectl's floor names them.
fn commands_run(server: &RedisServer) -> BTreeMap<String, u64> {
    commands_sent(server, &[])
}

/// `commands_run`, where for the verbs `replicated` (a read-only
/// replica's: its primary's writes, which it applies through its link)
/// only the calls it refused or failed count: a client's write to a
/// read-only replica is refused (READONLY), so an applied one came from
/// its primary, however late its link delivered it.
fn commands_sent(server: &RedisServer, replicated: &[&str]) -> BTreeMap<String, u64> {
    server
        .cmd_text(&["INFO", "commandstats"])
        .lines()
        .filter_map(|l| l.strip_prefix("cmdstat_"))
        .filter_map(|l| {
            let (name, stats) = l.split_once(':')?;
            let words: Vec<&str> = name.split('|').collect();
            let verb = cachectl::floor::verb(&words);
            let applied = !replicated.contains(&verb.as_str());
            // Sent is sent: calls the server refused count too.
            let calls = stats
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .filter(|(k, _)| {
                    matches!(*k, "rejected_calls" | "failed_calls") || (*k == "calls" && applied)
                })
                .filter_map(|(_, v)| v.parse::<u64>().ok())
                .sum::<u64>();
            Some((verb, calls))
        })
        .collect()
}

/// The writes among what the server ran, but the test's own reset and
/// the servers' replication traffic with each other. (Before Redis 7.0,
/// commandstats counts a container's subcommands together, `CONFIG` for
/// CONFIG GET and SET alike: those tell nothing there, and the 7.0+ runs of
/// the matrix check them.)
fn writes_run(server: &RedisServer) -> BTreeMap<String, u64> {
    writes_in(commands_run(server))
}

/// The writes among these commands (as `writes_run`).
fn writes_in(commands: BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    commands
        .into_iter()
        .filter(|(verb, _)| {
            !matches!(
                verb.as_str(),
                "CONFIG RESETSTAT" | "REPLCONF" | "PSYNC" | "SYNC"
            ) && !cachectl::floor::is_read(verb)
                && !matches!(
                    verb.as_str(),
                    "CONFIG"
                        | "CLIENT"
                        | "CLUSTER"
                        | "COMMAND"
                        | "MEMORY"
                        | "SLOWLOG"
                        | "LATENCY"
                        | "OBJECT"
                        | "ACL"
                        | "SENTINEL"
                )
        })
        .collect()
}

fn reset(servers: &[&RedisServer]) {
    for s in servers {
        s.cmd(&["CONFIG", "RESETSTAT"]);
    }
}

/// The verbs the run's audit records cover.
fn audited_verbs(audit: &std::path::Path) -> BTreeSet<String> {
    if !audit.exists() {
        return BTreeSet::new();
    }
    audit_records(audit)
        .iter()
        .flat_map(|r| {
            r["verbs"]
                .as_array()
                .unwrap_or_else(|| panic!("an audit record without verbs: {r:#}"))
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn cachectl(args: &[&str], audit: &std::path::Path) -> Run {
    Cachectl::new()
        .args(args)
        .arg("--audit-log")
        .arg(audit)
        .run()
}

#[test]
fn reads_and_dry_runs_send_nothing_that_writes() {
    let primary = RedisServer::start();
    let replica = replica_of(&primary, ServerOptions::default());
    let source = RedisServer::start();
    for i in 0..50 {
        primary.cmd(&["SET", &format!("session:{i}"), "x"]);
        source.cmd(&["SET", &format!("product:{i}"), "y"]);
    }
    // The replica has applied the seeding before its stats are reset:
    // else the replicated SETs land after the reset and count as writes.
    assert_eq!(
        primary.cmd(&["WAIT", "1", "5000"]),
        redis::Value::Int(1),
        "the replica did not acknowledge the seeding"
    );
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records.jsonl");
    std::fs::write(&records, "{\"key\": \"warm:1\", \"value\": \"v\"}\n").unwrap();
    let records = records.to_str().unwrap();
    let url = primary.url();
    let runs: Vec<Vec<&str>> = vec![
        vec!["diagnose", "--url", &url],
        vec!["diagnose", "--url", &url, "--fix", "--dry-run"],
        vec!["memory", "--keys", "--url", &url],
        vec!["clients", "--url", &url],
        vec!["slowlog", "--url", &url],
        vec!["latency", "--count", "3", "--url", &url],
        vec!["watch", "--count", "3", "--every", "200ms", "--url", &url],
        vec![
            "flush",
            "--pattern",
            "session:*",
            "--no-ttl",
            "--idle",
            "1s",
            "--bytes",
            "--dry-run",
            "--url",
            &url,
        ],
        vec![
            "clients",
            "kill",
            "--idle",
            "1s",
            "--dry-run",
            "--url",
            &url,
        ],
        vec!["warm", "--file", records, "--dry-run", "--url", &url],
        vec!["failover", "--dry-run", "--url", &url],
    ];
    let source_url = source.url();
    let mut all = runs;
    all.push(vec![
        "warm",
        "--from",
        &source_url,
        "--pattern",
        "product:*",
        "--dry-run",
        "--url",
        &url,
    ]);
    for args in all {
        reset(&[&primary, &replica, &source]);
        let run = Cachectl::new().args(&args).run();
        assert!(
            run.code() <= 2 || args.contains(&"--dry-run"),
            "`cachectl {}`: {}",
            args.join(" "),
            run.all_output()
        );
        assert!(!run.stderr().contains("error:"), "{}", run.stderr());
        for (name, server) in [
            ("primary", &primary),
            ("replica", &replica),
            ("source", &source),
        ] {
            // The replica applies the primary's seeding SETs through its
            // link, sometimes after the reset: those are not cachectl's.
            let replicated: &[&str] = if name == "replica" { &["SET"] } else { &[] };
            let writes = writes_in(commands_sent(server, replicated));
            assert!(
                writes.is_empty(),
                "`cachectl {}` sent writes to the {name}: {writes:?}",
                args.join(" ")
            );
        }
        // The observation works: the primary was read.
        assert!(
            commands_run(&primary).contains_key("PING"),
            "`cachectl {}`: {:?}",
            args.join(" "),
            commands_run(&primary)
        );
    }
}

#[test]
fn every_write_sent_is_one_the_audit_log_names() {
    let primary = RedisServer::start();
    let replica = replica_of(&primary, ServerOptions::default());
    let source = RedisServer::start();
    for i in 0..50 {
        primary.cmd(&["SET", &format!("session:{i}"), "x"]);
        source.cmd(&["SET", &format!("product:{i}"), "y"]);
    }
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records.jsonl");
    std::fs::write(
        &records,
        "{\"key\": \"warm:1\", \"value\": {\"f\": \"v\"}, \"type\": \"hash\", \"ttl\": 60}\n",
    )
    .unwrap();
    let records = records.to_str().unwrap();
    let url = primary.url();
    let node = format!("127.0.0.1:{}", primary.port);
    // A client for `clients kill` to end.
    let mut victim = primary.client();
    redis::cmd("CLIENT")
        .arg("SETNAME")
        .arg("victim-19")
        .query::<()>(&mut victim)
        .unwrap();
    let source_url = source.url();
    let runs: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "flush",
                "--pattern",
                "session:*",
                "--yes",
                "--confirm-destructive",
                &node,
                "--url",
                &url,
            ],
            "UNLINK",
        ),
        (
            vec!["warm", "--file", records, "--yes", "--url", &url],
            "HSET",
        ),
        (
            vec![
                "warm",
                "--from",
                &source_url,
                "--pattern",
                "product:*",
                "--yes",
                "--url",
                &url,
            ],
            "RESTORE",
        ),
        (
            vec![
                "clients",
                "kill",
                "--name",
                "victim-19",
                "--yes",
                "--confirm-destructive",
                &node,
                "--url",
                &url,
            ],
            "CLIENT KILL",
        ),
        (
            vec!["diagnose", "--fix", "--yes", "--url", &url],
            "CONFIG SET",
        ),
    ];
    for (args, expected) in runs {
        reset(&[&primary, &replica, &source]);
        let audit = dir
            .path()
            .join(format!("audit-{}.jsonl", expected.replace(' ', "-")));
        let run = cachectl(&args, &audit);
        assert!(run.code() <= 2, "{}", run.all_output());
        let audited = audited_verbs(&audit);
        let writes = writes_run(&primary);
        // (Before 7.0 a subcommand is counted under its container's name.)
        let seen = commands_run(&primary);
        let container = expected.split(' ').next().unwrap();
        assert!(
            writes.contains_key(expected)
                || (server_build().redis_compatible() < (7, 0) && seen.contains_key(container)),
            "`cachectl {}` sent no {expected}: {writes:?}\n{}",
            args.join(" "),
            run.all_output()
        );
        for verb in writes.keys() {
            assert!(
                audited.contains(verb),
                "`cachectl {}` sent {verb} without an audit record naming it (audited: {audited:?})",
                args.join(" ")
            );
        }
        assert_eq!(
            writes_run(&source),
            BTreeMap::new(),
            "the source was written to"
        );
    }

    // A failover: its steps and its probe writes, on both nodes, once the
    // replica has applied everything before (or it would count it now).
    wait_until("the replica has caught up", || {
        primary.info_field("master_repl_offset") == replica.info_field("slave_repl_offset")
    });
    reset(&[&primary, &replica]);
    let audit = dir.path().join("audit-failover.jsonl");
    let run = cachectl(
        &[
            "failover",
            "-o",
            "json",
            "--yes",
            "--confirm-destructive",
            &node,
            "--wait",
            "20s",
            "--url",
            &url,
        ],
        &audit,
    );
    assert_eq!(run.code(), 0, "{}", run.all_output());
    let audited = audited_verbs(&audit);
    let mut sent = BTreeSet::new();
    for server in [&primary, &replica] {
        sent.extend(writes_run(server).into_keys());
    }
    // (A replica counts what it applies from its primary too: the probe's
    // writes on the new primary reach the old one that way.)
    assert!(
        sent.contains("FAILOVER") || sent.contains("REPLICAOF"),
        "{sent:?}"
    );
    let probes = run.json()["failover"]["timeline"]["probe_writes"]
        .as_u64()
        .unwrap();
    // A probe held by FAILOVER's pause and dropped at its time limit never
    // runs; one that ran was counted.
    assert!(
        !sent.contains("SET") || probes > 0,
        "{sent:?}, {probes} probes"
    );
    for verb in &sent {
        assert!(
            audited.contains(verb),
            "failover sent {verb} without an audit record naming it (audited: {audited:?})"
        );
    }
    // The probe's writes are one record before the watch and one after,
    // with their count.
    let records = audit_records(&audit);
    let probe: Vec<_> = records
        .iter()
        .filter(|r| {
            r["command"]
                .as_str()
                .unwrap()
                .starts_with("SET cachectl:failover:probe")
        })
        .collect();
    assert_eq!(probe.len(), 2, "{records:#?}");
    assert_eq!(probe[0]["phase"], "attempt");
    assert!(
        probe[1]["result"]
            .as_str()
            .unwrap()
            .contains("probe writes sent"),
        "{:#}",
        probe[1]
    );
    drop(victim);
}

#[test]
fn only_the_mutation_path_can_make_a_consent() {
    // `Consented` is sealed: the seal is implemented in src/mutate/ alone.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                if text.contains("sealed::Sealed for") {
                    found.push(path.strip_prefix(&root).unwrap().display().to_string());
                }
            }
        }
    }
    assert_eq!(found, vec!["mutate/mod.rs".to_string()]);
}

#[test]
fn the_preflight_checks_the_verbs_that_are_sent_on_the_node_that_receives_them() {
    if !server_has((7, 0), "ACL DRYRUN") {
        return;
    }
    // A user that may write records but not RESTORE: `warm --from` sends
    // RESTORE, and is refused before anything is written.
    let target = RedisServer::with(ServerOptions::default().password("admin-pass-19"));
    target.cmd(&[
        "ACL",
        "SETUSER",
        "warmer",
        "on",
        ">warmer-pass-19",
        "~*",
        "&*",
        "+@all",
        "-restore",
    ]);
    let source = RedisServer::start();
    for i in 0..20 {
        source.cmd(&["SET", &format!("product:{i}"), "y"]);
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("redis://warmer:warmer-pass-19@127.0.0.1:{}", target.port);
    let run = Cachectl::new()
        .args(["warm", "-o", "json", "--url", &url, "--from", &source.url()])
        .args(["--pattern", "product:*", "--yes", "--audit-log"])
        .arg(dir.path().join("audit.jsonl"))
        .run();
    let w = run.json()["warm"].clone();
    assert_eq!(w["outcome"], "blocked", "{w:#}");
    assert!(w["reason"].as_str().unwrap().contains("RESTORE"), "{w:#}");
    assert_eq!(target.cmd(&["DBSIZE"]), redis::Value::Int(0));
    assert_eq!(run.code(), 3);
    // The same user warms a file of records (SET and friends) as before.
    let records = dir.path().join("records.jsonl");
    std::fs::write(&records, "{\"key\": \"warm:1\", \"value\": \"v\"}\n").unwrap();
    let run = Cachectl::new()
        .args(["warm", "-o", "json", "--url", &url, "--file"])
        .arg(&records)
        .args(["--yes", "--audit-log"])
        .arg(dir.path().join("audit.jsonl"))
        .run();
    assert_eq!(run.json()["warm"]["outcome"], "applied", "{}", run.stdout());
    assert_eq!(target.cmd(&["DBSIZE"]), redis::Value::Int(1));
}
