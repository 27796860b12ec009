//! A password never appears in any output, error or JSON.

use crate::harness::*;

const PASSWORD: &str = "Sup3r-S3cret-Passw0rd";

#[track_caller]
fn assert_clean(run: &Run, what: &str) {
    let all = run.all_output();
    assert!(!all.contains(PASSWORD), "{what}: password leaked:\n{all}");
    assert!(
        !all.contains("Sup3r"),
        "{what}: part of the password leaked:\n{all}"
    );
}

#[test]
fn password_never_printed_in_any_format_or_error_path() {
    let server = RedisServer::with(ServerOptions::default().password(PASSWORD));
    // The password also reaches the slow log through CONFIG SET.
    server.cmd(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    server.cmd(&["CONFIG", "SET", "requirepass", PASSWORD]);
    server.cmd(&["CONFIG", "SET", "slowlog-log-slower-than", "10000"]);
    let url = server.url();
    let port = server.port;
    let dead = free_port();
    let runbooks = tempfile::tempdir().unwrap();
    std::fs::write(
        runbooks.path().join("leak.yaml"),
        r#"id: leak-probe
title: Tries to print everything
source: test
checks:
  - id: dump-everything
    title: Dump
    when: "true"
    severity: info
    score: 1
    evidence:
      connection: connection
      slowlog: slowlog
      config: config
      clients: clients
    message: "{connection} {slowlog} {config} {clients}"
"#,
    )
    .unwrap();
    let dir = runbooks.path().to_str().unwrap().to_string();
    let app_url = format!("http://ops:{PASSWORD}@127.0.0.1:{dead}");

    let cases: Vec<(&str, Run)> = vec![
        ("json", diagnose(&url, &["--runbooks", &dir])),
        (
            "table",
            Cachectl::new()
                .args(["diagnose", "--url", &url, "--runbooks", &dir])
                .run(),
        ),
        (
            "table colour",
            Cachectl::new()
                .args(["--color", "always", "diagnose", "--url", &url])
                .run(),
        ),
        (
            "wrong user",
            diagnose(&format!("redis://nobody:{PASSWORD}@127.0.0.1:{port}"), &[]),
        ),
        (
            "refused json",
            diagnose(&format!("redis://:{PASSWORD}@127.0.0.1:{dead}"), &[]),
        ),
        (
            "refused table",
            Cachectl::new()
                .args([
                    "diagnose",
                    "--url",
                    &format!("redis://:{PASSWORD}@127.0.0.1:{dead}"),
                ])
                .run(),
        ),
        (
            "tls mismatch",
            diagnose(
                &format!("rediss://:{PASSWORD}@127.0.0.1:{port}"),
                &["--connect-timeout", "1s", "--command-timeout", "1s"],
            ),
        ),
        (
            "bad url port",
            diagnose(&format!("redis://:{PASSWORD}@127.0.0.1:notaport"), &[]),
        ),
        (
            "bad url scheme",
            diagnose(&format!("http://u:{PASSWORD}@127.0.0.1:{port}"), &[]),
        ),
        (
            "bad db",
            diagnose(&format!("redis://:{PASSWORD}@127.0.0.1:{port}/x"), &[]),
        ),
        (
            "env password",
            diagnose_cmd(&server.bare_url(), &[])
                .env("REDISCLI_AUTH", PASSWORD)
                .run(),
        ),
        (
            "stdin password",
            Cachectl::new()
                .args(["diagnose", "--password-stdin", "--url", &server.bare_url()])
                .stdin(&format!("{PASSWORD}\n"))
                .run(),
        ),
        (
            "env wrong password",
            Cachectl::new()
                .args(["diagnose", "--url", &format!("redis://127.0.0.1:{port}")])
                .env("REDIS_PASSWORD", &format!("{PASSWORD}x"))
                .run(),
        ),
        (
            "tls flags on redis://",
            Cachectl::new()
                .args(["diagnose", "--url", &url, "--tls-ca", "/nonexistent"])
                .run(),
        ),
        (
            "app url json",
            diagnose(&url, &["--app", &app_url, "--interval", "0"]),
        ),
        (
            "app url table",
            Cachectl::new()
                .args([
                    "diagnose",
                    "--url",
                    &url,
                    "--app",
                    &app_url,
                    "--interval",
                    "0",
                ])
                .run(),
        ),
        (
            "bad app url",
            diagnose(&url, &["--app", &app_url.replace("http", "ftp")]),
        ),
    ];
    for (what, run) in &cases {
        assert_clean(run, what);
    }
    // The runs did what they claim (so the absence of the password means something).
    let report = cases[0].1.json();
    assert!(finding(&report, "dump-everything").is_some());
    assert_eq!(report["target"], format!("redis://:***@127.0.0.1:{port}/0"));
    assert_eq!(cases[3].1.code(), 3);
    assert_eq!(cases[4].1.code(), 2);
    for (what, run) in &cases[7..10] {
        assert_eq!(run.code(), 3, "{what}");
        assert!(run.stderr().contains("***"), "{what}: {}", run.stderr());
    }
    assert_eq!(cases[13].1.code(), 3);
    // The user name goes too: user and password together are the secret.
    assert_eq!(
        cases[14].1.json()["app"],
        format!("http://***@127.0.0.1:{dead}/")
    );
    assert!(finding(&cases[14].1.json(), "app-refused").is_some());
    assert_eq!(cases[16].1.code(), 3);
}

/// Redaction works on values: whatever the password is, the JSON is valid,
/// numbers, booleans and words are what they are, and the URL shows `***`
/// where the password was, and nothing else.
#[test]
fn any_password_leaves_the_report_intact() {
    for password in [
        "true",
        "null",
        "100",
        "redis",
        "\"",
        "\\",
        "ok",
        "cache:hits",
    ] {
        let server = RedisServer::with(ServerOptions::default().password(password));
        server.cmd(&["SET", "cache:hits", "1"]);
        let port = server.port;
        let run = Cachectl::new()
            .args(["diagnose", "-o", "json", "--url", &server.bare_url()])
            .env("REDISCLI_AUTH", password)
            .run();
        let report: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap_or_else(|e| {
            panic!(
                "password {password:?}: invalid JSON ({e}):\n{}",
                run.stdout()
            )
        });
        assert_eq!(
            report["target"],
            format!("redis://:***@127.0.0.1:{port}/0"),
            "{password:?}"
        );
        assert!(
            report["score"].is_u64(),
            "{password:?}: {}",
            report["score"]
        );
        assert!(report["checks"]["total"].is_u64(), "{password:?}");
        assert!(
            ["ok", "warning", "critical", "unknown"].contains(&report["status"].as_str().unwrap())
        );
        assert_eq!(report["unavailable"], serde_json::json!([]), "{password:?}");
        let run = Cachectl::new()
            .args(["diagnose", "--url", &server.bare_url()])
            .env("REDISCLI_AUTH", password)
            .run();
        let header = run.stdout().lines().next().unwrap_or_default().to_string();
        assert!(
            header.contains(&format!("redis://:***@127.0.0.1:{port}/0")),
            "{password:?}: {header}"
        );
        assert!(header.contains("health "), "{password:?}: {header}");
    }
}

#[test]
fn malformed_and_app_urls_are_redacted() {
    let run = diagnose_cmd("redis:/:s3cret-pw@127.0.0.1:6379", &[]).run();
    assert_eq!(run.code(), 3);
    assert!(
        !run.all_output().contains("s3cret-pw"),
        "{}",
        run.all_output()
    );
    assert!(run.stderr().contains("***"), "{}", run.stderr());

    let server = RedisServer::start();
    let dead = free_port();
    let app = format!("http://deploy-bot:hunter22@127.0.0.1:{dead}/?api_key=k3y-s3cret&env=prod");
    let run = diagnose(&server.url(), &["--app", &app, "--interval", "0"]);
    let all = run.all_output();
    for secret in ["deploy-bot", "hunter22", "k3y-s3cret"] {
        assert!(!all.contains(secret), "{secret} leaked:\n{all}");
    }
    let report = run.json();
    assert_eq!(
        report["app"],
        format!("http://***@127.0.0.1:{dead}/?api_key=***&env=***")
    );
    assert!(finding(&report, "app-refused").is_some(), "{report:#}");
}
