//! The engine on its worst days: argument vectors from load to send, things
//! that are not Redis, a server killed mid-run, thousands of idle clients,
//! unix sockets, a full disk, and a deadline that covers evaluation.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Command;
use std::time::Duration;

use crate::app_server::AppServer;
use crate::harness::*;

/// A user runbook with one check that always fires and one safe fix.
fn probe_runbook(dir: &std::path::Path, evidence: &str, command: &str) {
    let text = format!(
        "id: probe\ntitle: Probe\nsource: test\nchecks:\n  - id: probe-fires\n    title: Probe fires\n    when: \"true\"\n    severity: warning\n    score: 10\n    evidence:\n      value: {evidence}\n    message: \"value {{value}}\"\n    fixes:\n      - id: write-probe\n        title: Write the probe key\n        safety: safe\n        commands:\n          - \"{command}\"\n"
    );
    std::fs::write(dir.join("probe.yaml"), text).unwrap();
}

/// `diagnose --fix --yes` of the probe runbook in `dir`, audited there.
fn probe_fix(server: &RedisServer, dir: &std::path::Path, extra: &[&str]) -> Run {
    let audit = dir.join("audit.jsonl");
    diagnose_cmd(&server.url(), &["--runbooks", dir.to_str().unwrap()])
        .args(["--only", "probe", "--fix", "--yes"])
        .args(["--audit-log", audit.to_str().unwrap()])
        .args(extra)
        .run()
}

#[test]
fn a_placeholder_fills_exactly_one_argument() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    // CEL string with spaces, double and single quotes, and a newline.
    probe_runbook(
        dir.path(),
        r#""'two words \"quoted\" it\\'s\\nsecond line'""#,
        "SET probe:key {value}",
    );
    let audit = dir.path().join("audit.jsonl");
    // SET writes: unsafe whatever the label, so consent names the node.
    let node = format!("127.0.0.1:{}", server.port);
    let run = probe_fix(&server, dir.path(), &["--confirm-destructive", &node]);
    let report = run.json();
    let action = &report["remediation"]["actions"][0];
    assert_eq!(action["outcome"], "applied", "{action:#}");
    let expected = "two words \"quoted\" it's\nsecond line";
    assert_eq!(server.cmd_text(&["GET", "probe:key"]), expected);
    // One key: the value did not spill into extra arguments.
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(1));
    // Shown as redis-cli reads it back.
    assert_eq!(
        action["commands"][0],
        r#"SET probe:key "two words \"quoted\" it's\nsecond line""#
    );
    let lines: Vec<serde_json::Value> = audit_records(&audit);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(lines[0]["origin"], "diagnose --fix");
    assert_eq!(lines[0]["finding"], "probe-fires");
    assert_eq!(lines[0]["fix"], "write-probe");
    assert_eq!(lines[0]["node"], format!("127.0.0.1:{}", server.port));
    assert_eq!(lines[0]["phase"], "attempt");
    assert_eq!(lines[1]["phase"], "ok");
}

#[test]
fn a_fix_whose_value_is_missing_is_not_offered_as_runnable() {
    let server = RedisServer::with(ServerOptions::default().config("rename-command CONFIG \"\""));
    let dir = tempfile::tempdir().unwrap();
    probe_runbook(
        dir.path(),
        "\"config['maxmemory']\"",
        "SET probe:key {value}",
    );
    let audit = dir.path().join("audit.jsonl");
    let run = probe_fix(&server, dir.path(), &[]);
    let report = run.json();
    let fix = &report["findings"][0]["fixes"][0];
    assert!(
        fix["not_runnable"].as_str().unwrap().contains("{value}"),
        "{fix:#}"
    );
    let action = &report["remediation"]["actions"][0];
    assert_eq!(action["outcome"], "blocked", "{action:#}");
    assert!(!audit.exists(), "nothing may be written or sent");
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(0));
}

/// A TCP server that answers every connection with `bytes`, then closes.
fn garbage_server(bytes: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
                let mut buf = [0u8; 256];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(bytes);
                let _ = stream.shutdown(Shutdown::Both);
            });
        }
    });
    port
}

