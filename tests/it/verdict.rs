//! No quiet OK: every front door, and every `--only` selection, first
//! establishes that the target is reachable, authenticated and Redis, and
//! says what `diagnose` says (the same finding, the same exit code) when it
//! is not; a run that judged nothing is never OK.

use crate::harness::*;

/// Every front door as its user would type it; the target is added.
fn doors(records: &str) -> Vec<Vec<String>> {
    let words = |w: &[&str]| {
        w.iter()
            .map(std::string::ToString::to_string)
            .collect::<Vec<_>>()
    };
    vec![
        words(&["diagnose"]),
        words(&["diagnose", "--only", "out-of-memory"]),
        words(&["memory"]),
        words(&["memory", "--keys"]),
        words(&["hotkeys"]),
        words(&["clients"]),
        words(&["slowlog"]),
        words(&["latency", "--count", "5"]),
        words(&["flush", "--pattern", "session:*", "--dry-run"]),
        words(&["clients", "kill", "--idle", "1s", "--dry-run"]),
        words(&["warm", "--file", records, "--dry-run"]),
        words(&["failover", "--dry-run"]),
    ]
}

/// Runs every door against `url` at once (with `env`), and checks each
/// gives `id` at `severity`, the report's status, and `code`, as JSON.
#[track_caller]
fn every_door_says(url: &str, env: &[(&str, &str)], id: &str, severity: &str, code: i32) {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records.jsonl");
    std::fs::write(&records, "{\"key\": \"k\", \"value\": \"v\"}\n").unwrap();
    let runs: Vec<(String, Run)> = std::thread::scope(|scope| {
        let handles: Vec<_> = doors(records.to_str().unwrap())
            .into_iter()
            .map(|door| {
                scope.spawn(move || {
                    let mut c = Cachectl::new()
                        .args(&door)
                        .args(["-o", "json", "--url", url])
                        .args(["--connect-timeout", "500ms", "--command-timeout", "500ms"]);
                    for (k, v) in env {
                        c = c.env(k, v);
                    }
                    (door.join(" "), c.run())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (door, run) in runs {
        let report = run.json();
        let f = finding(&report, id).unwrap_or_else(|| {
            panic!(
                "`cachectl {door}` did not say {id}: {report:#}\n{}",
                run.stderr()
            )
        });
        assert_eq!(f["severity"], severity, "cachectl {door}: {f:#}");
        assert_ne!(report["status"], "ok", "cachectl {door}");
        assert_eq!(run.code(), code, "cachectl {door}: {}", run.stderr());
        run.assert_within(10);
    }
}

#[test]
fn a_refused_port_is_critical_from_every_front_door() {
    let url = format!("redis://127.0.0.1:{}", free_port());
    every_door_says(&url, &[], "connection-refused", "critical", 2);
}

#[test]
fn a_wrong_password_is_said_by_every_front_door() {
    let server = RedisServer::with(ServerOptions::default().password("right-pass-19"));
    // A stale REDISCLI_AUTH, as the issue found it.
    every_door_says(
        &server.bare_url(),
        &[("REDISCLI_AUTH", "stale-pass-19")],
        "auth-failed",
        "unknown",
        3,
    );
}

#[test]
fn a_hung_server_is_critical_from_every_front_door() {
    let server = RedisServer::start();
    server.signal("STOP");
    every_door_says(&server.url(), &[], "server-unresponsive", "critical", 2);
    server.signal("CONT");
}

#[test]
fn a_server_that_says_ok_to_everything_is_not_redis_to_every_front_door() {
    let port = answers_everything_with(b"+OK\r\n");
    let url = format!("redis://127.0.0.1:{port}");
    every_door_says(&url, &[], "replies-not-redis", "critical", 2);
}

#[test]
fn the_gate_cannot_be_skipped() {
    let run = Cachectl::new()
        .args(["diagnose", "--skip", "redis-unreachable"])
        .run();
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr().contains("--skip redis-unreachable"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_run_that_judged_nothing_is_unknown_and_its_summary_says_so() {
    let server = RedisServer::with(ServerOptions::default().password("admin-pass-19"));
    // A user that may connect and ping, and nothing else a door reads.
    server.cmd(&[
        "ACL",
        "SETUSER",
        "blind",
        "on",
        ">blind-pass-19",
        "+ping",
        "+client|setname",
    ]);
    let url = format!("redis://blind:blind-pass-19@127.0.0.1:{}", server.port);
    let run = Cachectl::new()
        .args(["clients", "-o", "json", "--url", &url])
        .run();
    let report = run.json();
    let f = expect_finding(&report, "nothing-evaluated", "unknown");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("CLIENT LIST failed (noperm"),
        "{f:#}"
    );
    assert_eq!(report["status"], "unknown");
    assert_eq!(report["checks"]["fired"], 0, "{:#}", report["checks"]);
    assert_eq!(run.code(), 3);
    let table = Cachectl::new().args(["clients", "--url", &url]).run();
    let first = header(&table.stdout());
    assert!(first.starts_with("UNKNOWN"), "{first}");
    assert!(
        first.contains("nothing judged beyond reaching it"),
        "{first}"
    );
    assert_eq!(table.code(), 3);
    // Against a healthy node the same door judges and says OK.
    let healthy = RedisServer::start();
    let run = Cachectl::new()
        .args(["clients", "-o", "json", "--url", &healthy.url()])
        .run();
    assert!(finding(&run.json(), "nothing-evaluated").is_none());
    assert_ne!(run.code(), 3, "{}", run.stdout());
}

#[test]
fn manual_fixes_are_ready_to_paste_for_the_node_they_are_about() {
    let server = RedisServer::with(ServerOptions::default().password("admin-pass-19"));
    server.cmd(&[
        "ACL",
        "SETUSER",
        "ops",
        "on",
        ">ops-pass-19",
        "~*",
        "&*",
        "+@all",
    ]);
    server.cmd(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    server.cmd(&["KEYS", "*"]);
    let url = format!("redis://ops:ops-pass-19@127.0.0.1:{}/2", server.port);
    let run = diagnose(&url, &["--only", "high-latency"]);
    let report = run.json();
    let f = expect_finding(&report, "dangerous-commands", "warning");
    let commands: Vec<String> = f["fixes"][0]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        commands,
        vec![
            "# redis-cli reads the password from REDISCLI_AUTH: export it first (cachectl never prints it)".to_string(),
            format!("redis-cli -h 127.0.0.1 -p {} --user ops -n 2 SLOWLOG GET 20", server.port),
            format!("redis-cli -h 127.0.0.1 -p {} --user ops -n 2 CLIENT LIST", server.port),
        ]
    );
    assert!(!run.stdout().contains("ops-pass-19"));
    // Pasted into a shell with the password in REDISCLI_AUTH, it runs as
    // the user it names, on that database.
    let pasted = std::process::Command::new("sh")
        .args(["-c", &commands.join("\n")])
        .env("REDISCLI_AUTH", "ops-pass-19")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&pasted.stdout);
    assert!(
        said.contains("user=ops") && said.contains("db=2"),
        "{pasted:?}"
    );

    // The password fix, in the order that locks nobody out.
    let open = RedisServer::start();
    let report = diagnose(&open.url(), &["--only", "security"]).json();
    let f = expect_finding(&report, "no-auth", "warning");
    let steps: Vec<&str> = f["fixes"][0]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let at = |what: &str| {
        steps
            .iter()
            .position(|s| s.contains(what))
            .unwrap_or_else(|| panic!("no step with {what}: {steps:#?}"))
    };
    let (generate, store, user, roll_out, close) = (
        at("openssl rand"),
        at("vault kv put"),
        at("ACL SETUSER app"),
        at("# roll out"),
        at("ACL SETUSER default off"),
    );
    assert!(generate < store && store < user && user < roll_out && roll_out < close);
    assert!(
        !steps.iter().any(|s| s.contains("requirepass")),
        "{steps:#?}"
    );
    assert!(
        steps[user].contains(&format!("redis-cli -h 127.0.0.1 -p {} -x", open.port)),
        "{}",
        steps[user]
    );
}
