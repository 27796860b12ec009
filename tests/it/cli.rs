//! Arguments, help, exit codes for bad input, colour.

use crate::harness::*;

#[test]
fn help_documents_exit_codes_and_exits_0() {
    let run = Cachectl::new().arg("--help").run();
    assert_eq!(run.code(), 0);
    let out = run.stdout();
    for line in ["0  OK", "1  WARNING", "2  CRITICAL", "3  UNKNOWN"] {
        assert!(out.contains(line), "{out}");
    }
    for cmd in ["diagnose", "runbook", "completions"] {
        assert!(out.contains(cmd), "{out}");
    }
    let run = Cachectl::new().args(["diagnose", "--help"]).run();
    assert_eq!(run.code(), 0);
    assert!(run.stdout().contains("--password-stdin"));
    assert!(run.stdout().contains("3  UNKNOWN"));
    let run = Cachectl::new().arg("--version").run();
    assert_eq!(run.code(), 0);
    assert!(run.stdout().starts_with("cachectl "));
}

#[test]
fn bad_arguments_exit_3_with_the_reason() {
    let run = Cachectl::new().args(["diagnose", "--output", "xml"]).run();
    assert_eq!(run.code(), 3);
    assert!(run.stderr().contains("xml"), "{}", run.stderr());
    let run = Cachectl::new()
        .args(["diagnose", "--timeout", "soon"])
        .run();
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr().contains("`soon` is not a duration"),
        "{}",
        run.stderr()
    );
    let run = Cachectl::new().arg("frobnicate").run();
    assert_eq!(run.code(), 3);
    let run = Cachectl::new()
        .args(["diagnose", "--only", "no-such-runbook"])
        .run();
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr().contains("no runbook `no-such-runbook`"),
        "{}",
        run.stderr()
    );
    let run = Cachectl::new()
        .args(["diagnose", "--tls-cert", "c.pem"])
        .run();
    assert_eq!(run.code(), 3);
    let run = Cachectl::new()
        .args([
            "diagnose",
            "--url",
            "redis://127.0.0.1:1",
            "--password-stdin",
        ])
        .stdin("\n")
        .run();
    assert_eq!(run.code(), 3);
    assert!(run.stderr().contains("empty password"), "{}", run.stderr());
}

#[test]
fn no_escape_codes_in_pipes_or_with_no_color() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let run = Cachectl::new().args(["diagnose", "--url", &url]).run();
    assert_eq!(run.code(), 2);
    assert!(
        run.stdout().starts_with("CRITICAL  health 0/100"),
        "{}",
        run.stdout()
    );
    assert!(!run.stdout().contains('\x1b'));
    let run = Cachectl::new()
        .args(["--color", "always", "diagnose", "--url", &url])
        .run();
    assert!(
        run.stdout().contains('\x1b'),
        "--color always should colour"
    );
    let run = Cachectl::new()
        .args(["diagnose", "--url", &url])
        .env("NO_COLOR", "1")
        .run();
    assert!(!run.stdout().contains('\x1b'));
    // Results on stdout, nothing else on stderr for a normal run.
    assert_eq!(run.stderr(), "");
}

#[test]
fn table_output_shows_findings_fixes_and_what_was_not_checked() {
    let server = RedisServer::with(
        ServerOptions::default()
            .config("maxmemory 100mb")
            .config("maxmemory-policy noeviction"),
    );
    let run = Cachectl::new()
        .args(["diagnose", "--url", &server.url()])
        .run();
    let out = run.stdout();
    assert_eq!(run.code(), 1);
    assert!(out.starts_with("WARNING  health "), "{out}");
    assert!(out.contains("noeviction-policy"), "{out}");
    assert!(
        out.contains("CONFIG SET maxmemory-policy allkeys-lru"),
        "{out}"
    );
    assert!(out.contains("Fixes"), "{out}");
}

/// Every command's JSON is one envelope: the same fields, the command
/// named, the status its exit code says, and its own document under its
/// key (docs/json.md).
#[test]
fn every_command_writes_the_one_envelope() {
    let server = RedisServer::start();
    let url = server.url();
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("r.jsonl");
    std::fs::write(&records, "{\"key\":\"k\",\"value\":\"v\"}\n").unwrap();
    let records = records.to_str().unwrap();
    let runs: Vec<(Vec<&str>, &str, Option<&str>)> = vec![
        (vec!["diagnose"], "diagnose", None),
        (vec!["memory"], "memory", Some("memory")),
        (vec!["clients"], "clients", Some("clients")),
        (vec!["slowlog"], "slowlog", Some("slowlog")),
        (vec!["latency", "--count", "5"], "latency", Some("latency")),
        (
            vec!["flush", "--pattern", "x:*", "--dry-run"],
            "flush",
            Some("flush"),
        ),
        (
            vec!["warm", "--file", records, "--dry-run"],
            "warm",
            Some("warm"),
        ),
        (
            vec!["clients", "kill", "--idle", "1h", "--dry-run"],
            "clients kill",
            Some("kill"),
        ),
        (vec!["failover", "--dry-run"], "failover", Some("failover")),
    ];
    let statuses = ["ok", "warning", "critical", "unknown"];
    for (args, command, key) in runs {
        let run = Cachectl::new()
            .args(&args)
            .args(["-o", "json", "--url", &url])
            .run();
        let doc = run.json();
        assert_eq!(doc["schema_version"], 2, "{args:?}");
        assert!(doc["tool"].as_str().unwrap().starts_with("cachectl "));
        assert_eq!(doc["command"], command, "{args:?}");
        assert_eq!(
            doc["status"],
            statuses[run.code() as usize],
            "{args:?}: the status is the exit code's"
        );
        assert_eq!(doc["target"], format!("{url}/0"), "{args:?}");
        assert_eq!(
            doc["server"]["flavour"].as_str(),
            Some(server_build().flavour),
            "{args:?}"
        );
        assert_eq!(
            doc["nodes"][0]["addr"],
            format!("127.0.0.1:{}", server.port),
            "{args:?}"
        );
        assert!(doc["findings"].is_array(), "{args:?}");
        if let Some(key) = key {
            assert!(doc[key].is_object(), "{args:?}: no `{key}` in {doc:#}");
        }
    }
}