#[test]
fn something_that_does_not_speak_resp_is_not_redis() {
    let app = AppServer::start();
    let run = diagnose(&format!("redis://127.0.0.1:{}", app.port), &[]);
    let report = run.json();
    let f = expect_finding(&report, "not-redis", "critical");
    assert_eq!(f["evidence"]["answered"], "http");
    let first = f["evidence"]["first_bytes"].as_str().unwrap();
    assert!(first.starts_with("HTTP/1."), "{first}");
    assert!(finding(&report, "connection-failed").is_none());
    assert_eq!(run.code(), 2);

    let port = garbage_server(b"\x00\x01\x02garbage\xff\x1b[2J");
    let run = diagnose(&format!("redis://127.0.0.1:{port}"), &[]);
    let report = run.json();
    let f = expect_finding(&report, "not-redis", "critical");
    assert_eq!(f["evidence"]["answered"], "other");
    assert_eq!(
        f["evidence"]["first_bytes"],
        "\\x00\\x01\\x02garbage\\xff\\x1b[2J"
    );
    // No raw escape reaches the terminal through the message either.
    assert!(!run.stdout().contains('\x1b'), "{}", run.stdout());
    assert_eq!(run.code(), 2);

    // A TLS endpoint (an HTTPS server) reached with redis:// answers with a
    // TLS alert record.
    let certs = tempfile::tempdir().unwrap();
    let (_, cert, key, ..) = make_certs(certs.path());
    let https = AppServer::start_tls(&cert, &key);
    let run = diagnose(&format!("redis://127.0.0.1:{}", https.port), &[]);
    let report = run.json();
    let f = expect_finding(&report, "not-redis", "critical");
    assert_eq!(f["evidence"]["answered"], "tls", "{f:#}");
    assert!(
        f["evidence"]["first_bytes"]
            .as_str()
            .unwrap()
            .starts_with("\\x15\\x03"),
        "{f:#}"
    );
    assert_eq!(run.code(), 2);
}

/// A proxy in front of `server` that forwards one connection and, when the
/// client sends SLOWLOG, lets what came before it through, SIGKILLs the
/// server and closes both ends: a crash in the middle of a run.
fn killing_proxy(server: &RedisServer) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (redis_port, pid) = (server.port, server.pid());
    std::thread::spawn(move || {
        let Ok((mut client, _)) = listener.accept() else {
            return;
        };
        // Later connections are refused, as they would be by a dead server.
        drop(listener);
        let mut upstream = TcpStream::connect(("127.0.0.1", redis_port)).unwrap();
        let mut back = upstream.try_clone().unwrap();
        let mut client_back = client.try_clone().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = back.read(&mut buf) {
                if n == 0 || client_back.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            let _ = client_back.shutdown(Shutdown::Both);
        });
        let mut seen = Vec::new();
        let mut buf = [0u8; 65536];
        while let Ok(n) = client.read(&mut buf) {
            if n == 0 {
                break;
            }
            let start = seen.len();
            seen.extend_from_slice(&buf[..n]);
            let marker = b"*3\r\n$7\r\nSLOWLOG";
            if let Some(at) = seen.windows(marker.len()).position(|w| w == marker) {
                let _ = upstream.write_all(&seen[start..at.max(start)]);
                std::thread::sleep(Duration::from_millis(300));
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
                let _ = upstream.shutdown(Shutdown::Both);
                let _ = client.shutdown(Shutdown::Both);
                break;
            }
            if upstream.write_all(&buf[..n]).is_err() {
                break;
            }
        }
    });
    port
}

