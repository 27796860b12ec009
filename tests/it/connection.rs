//! redis-unreachable: every way a connection fails is told apart, within the
//! deadline. Plus TLS, credentials from env and stdin.

use std::time::Duration;

use crate::harness::*;

#[test]
fn nothing_listening_is_connection_refused() {
    let port = free_port();
    let run = diagnose(&format!("redis://127.0.0.1:{port}"), &[]);
    let report = run.json();
    let f = expect_finding(&report, "connection-refused", "critical");
    assert_eq!(f["runbook"], "redis-unreachable");
    assert_eq!(f["evidence"]["port"], port);
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    assert!(report["unavailable"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["kind"] == "not_connected"));
    assert_eq!(report["status"], "critical");
    assert_eq!(report["score"], 0);
    assert_eq!(run.code(), 2);
}

#[test]
fn server_in_debug_sleep_is_unresponsive_within_the_deadline() {
    let server = RedisServer::start();
    let _sleeper = server.send_raw("DEBUG SLEEP 30");
    std::thread::sleep(Duration::from_millis(100));
    let run = diagnose(
        &server.url(),
        &[
            "--timeout",
            "5s",
            "--command-timeout",
            "1s",
            "--connect-timeout",
            "1s",
        ],
    );
    let report = run.json();
    let f = expect_finding(&report, "server-unresponsive", "critical");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("accepted TCP but sent no reply"),
        "{f:#}"
    );
    run.assert_within(5);
    assert_eq!(run.code(), 2);
}

#[test]
fn stopped_server_is_unresponsive_and_default_deadline_holds() {
    let server = RedisServer::with(ServerOptions::default().password("stop-pass-1"));
    server.signal("STOP");
    let run = diagnose(&server.url(), &[]);
    server.signal("CONT");
    expect_finding(&run.json(), "server-unresponsive", "critical");
    // Defaults: 2 s connect + 2 s reply, well inside the 10 s deadline.
    run.assert_within(10);
    assert_eq!(run.code(), 2);
}

#[test]
fn overall_deadline_caps_a_long_connect_timeout() {
    let server = RedisServer::start();
    server.signal("STOP");
    let run = diagnose(
        &server.url(),
        &[
            "--timeout",
            "1s",
            "--connect-timeout",
            "30s",
            "--command-timeout",
            "30s",
        ],
    );
    server.signal("CONT");
    expect_finding(&run.json(), "server-unresponsive", "critical");
    run.assert_within(4);
    assert_eq!(run.code(), 2);
}

#[test]
fn wrong_password_is_auth_failed_and_unknown() {
    let server = RedisServer::with(ServerOptions::default().password("right-pass-1"));
    let run = diagnose(
        &format!("redis://:wrong-pass-1@127.0.0.1:{}", server.port),
        &[],
    );
    let report = run.json();
    let f = expect_finding(&report, "auth-failed", "unknown");
    assert_eq!(f["evidence"]["user"], "default");
    assert_eq!(report["status"], "unknown");
    assert_eq!(run.code(), 3);
}

#[test]
fn missing_password_is_auth_required() {
    let server = RedisServer::with(ServerOptions::default().password("need-pass-1"));
    let run = diagnose(&server.bare_url(), &[]);
    expect_finding(&run.json(), "auth-required", "unknown");
    assert_eq!(run.code(), 3);
}

#[test]
fn unresolvable_host_is_dns_failure() {
    let run = diagnose(
        "redis://no-such-host.invalid:6379",
        &["--connect-timeout", "2s"],
    );
    let report = run.json();
    let f = expect_finding(&report, "dns-failure", "critical");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("no-such-host.invalid"),
        "{f:#}"
    );
    assert_eq!(run.code(), 2);
}

#[test]
fn tls_to_a_plaintext_port_is_a_tls_failure() {
    let server = RedisServer::start();
    let run = diagnose(
        &format!("rediss://127.0.0.1:{}", server.port),
        &["--connect-timeout", "1s", "--command-timeout", "1s"],
    );
    let report = run.json();
    let f = expect_finding(&report, "tls-failure", "critical");
    assert!(f["message"].as_str().unwrap().contains("TLS"), "{f:#}");
    assert_eq!(run.code(), 2);
}

