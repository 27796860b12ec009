//! Fixes that are the application's own actions (seed 002's
//! `POST /internal/cache/clear`, `/gc`, `/apply-preset` ...): probed before
//! anything is sent, decided by safety on the application's node, audited
//! before they are sent, and verified by asking the application again.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::app_server::{AppServer, Reply};
use crate::harness::*;

/// An application whose cache holds 150 MB until it is cleared. It serves
/// /gc (which frees nothing) and /clear; not /memory-cleanup.
fn bloated_app() -> (AppServer, Arc<AtomicBool>) {
    let app = AppServer::start();
    let cleared = Arc::new(AtomicBool::new(false));
    let c = cleared.clone();
    app.route_fn("/internal/cache/memory-stats", move |_| {
        let mb = if c.load(Ordering::SeqCst) { 2 } else { 150 };
        Reply::json(200, &format!(r#"{{"total_cache_size_mb": {mb}}}"#))
    });
    app.route(
        "POST /internal/cache/gc",
        Reply::json(200, r#"{"collected": 0}"#),
    );
    let c = cleared.clone();
    app.route_fn("POST /internal/cache/clear", move |_| {
        c.store(true, Ordering::SeqCst);
        Reply::json(200, r#"{"cleared": 1204}"#)
    });
    (app, cleared)
}

fn fix_run(server: &RedisServer, app: &AppServer, audit: &std::path::Path, extra: &[&str]) -> Run {
    diagnose_app(&server.url(), &app.url(), "0", "app-cache-status")
        .args(["--fix"])
        .arg("--audit-log")
        .arg(audit)
        .args(extra)
        .run()
}

fn action<'a>(report: &'a serde_json::Value, fix: &str) -> &'a serde_json::Value {
    report["remediation"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["fix"] == fix)
        .unwrap_or_else(|| panic!("no action `{fix}`: {:#}", report["remediation"]))
}

#[test]
fn the_ladder_probes_first_then_gc_then_clear_on_the_named_app_node() {
    let server = RedisServer::start();
    let (app, cleared) = bloated_app();
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let app_node = format!("127.0.0.1:{}", app.port);
    let run = fix_run(
        &server,
        &app,
        &audit,
        &["--yes", "--confirm-destructive", &app_node],
    );
    let report = run.json();
    expect_finding(&report, "status-memory-critical", "critical");
    // Not served: blocked, and nothing was sent to it.
    let cleanup = action(&report, "memory-cleanup");
    assert_eq!(cleanup["outcome"], "blocked");
    assert!(
        cleanup["reason"]
            .as_str()
            .unwrap()
            .contains("/internal/cache/memory-cleanup is not served by the application (OPTIONS answered 404)"),
        "{cleanup}"
    );
    assert!(app
        .received("POST", "/internal/cache/memory-cleanup")
        .is_empty());
    // gc ran, the application was asked again, the cache is still full.
    let gc = action(&report, "gc");
    assert_eq!(gc["outcome"], "applied", "{gc}");
    assert_eq!(gc["safety"], "unsafe");
    assert_eq!(gc["results"][0], r#"HTTP 200 {"collected": 0}"#);
    assert_eq!(gc["resolved"], false);
    assert_eq!(gc["after"]["total_mb"], 150);
    // clear ran and the re-probe shows it worked.
    let clear = action(&report, "clear");
    assert_eq!(clear["outcome"], "applied", "{clear}");
    assert_eq!(clear["safety"], "destructive");
    assert_eq!(clear["resolved"], true);
    assert_eq!(clear["before"]["total_mb"], 150);
    assert_eq!(clear["after"]["total_mb"], 2);
    assert!(cleared.load(Ordering::SeqCst));
    assert_eq!(app.received("POST", "/internal/cache/clear").len(), 1);
    assert_eq!(app.received("POST", "/internal/cache/gc").len(), 1);
    assert_eq!(report["after"]["findings"], serde_json::json!([]));
    // The audit log: each request written before it was sent, and after.
    let records = audit_records(&audit);
    let sent: Vec<(String, String, String)> = records
        .iter()
        .map(|r| {
            (
                r["fix"].as_str().unwrap_or_default().to_string(),
                r["phase"].as_str().unwrap_or_default().to_string(),
                r["command"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let url = |p: &str| format!("POST http://127.0.0.1:{}/internal/cache/{p}", app.port);
    assert_eq!(
        sent,
        vec![
            ("gc".into(), "attempt".into(), url("gc")),
            ("gc".into(), "ok".into(), url("gc")),
            ("clear".into(), "attempt".into(), url("clear")),
            ("clear".into(), "ok".into(), url("clear")),
        ]
    );
    assert_eq!(records[2]["node"], app_node);
    assert_eq!(records[2]["origin"], "diagnose --fix");
    assert_eq!(records[2]["finding"], "status-memory-critical");
    assert_eq!(records[3]["result"], r#"HTTP 200 {"cleared": 1204}"#);
}

#[test]
fn without_consent_for_the_app_node_nothing_is_sent() {
    let server = RedisServer::start();
    let (app, cleared) = bloated_app();
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    // --yes alone: gc is unsafe, clear destructive.
    let report = fix_run(&server, &app, &audit, &["--yes"]).json();
    assert_eq!(action(&report, "gc")["outcome"], "skipped");
    let clear = action(&report, "clear");
    assert_eq!(clear["outcome"], "skipped");
    assert_eq!(
        clear["reason"],
        format!(
            "destructive: needs --confirm-destructive 127.0.0.1:{}",
            app.port
        )
    );
    // Consent for the Redis node is not consent for the application.
    let redis_node = format!("127.0.0.1:{}", server.port);
    let report = fix_run(
        &server,
        &app,
        &audit,
        &["--yes", "--confirm-destructive", &redis_node],
    )
    .json();
    assert_eq!(action(&report, "clear")["outcome"], "skipped");
    // --dry-run plans them.
    let report = fix_run(&server, &app, &audit, &["--dry-run"]).json();
    assert_eq!(action(&report, "gc")["outcome"], "planned");
    assert_eq!(action(&report, "clear")["outcome"], "planned");
    assert!(app.received("POST", "/internal/cache/gc").is_empty());
    assert!(app.received("POST", "/internal/cache/clear").is_empty());
    assert!(!cleared.load(Ordering::SeqCst));
    assert!(!audit.exists() || audit_records(&audit).is_empty());
}

#[test]
fn a_preset_is_sent_as_json_and_a_failed_action_is_said() {
    let server = RedisServer::start();
    let app = AppServer::start();
    let applied = Arc::new(AtomicBool::new(false));
    let a = applied.clone();
    app.route_fn("/internal/cache/metrics", move |_| {
        let rate = if a.load(Ordering::SeqCst) { 0.91 } else { 0.31 };
        Reply::json(
            200,
            &format!(r#"{{"cache_hit_rate": {rate}, "total_operations": 5000}}"#),
        )
    });
    // reset-config answers 500; apply-preset works.
    app.route(
        "POST /internal/cache/reset-config",
        Reply::json(500, r#"{"error": "config store unavailable"}"#),
    );
    let a = applied.clone();
    app.route_fn("POST /internal/cache/apply-preset", move |_| {
        a.store(true, Ordering::SeqCst);
        Reply::json(202, r#"{"preset": "conservative"}"#)
    });
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let node = format!("127.0.0.1:{}", app.port);
    let report = fix_run(
        &server,
        &app,
        &audit,
        &["--yes", "--confirm-destructive", &node],
    )
    .json();
    expect_finding(&report, "status-hit-rate-critical", "critical");
    let reset = action(&report, "reset-config");
    assert_eq!(reset["outcome"], "failed");
    assert!(
        reset["reason"]
            .as_str()
            .unwrap()
            .contains(r#"HTTP 500 {"error": "config store unavailable"}"#),
        "{reset}"
    );
    let preset = action(&report, "apply-conservative-preset");
    assert_eq!(preset["outcome"], "applied", "{preset}");
    assert_eq!(preset["resolved"], true);
    let sent = app.received("POST", "/internal/cache/apply-preset");
    assert_eq!(sent.len(), 1);
    let request = sent[0].to_ascii_lowercase();
    assert!(
        request.contains("content-type: application/json"),
        "{request}"
    );
    assert!(
        sent[0].ends_with(r#"{"preset":"conservative"}"#),
        "{}",
        sent[0]
    );
    let phases: Vec<String> = audit_records(&audit)
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["fix"].as_str().unwrap(),
                r["phase"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        phases,
        vec![
            "reset-config attempt",
            "reset-config error",
            "apply-conservative-preset attempt",
            "apply-conservative-preset ok"
        ]
    );
}

#[test]
fn http_fix_definitions_are_checked_at_load() {
    let cases = [
        (
            "      - id: wipe\n        title: Clear\n        safety: unsafe\n        kind: http\n        request:\n          path: /internal/cache/clear\n".to_string(),
            "is destructive whatever a runbook says",
        ),
        (
            "      - id: get\n        title: Read\n        safety: safe\n        kind: http\n        request:\n          method: GET\n          path: /internal/cache/status\n".to_string(),
            "method `GET` is not an action",
        ),
        (
            "      - id: none\n        title: Nothing\n        safety: unsafe\n        kind: http\n".to_string(),
            "is kind http but has no `request`",
        ),
        (
            "      - id: both\n        title: Both\n        safety: unsafe\n        kind: redis\n        commands: [\"PING\"]\n        request:\n          path: /internal/cache/gc\n".to_string(),
            "only an http fix has a `request`",
        ),
    ];
    for (fix, expected) in cases {
        let text = format!(
            "id: app-actions\ntitle: t\nsource: s\nchecks:\n  - id: c\n    title: t\n    when: \"true\"\n    severity: warning\n    score: 10\n    message: m\n    fixes:\n{fix}"
        );
        let run = validate(&text);
        assert_eq!(run.code(), 3, "{}", run.all_output());
        assert!(
            run.stderr().contains(expected),
            "{expected}: {}",
            run.stderr()
        );
        assert!(run.stderr().contains(".yaml:"), "{}", run.stderr());
    }
}

#[test]
fn interactively_a_destructive_action_needs_the_app_node_typed_back() {
    let server = RedisServer::start();
    let (app, cleared) = bloated_app();
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let node = format!("127.0.0.1:{}", app.port);
    // memory-cleanup is blocked (not served) before any prompt; gc is
    // declined; clear is accepted and the Redis node typed: not enough.
    // The table and the prompts, on a terminal; `answers` typed in.
    let walk = |answers: &str| {
        Cachectl::new()
            .args(["diagnose", "--url", &server.url(), "--app", &app.url()])
            .args(["--interval", "0", "--only", "app-cache-status", "--fix"])
            .arg("--audit-log")
            .arg(&audit)
            .run_in_pty(answers)
    };
    let run = walk(&format!("n\ny\n127.0.0.1:{}\n", server.port));
    let screen = run.stdout();
    assert!(
        screen.contains(&format!("Type the node ({node}) to confirm")),
        "{screen}"
    );
    assert!(screen.contains("does not name"), "{screen}");
    assert!(!cleared.load(Ordering::SeqCst));
    assert!(app.received("POST", "/internal/cache/clear").is_empty());
    // Typed right, it is sent, and the application asked again.
    let run = walk(&format!("n\ny\n{node}\n"));
    let screen = run.stdout();
    assert!(screen.contains("applied: HTTP 200"), "{screen}");
    assert!(screen.contains("after:  total_mb=2"), "{screen}");
    assert!(cleared.load(Ordering::SeqCst));
    assert_eq!(run.code(), 0, "{screen}");
}

#[test]
fn a_dry_run_asks_with_options_or_head_never_a_get_that_could_act() {
    let server = RedisServer::start();
    let (app, cleared) = bloated_app();
    // A framework without OPTIONS (501), on an endpoint that acts on GET
    // too, as careless internal endpoints do.
    for action in ["gc", "clear", "memory-cleanup"] {
        let c = cleared.clone();
        let path = format!("/internal/cache/{action}");
        app.route(&format!("OPTIONS {path}"), Reply::json(501, "{}"));
        app.route_fn(&format!("GET {path}"), move |_| {
            c.store(true, Ordering::SeqCst);
            Reply::json(200, "{}")
        });
        app.route(&format!("HEAD {path}"), Reply::json(200, "{}"));
    }
    let dir = tempfile::tempdir().unwrap();
    let run = fix_run(
        &server,
        &app,
        &dir.path().join("audit.jsonl"),
        &["--dry-run"],
    );
    assert!(run.code() <= 3, "{}", run.all_output());
    let mut headed = 0;
    for action in ["gc", "clear", "memory-cleanup"] {
        let path = format!("/internal/cache/{action}");
        assert!(app.received("GET", &path).is_empty(), "GET {path} was sent");
        assert!(
            app.received("POST", &path).is_empty(),
            "POST {path} was sent"
        );
        let (options, head) = (
            app.received("OPTIONS", &path).len(),
            app.received("HEAD", &path).len(),
        );
        assert_eq!(
            options,
            head,
            "{path}: OPTIONS 501, then HEAD\n{}",
            run.all_output()
        );
        headed += head;
    }
    assert!(headed >= 1, "{}", run.all_output());
    assert!(!cleared.load(Ordering::SeqCst));
}