#[test]
fn a_server_killed_mid_run_says_what_arrived_and_that_it_is_down() {
    let server = RedisServer::start();
    let port = killing_proxy(&server);
    let run = diagnose(&format!("redis://127.0.0.1:{port}"), &[]);
    let report = run.json();
    let f = expect_finding(&report, "connection-lost", "critical");
    let names = |key: &str| -> Vec<String> {
        f["evidence"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let (arrived, missing) = (names("arrived"), names("missing"));
    // CONFIG GET comes first on Redis 7; before, it is retried one
    // parameter at a time, after SLOWLOG was sent.
    for root in ["ping", "info", "role"] {
        assert!(arrived.contains(&root.to_string()), "{arrived:?}");
    }
    for root in ["slowlog", "clients", "latency"] {
        assert!(missing.contains(&root.to_string()), "{missing:?}");
        assert!(!arrived.contains(&root.to_string()), "{arrived:?}");
    }
    assert_eq!(f["evidence"]["after"], "refused");
    assert!(
        f["message"].as_str().unwrap().contains("server died"),
        "{f:#}"
    );
    // Not a TLS mix-up, and not a closed-at-once connection.
    assert!(finding(&report, "connection-closed").is_none());
    assert_eq!(run.code(), 2);
}

#[test]
fn thousands_of_idle_clients_are_not_swapping() {
    const CLIENTS: usize = 8000;
    let server = RedisServer::with(ServerOptions::default().arg("--maxclients 10000"));
    // A child process holds the connections, raising its own descriptor limit.
    let mut holder = Command::new("python3")
        .args([
            "-c",
            "import resource,socket,sys\n\
             soft,hard=resource.getrlimit(resource.RLIMIT_NOFILE)\n\
             resource.setrlimit(resource.RLIMIT_NOFILE,(hard,hard))\n\
             s=[socket.create_connection(('127.0.0.1',int(sys.argv[1]))) for _ in range(int(sys.argv[2]))]\n\
             print('ok',flush=True)\n\
             sys.stdin.read()",
            &server.port.to_string(),
            &CLIENTS.to_string(),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    let mut ok = [0u8; 3];
    holder.stdout.as_mut().unwrap().read_exact(&mut ok).unwrap();
    let used: i64 = server.info_field("used_memory").parse().unwrap();
    let rss: i64 = server.info_field("used_memory_rss").parse().unwrap();
    let run = diagnose(&server.url(), &["--only", "fragmentation"]);
    drop(holder.stdin.take());
    let _ = holder.wait();
    // The scenario: client buffers make used_memory exceed RSS with no swap.
    assert!(
        used > 64 << 20 && rss < used,
        "precondition: used {used}, rss {rss}"
    );
    let report = run.json();
    assert!(finding(&report, "memory-swapping").is_none(), "{report:#}");
    assert_eq!(run.code(), 0, "{report:#}");
}

#[test]
fn unix_socket_targets() {
    let server = RedisServer::with(ServerOptions {
        unix_socket: true,
        ..ServerOptions::default()
    });
    let socket = server.socket();
    let path = socket.to_str().unwrap();
    for target in [
        vec!["--socket".to_string(), path.to_string()],
        vec!["--url".to_string(), format!("unix://{path}?db=2")],
        vec!["--url".to_string(), format!("redis+unix://{path}")],
    ] {
        let run = Cachectl::new()
            .args([
                "diagnose",
                "-o",
                "json",
                "--only",
                "redis-unreachable,configuration",
            ])
            .args(&target)
            .run();
        let report = run.json();
        assert_eq!(
            report["nodes"][0]["addr"],
            format!("unix:{path}"),
            "{target:?}"
        );
        assert!(report["target"].as_str().unwrap().starts_with("unix://"));
        assert_eq!(report["unavailable"], serde_json::json!([]), "{report:#}");
        assert!(problems(&report).iter().all(|p| !p.contains("critical")));
        assert_eq!(report["checks"]["skipped"], 0);
    }
    // A socket nobody listens on is refused, as a port would be.
    let run = diagnose_cmd("unix:///nonexistent/redis.sock", &[]).run();
    expect_finding(&run.json(), "connection-refused", "critical");
    assert_eq!(run.code(), 2);
}

#[test]
fn stdout_write_errors_are_exit_3_and_a_closed_pipe_is_not() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let run = Cachectl::new()
        .args(["runbook", "list", "-o", "json"])
        .run_with_stdout(full);
    assert_eq!(run.code(), 3, "{}", run.stderr());
    assert!(run.stderr().contains("standard output"), "{}", run.stderr());

    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let run = Cachectl::new()
        .args(["runbook", "list", "-o", "json"])
        .run_with_stdout(writer);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.stderr(), "");
}

#[test]
fn the_deadline_bounds_evaluation_too() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    // 60 checks of 100,000 CEL steps each: far more than a second.
    let digits = "[0,1,2,3,4,5,6,7,8,9]";
    let expr = format!(
        "{digits}.all(a, {digits}.all(b, {digits}.all(c, {digits}.all(e, {digits}.all(f, a + b + c + e + f >= 0))))) == false"
    );
    let mut text = String::from("id: heavy\ntitle: Heavy\nsource: test\nchecks:\n");
    for i in 0..60 {
        text.push_str(&format!(
            "  - id: heavy-{i}\n    title: Heavy\n    when: \"{expr}\"\n    severity: warning\n    score: 1\n    message: heavy\n"
        ));
    }
    std::fs::write(dir.path().join("heavy.yaml"), text).unwrap();
    let run = diagnose(
        &server.url(),
        &[
            "--runbooks",
            dir.path().to_str().unwrap(),
            "--only",
            "heavy",
            "--timeout",
            "1s",
        ],
    );
    assert!(
        run.elapsed < Duration::from_secs(2),
        "took {:?}",
        run.elapsed
    );
    let report = run.json();
    let f = expect_finding(&report, "deadline-exceeded", "unknown");
    let late = f["evidence"]["not_evaluated"].as_i64().unwrap();
    assert!(late > 0 && late < 60, "{f:#}");
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(skipped.len() as i64, late);
    assert!(skipped[0]["reason"].as_str().unwrap().contains("deadline"));
    assert_eq!(run.code(), 3);
}