#[test]
fn tls_with_ca_and_client_certificate() {
    if !server_has_tls() {
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key, client_cert, client_key) = make_certs(certs.path());
    let mut opts = ServerOptions::default()
        .config("maxmemory 50mb")
        .config("maxmemory-policy allkeys-lru")
        .password("tls-pass-1");
    opts.tls = Some((cert, key, ca.clone()));
    let server = RedisServer::with(opts);
    let url = format!("rediss://:tls-pass-1@127.0.0.1:{}", server.port);
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let (ca_s, cert_s, key_s) = (path(&ca), path(&client_cert), path(&client_key));
    let run = diagnose(
        &url,
        &[
            "--tls-ca",
            &ca_s,
            "--tls-cert",
            &cert_s,
            "--tls-key",
            &key_s,
        ],
    );
    let report = run.json();
    assert_eq!(problems(&report), Vec::<String>::new(), "{report:#}");
    assert_eq!(
        report["target"],
        format!("rediss://:***@127.0.0.1:{}/0", server.port)
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());

    // Plaintext to the TLS port: the server drops the connection.
    let run = diagnose(
        &format!("redis://:tls-pass-1@127.0.0.1:{}", server.port),
        &["--command-timeout", "1s"],
    );
    let report = run.json();
    let id = report["findings"][0]["id"].as_str().unwrap().to_string();
    assert!(
        id == "connection-closed" || id == "server-unresponsive",
        "{report:#}"
    );
    assert_eq!(run.code(), 2);

    // A CA that did not sign the server's certificate.
    let other = tempfile::tempdir().unwrap();
    let (other_ca, ..) = make_certs(other.path());
    let run = diagnose(&url, &["--tls-ca", other_ca.to_str().unwrap()]);
    let f = expect_finding(&run.json(), "tls-failure", "critical");
    // It says what to do: give the CA that signed it.
    assert!(
        f["evidence"]["detail"]
            .as_str()
            .unwrap()
            .ends_with("give the one that signed it with --tls-ca FILE"),
        "{f:#}"
    );
    assert_eq!(run.code(), 2);

    // The server requires a client certificate: the right CA alone is not
    // enough, so the successful run above did present one.
    let run = diagnose(&url, &["--tls-ca", &ca_s]);
    let report = run.json();
    let id = report["findings"][0]["id"].as_str().unwrap().to_string();
    assert!(
        id == "tls-failure" || id == "connection-closed",
        "without a client certificate: {report:#}"
    );
    assert_eq!(run.code(), 2);

    // A manual fix is ready to paste over TLS: the node, --tls and the
    // same CA and client certificate; the password only from REDISCLI_AUTH.
    // (The tests' redis crate has no TLS: redis-cli makes the slow-log entry.)
    for cmd in [
        &["CONFIG", "SET", "slowlog-log-slower-than", "0"][..],
        &["KEYS", "*"],
    ] {
        let out = std::process::Command::new("redis-cli")
            .args([
                "--tls", "--cacert", &ca_s, "--cert", &cert_s, "--key", &key_s,
            ])
            .args([
                "-p",
                &server.port.to_string(),
                "--no-auth-warning",
                "-a",
                "tls-pass-1",
            ])
            .args(cmd)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let run = diagnose(
        &url,
        &[
            "--tls-ca",
            &ca_s,
            "--tls-cert",
            &cert_s,
            "--tls-key",
            &key_s,
            "--only",
            "high-latency",
        ],
    );
    let f = expect_finding(&run.json(), "dangerous-commands", "warning");
    let commands: Vec<String> = f["fixes"][0]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert!(commands[0].contains("REDISCLI_AUTH"), "{commands:#?}");
    assert_eq!(
        commands[1],
        format!(
            "redis-cli -h 127.0.0.1 -p {} --tls --cacert {ca_s} --cert {cert_s} --key {key_s} SLOWLOG GET 20",
            server.port
        )
    );
    assert!(!run.stdout().contains("tls-pass-1"));
    let pasted = std::process::Command::new("sh")
        .args(["-c", &commands.join("\n")])
        .env("REDISCLI_AUTH", "tls-pass-1")
        .output()
        .unwrap();
    // Both pasted commands reached the server over TLS: the slow log, and
    // the client list showing the pasted redis-cli's own connection.
    let said = String::from_utf8_lossy(&pasted.stdout).to_lowercase();
    assert!(
        said.contains("slowlog") && said.contains("cmd=client|list"),
        "{pasted:?}"
    );
}

#[test]
fn target_from_seed_environment_variables() {
    let server = RedisServer::with(ServerOptions::default().password("env-pass-1"));
    let run = Cachectl::new()
        .args(["diagnose", "-o", "json", "--only", "redis-unreachable"])
        .env("REDIS_HOST", "127.0.0.1")
        .env("REDIS_PORT", &server.port.to_string())
        .env("REDIS_PASSWORD", "env-pass-1")
        .env("REDIS_DB", "2")
        .run();
    let report = run.json();
    assert_eq!(
        report["target"],
        format!("redis://:***@127.0.0.1:{}/2", server.port)
    );
    assert_eq!(run.code(), 0, "{report:#}");

    let run = Cachectl::new()
        .args(["diagnose", "-o", "json", "--only", "redis-unreachable"])
        .env("REDIS_URL", &server.bare_url())
        .env("REDISCLI_AUTH", "env-pass-1")
        .run();
    assert_eq!(run.code(), 0, "{}", run.stdout());
}

#[test]
fn password_from_stdin() {
    let server = RedisServer::with(ServerOptions::default().password("stdin-pass-1"));
    let run = diagnose_cmd(
        &server.bare_url(),
        &["--only", "redis-unreachable", "--password-stdin"],
    )
    .stdin("stdin-pass-1\n")
    .run();
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert_eq!(
        run.json()["target"],
        format!("redis://:***@127.0.0.1:{}/0", server.port)
    );
}

#[test]
fn cachectl_leaves_no_connection_open() {
    // That cachectl names its connection is shown by a user runbook reading
    // CLIENT LIST (runbooks::user_runbooks_add_checks_and_replace_built_ins).
    let server = RedisServer::with(ServerOptions::default().password("left-pass-1"));
    let before: u64 = server
        .info_field("total_connections_received")
        .parse()
        .unwrap();
    let run = diagnose(&server.url(), &[]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    let text: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query(&mut server.client())
        .unwrap();
    assert!(
        !text.contains("name=cachectl"),
        "cachectl left a connection open:\n{text}"
    );
    // cachectl's connection and its unauthenticated probe, plus the harness's
    // INFO connection and this CLIENT LIST one.
    let after: u64 = server
        .info_field("total_connections_received")
        .parse()
        .unwrap();
    assert_eq!(after - before, 4, "connections made: {}", after - before);
}

#[test]
fn long_running_script_is_server_busy() {
    // lua-time-limit: busy-reply-threshold's name before Redis 7 (an alias since).
    let server = RedisServer::with(ServerOptions::default().config("lua-time-limit 100"));
    let _script = server.send_raw("EVAL \"while true do end\" 0");
    std::thread::sleep(Duration::from_millis(400));
    let run = diagnose(&server.url(), &[]);
    let report = run.json();
    let f = expect_finding(&report, "server-busy", "critical");
    assert_eq!(f["fixes"][0]["commands"][0], "SCRIPT KILL");
    assert_eq!(run.code(), 2);
    let _: redis::RedisResult<()> = redis::cmd("SCRIPT").arg("KILL").query(&mut server.client());
}

#[test]
fn a_listener_that_never_accepts_is_a_connect_timeout() {
    // A full accept queue makes the kernel drop SYNs: what a host behind a
    // dropping firewall, or a process that stopped accepting, looks like.
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener
        .bind(
            &"127.0.0.1:0"
                .parse::<std::net::SocketAddr>()
                .unwrap()
                .into(),
        )
        .unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let _queued: Vec<_> = (0..2)
        .filter_map(|_| {
            std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)).ok()
        })
        .collect();
    let run = diagnose(
        &format!("redis://127.0.0.1:{}", addr.port()),
        &["--connect-timeout", "1s", "--command-timeout", "1s"],
    );
    let report = run.json();
    let f = expect_finding(&report, "connect-timeout", "critical");
    assert!(f["message"].as_str().unwrap().contains("firewall"), "{f:#}");
    run.assert_within(5);
    assert_eq!(run.code(), 2);
}

#[test]
fn a_server_loading_its_dataset_is_told_apart() {
    if !server_has(
        (7, 0),
        "loading-process-events-interval-bytes (a load slow enough to catch)",
    ) {
        return;
    }
    let source = RedisServer::start();
    source.cmd(&["DEBUG", "POPULATE", "20000"]);
    source.cmd(&["SAVE"]);
    let mut opts = ServerOptions::default()
        // 200 µs per key: 4 s of loading for 20 000 keys.
        .config("key-load-delay 200")
        .config("loading-process-events-interval-bytes 1024");
    opts.load_rdb = Some(source.dir.path().join("dump.rdb"));
    let server = RedisServer::with(opts);
    let run = diagnose(&server.url(), &[]);
    let report = run.json();
    let f = expect_finding(&report, "server-loading", "critical");
    assert!(f["message"].as_str().unwrap().contains("loading"), "{f:#}");
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        1,
        "{report:#}"
    );
    assert_eq!(run.code(), 2);
}
