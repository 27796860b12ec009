//! The application side: health, Prometheus metrics and JSON status
//! endpoints, served by a real HTTP server in the test, with Redis alongside.

use std::time::Duration;

use crate::app_server::{AppServer, Reply};
use crate::harness::*;

/// Exposition text as the Python client library writes it.
fn exposition(hits: u64, misses: u64, errors: u64) -> String {
    format!(
        "# HELP cache_hits_total Cache hits\n# TYPE cache_hits_total counter\n\
cache_hits_total{{cache=\"redis\",service=\"api\"}} {hits}.0\n\
cache_hits_created{{cache=\"redis\",service=\"api\"}} 1.700000000e+09\n\
# HELP cache_misses_total Cache misses\n# TYPE cache_misses_total counter\n\
cache_misses_total{{cache=\"redis\",service=\"api\"}} {misses}.0\n\
# HELP cache_errors_total Cache errors\n# TYPE cache_errors_total counter\n\
cache_errors_total{{cache=\"redis\",error=\"ConnectionError\"}} {errors}.0\n\
cache_errors_total{{cache=\"redis\",error=\"TimeoutError\"}} 0.0\n\
# HELP http_request_duration_seconds Latency\n# TYPE http_request_duration_seconds histogram\n\
http_request_duration_seconds_bucket{{le=\"0.1\",path=\"/api/v1/users\"}} 10.0\n\
http_request_duration_seconds_bucket{{le=\"+Inf\",path=\"/api/v1/users\"}} 12.0\n\
http_request_duration_seconds_sum{{path=\"/api/v1/users\"}} 0.9\n\
http_request_duration_seconds_count{{path=\"/api/v1/users\"}} 12.0\n"
    )
}

/// diagnose with --app; rates over 1 s unless `extra` sets --interval.
fn app_diagnose(redis_url: &str, app: &AppServer, extra: &[&str]) -> Run {
    let mut run = diagnose_cmd(redis_url, &["--app", &app.url()]);
    if !extra.contains(&"--interval") {
        run = run.args(["--interval", "1s"]);
    }
    run.args(extra).run()
}

#[test]
fn fallback_scenario_app_healthy_redis_down_errors_rising() {
    let app = AppServer::start();
    app.route(
        "/health/ready",
        Reply::json(200, r#"{"status":"ready","database":"ok"}"#),
    );
    // Every scrape 150 more connection errors, hits and misses frozen.
    app.route_fn("/metrics", |n| {
        Reply::metrics(&exposition(5000, 500, 100 + 150 * n as u64))
    });
    let dead = free_port();
    let run = app_diagnose(&format!("redis://127.0.0.1:{dead}"), &app, &[]);
    let report = run.json();
    expect_finding(&report, "connection-refused", "critical");
    let f = expect_finding(&report, "fallback-active", "warning");
    assert_eq!(f["runbook"], "app-fallback-active");
    assert_eq!(f["evidence"]["new_errors"], 150.0);
    assert_eq!(f["evidence"]["status"], 200);
    let interval = f["evidence"]["interval_s"].as_f64().unwrap();
    assert!((1.0..2.5).contains(&interval), "{interval}");
    // All 150 operations in the window failed.
    expect_finding(&report, "app-error-rate-critical", "critical");
    assert!(
        finding(&report, "app-errors-redis-healthy").is_none(),
        "Redis is down, not healthy"
    );
    assert_eq!(report["app"], format!("{}/", app.url()));
    assert_eq!(run.code(), 2);
    run.assert_within(6);
}

#[test]
fn cache_errors_while_redis_answers_point_between_them() {
    let server = RedisServer::with(
        ServerOptions::default()
            .password("corr-pass-1")
            .config("maxmemory 50mb")
            .config("maxmemory-policy allkeys-lru"),
    );
    let app = AppServer::start();
    app.route("/health/ready", Reply::json(200, r#"{"status":"ready"}"#));
    app.route_fn("/metrics", |n| {
        Reply::metrics(&exposition(
            1000 + 90 * n as u64,
            100 + 5 * n as u64,
            10 + 5 * n as u64,
        ))
    });
    let run = app_diagnose(
        &server.url(),
        &app,
        &["--only", "correlation,app-error-rate,app-hit-rate"],
    );
    let report = run.json();
    let f = expect_finding(&report, "app-errors-redis-healthy", "warning");
    assert_eq!(f["evidence"]["new_errors"], 5.0);
    // 5 errors of 100 operations in the window: 5%, the warning band.
    let f = expect_finding(&report, "app-error-rate-warning", "warning");
    assert_eq!(f["evidence"]["percent"], 5.0);
    // 90 hits of 95 lookups in the window: no hit-rate finding.
    assert!(finding(&report, "app-hit-rate-warning").is_none());
    assert_eq!(run.code(), 1);
}

#[test]
fn readiness_failing_shows_what_the_body_says_about_redis() {
    let app = AppServer::start();
    app.route(
        "/health/ready",
        Reply::json(
            503,
            r#"{"status":"not ready","redis":{"status":"down","error":"Connection refused"}}"#,
        ),
    );
    app.route("/metrics", Reply::metrics(&exposition(10, 0, 0)));
    let server = RedisServer::start();
    let run = app_diagnose(
        &server.url(),
        &app,
        &["--only", "app-readiness,app-endpoints", "--interval", "0"],
    );
    let report = run.json();
    let f = expect_finding(&report, "app-not-ready", "critical");
    assert_eq!(f["evidence"]["status"], 503);
    assert_eq!(f["evidence"]["redis_status"], "down");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("Connection refused"),
        "{f:#}"
    );
    // The generic 5xx finding leaves /health/ready to this runbook.
    assert!(finding(&report, "app-server-error").is_none());
    assert_eq!(run.code(), 2);

    let app = AppServer::start();
    app.route(
        "/health/ready",
        Reply::json(200, r#"{"status":"degraded","checks":{"redis":"down"}}"#),
    );
    let run = app_diagnose(&server.url(), &app, &["--only", "app-readiness"]);
    expect_finding(&run.json(), "app-reports-redis-down", "critical");
}

#[test]
fn each_endpoint_failure_mode_is_its_own_finding_and_nothing_stalls() {
    let server = RedisServer::start();
    let app = AppServer::start();
    app.route(
        "/health/ready",
        Reply::json(200, "{}").delayed(Duration::from_secs(5)),
    );
    app.route("/metrics", Reply::new(500, "text/plain", "boom"));
    app.route(
        "/internal/cache/status",
        Reply::new(200, "text/html", "<html>oops</html>"),
    );
    let mut truncated = Reply::json(
        200,
        &format!(
            "{{\"cache_hit_rate\": 0.9, \"pad\": \"{}\"}}",
            "x".repeat(500)
        ),
    );
    truncated.truncate_to = Some(40);
    app.route("/internal/cache/metrics", truncated);
    let mut huge = Reply::json(
        200,
        &format!(
            "{{\"total_cache_size_mb\": 1, \"pad\": \"{}\"}}",
            "y".repeat(2 << 20)
        ),
    );
    huge.no_length = true;
    app.route("/internal/cache/memory-stats", huge);
    let run = app_diagnose(
        &server.url(),
        &app,
        &["--command-timeout", "1s", "--interval", "0"],
    );
    let report = run.json();
    expect_finding(&report, "app-timeout", "critical");
    let f = expect_finding(&report, "app-server-error", "warning");
    assert_eq!(f["evidence"]["endpoints"][0], "/metrics 500");
    let f = expect_finding(&report, "app-bad-response", "warning");
    let problems = f["evidence"]["problems"].to_string();
    assert!(
        problems.contains("/internal/cache/status: not_json"),
        "{problems}"
    );
    assert!(
        problems.contains("/internal/cache/metrics: truncated"),
        "{problems}"
    );
    let f = expect_finding(&report, "app-body-too-large", "warning");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("/internal/cache/memory-stats"),
        "{f:#}"
    );
    run.assert_within(5);
    assert_eq!(run.code(), 2);
}

#[test]
fn refused_and_tls_failures_of_the_app() {
    let server = RedisServer::start();
    let port = free_port();
    let run = diagnose(
        &server.url(),
        &[
            "--app",
            &format!("http://127.0.0.1:{port}"),
            "--only",
            "app-readiness,app-endpoints",
        ],
    );
    let f = expect_finding(&run.json(), "app-refused", "critical");
    assert_eq!(f["evidence"]["paths"][0], "/health/ready");
    assert_eq!(run.code(), 2);
    // Its metrics refused too: the summary says so, not that no counters
    // were recognised.
    let run = diagnose(
        &server.url(),
        &[
            "--app",
            &format!("http://127.0.0.1:{port}"),
            "--only",
            "app-hit-rate",
        ],
    );
    let summary = run.json()["application"].clone();
    assert_eq!(summary["assessed"], false, "{summary:#}");
    assert_eq!(
        summary["unanswered"], "/metrics did not answer (refused: connection refused)",
        "{summary:#}"
    );
    let table = Cachectl::new()
        .args(["diagnose", "--url", &server.url(), "--app"])
        .arg(format!("http://127.0.0.1:{port}"))
        .args(["--only", "app-hit-rate"])
        .run()
        .stdout();
    assert!(
        table.contains("no cache counters: /metrics did not answer"),
        "{table}"
    );
    assert!(!table.contains("no cache counters recognised"), "{table}");

    let app = AppServer::start();
    app.route("/health/ready", Reply::json(200, "{}"));
    let run = diagnose(
        &server.url(),
        &[
            "--app",
            &format!("https://127.0.0.1:{}", app.port),
            "--only",
            "app-readiness,app-endpoints",
        ],
    );
    expect_finding(&run.json(), "app-tls", "critical");
    assert_eq!(run.code(), 2);
}

#[test]
fn json_status_endpoints_of_the_third_seed() {
    let server = RedisServer::start();
    let app = AppServer::start();
    app.route(
        "/internal/cache/status",
        Reply::json(200, r#"{"redis":{"status":"disconnected"}}"#),
    );
    app.route(
        "/internal/cache/metrics",
        Reply::json(200, r#"{"cache_hit_rate":0.42,"total_operations":1000}"#),
    );
    app.route(
        "/internal/cache/memory-stats",
        Reply::json(200, r#"{"total_cache_size_mb":120}"#),
    );
    let run = app_diagnose(&server.url(), &app, &["--only", "app-cache-status"]);
    let report = run.json();
    expect_finding(&report, "status-redis-not-ok", "critical");
    let f = expect_finding(&report, "status-hit-rate-critical", "critical");
    assert_eq!(f["evidence"]["percent"], 42.0);
    let f = expect_finding(&report, "status-memory-critical", "critical");
    assert_eq!(f["evidence"]["total_mb"], 120);
    assert_eq!(run.code(), 2);

    // An application without these endpoints: the checks do not apply.
    let bare = AppServer::start();
    let run = app_diagnose(
        &server.url(),
        &bare,
        &["--only", "app-cache-status,app-endpoints"],
    );
    let report = run.json();
    assert_eq!(report["findings"], serde_json::json!([]), "{report:#}");
    assert_eq!(report["checks"]["not_applicable"], 5);
    assert_eq!(run.code(), 0);
}

#[test]
fn hit_rate_from_two_scrapes_handles_a_counter_reset() {
    let server = RedisServer::start();
    let app = AppServer::start();
    // Between the scrapes the process restarts: counters drop to small
    // values. The window counts them from zero: 30 hits, 70 misses.
    app.route_fn("/metrics", |n| {
        Reply::metrics(&if n == 0 {
            exposition(90_000, 10_000, 0)
        } else {
            exposition(30, 70, 0)
        })
    });
    let run = app_diagnose(&server.url(), &app, &["--only", "app-hit-rate"]);
    let report = run.json();
    let f = expect_finding(&report, "app-hit-rate-critical", "critical");
    assert_eq!(f["evidence"]["hits"], 30.0);
    assert_eq!(f["evidence"]["misses"], 70.0);
    assert_eq!(f["evidence"]["percent"], 30.0);

    // One scrape (--interval 0): counts since start, 90% hits, no finding.
    let app = AppServer::start();
    app.route("/metrics", Reply::metrics(&exposition(90_000, 10_000, 0)));
    let run = app_diagnose(
        &server.url(),
        &app,
        &["--only", "app-hit-rate", "--interval", "0"],
    );
    assert_eq!(run.json()["findings"], serde_json::json!([]));
    assert_eq!(run.code(), 0);
}

#[test]
fn malformed_metrics_lines_do_not_lose_the_scrape() {
    let server = RedisServer::start();
    let app = AppServer::start();
    let text = format!(
        "{}broken{{le=\"unterminated}} 1\nanother garbage line\n",
        exposition(10, 990, 0)
    );
    app.route("/metrics", Reply::metrics(&text));
    let run = app_diagnose(
        &server.url(),
        &app,
        &["--only", "app-hit-rate", "--interval", "0"],
    );
    let f = expect_finding(&run.json(), "app-hit-rate-critical", "critical");
    assert_eq!(f["evidence"]["percent"], 1.0);
    app.route("/metrics", Reply::metrics("not metrics at all {{{\n"));
    let run = app_diagnose(
        &server.url(),
        &app,
        &["--only", "app-hit-rate,app-endpoints", "--interval", "0"],
    );
    let f = expect_finding(&run.json(), "app-bad-response", "warning");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("bad_metrics (no metrics could be read (line 1:"),
        "{f:#}"
    );
}

#[test]
fn hot_set_evicted_needs_both_sides() {
    let server = evicting_server();
    let app = AppServer::start();
    app.route_fn("/metrics", |n| {
        Reply::metrics(&exposition(100 + 50 * n as u64, 100 + 50 * n as u64, 0))
    });
    let run = app_diagnose(&server.url(), &app, &["--only", "correlation"]);
    let f = expect_finding(&run.json(), "hot-set-evicted", "warning");
    assert_eq!(f["evidence"]["miss_percent"], 50.0);
    assert_eq!(run.code(), 1);
}

#[test]
fn headers_come_from_env_and_are_never_printed() {
    let server = RedisServer::start();
    let app = AppServer::start();
    app.route("/internal/secure", Reply::json(200, r#"{"ok":true}"#));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("secure.yaml"),
        "id: secure-probe\ntitle: Secure\nsource: test\nhttp:\n  - id: secure\n    path: /internal/secure\n    format: json\n    headers:\n      Authorization: {env: APP_TOKEN_FOR_TEST, prefix: \"Bearer \"}\n    values:\n      ok: $.ok\nchecks:\n  - id: secure-ok\n    title: Secure endpoint answered\n    when: http.secure.values.ok == true\n    severity: info\n    score: 1\n    evidence:\n      body: http.secure.body\n    message: \"{body}\"\n",
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let token = "tok-9f8e7d6c5b4a";
    let probe = || {
        let only = ["--runbooks", d, "--only", "secure-probe,app-endpoints"];
        diagnose_cmd(&server.url(), &["--app", &app.url()]).args(only)
    };
    let run = probe().env("APP_TOKEN_FOR_TEST", token).run();
    expect_finding(&run.json(), "secure-ok", "info");
    assert!(!run.all_output().contains(token));
    let heads = app.requests.lock().unwrap().join("\n");
    assert!(
        heads.contains(&format!("authorization: Bearer {token}")),
        "{heads}"
    );

    let run = probe().run();
    let f = expect_finding(&run.json(), "app-probe-misconfigured", "unknown");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("$APP_TOKEN_FOR_TEST, which is not set"),
        "{f:#}"
    );
    assert_eq!(run.code(), 3);
}

#[test]
fn bad_jsonpath_and_selectors_are_load_errors_with_positions() {
    let base = "id: probe\ntitle: P\nsource: test\nhttp:\n  - id: s\n    path: /x\n    format: json\n    values:\n      v: $.a\nchecks:\n  - id: c\n    title: C\n    when: http.s.ok\n    severity: info\n    score: 1\n    message: m\n";
    let cases = [
        (
            base.replace("v: $.a", "v: $[?bad"),
            ":9:10: bad JSONPath `$[?bad`",
        ),
        (
            base.replace(
                "format: json\n    values:\n      v: $.a",
                "format: prometheus\n    series:\n      v: 'm{a=~\"x\"}'",
            ),
            ":9:10: bad series selector",
        ),
        (
            base.replace("when: http.s.ok", "when: http.nope.ok"),
            ":13:11: bad expression in `when`: unknown HTTP step `nope`; this runbook declares: s",
        ),
        (
            base.replace("when: http.s.ok", "when: http.s.values.w == 1"),
            ":13:11: bad expression in `when`: unknown fact `http.s.values.w`",
        ),
        (
            base.replace("path: /x", "path: x"),
            ":6:11: path `x` must start with `/`",
        ),
        // A step is sent on every diagnose, unasked: it reads. A write to
        // the application is an http fix, through consent.
        (
            base.replace("path: /x", "path: /x\n    method: POST"),
            ":7:13: method `POST` would write to the application on every run",
        ),
        (
            base.replace("path: /x", "path: /x\n    method: delete"),
            ":7:13: method `DELETE` would write to the application on every run",
        ),
    ];
    expect_rejected(&cases);
}

#[test]
fn https_app_with_a_private_ca() {
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key, ..) = make_certs(certs.path());
    let app = AppServer::start_tls(&cert, &key);
    app.route(
        "/health/ready",
        Reply::json(503, r#"{"redis":{"status":"down"}}"#),
    );
    let server = RedisServer::start();
    let url = format!("https://127.0.0.1:{}", app.port);
    let only = ["--only", "app-readiness,app-endpoints"];
    let ca = ca.to_str().unwrap();
    let run = diagnose_cmd(&server.url(), &["--app", &url, "--app-ca", ca])
        .args(only)
        .run();
    let f = expect_finding(&run.json(), "app-not-ready", "critical");
    assert_eq!(f["evidence"]["redis_status"], "down");
    // Without the CA, the system roots do not know it: a TLS finding.
    let run = diagnose(
        &server.url(),
        &["--app", &url, "--only", "app-readiness,app-endpoints"],
    );
    let f = expect_finding(&run.json(), "app-tls", "critical");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("certificate"),
        "{f:#}"
    );
    // A CA file that is not PEM is a bad argument.
    let run = diagnose(
        &server.url(),
        &["--app", &url, "--app-ca", key.to_str().unwrap()],
    );
    assert_eq!(run.code(), 3, "{}", run.stderr());
    assert!(run.stderr().contains("--app-ca"), "{}", run.stderr());
}

/// An exporter with `n` series each of hits and misses; every scrape adds
/// one hit to every series and three misses to the first half of them.
fn large_exporter(n: usize, scrape: usize) -> String {
    let mut body = String::with_capacity(n * 90);
    body.push_str("# TYPE cache_hits_total counter\n");
    for i in 0..n {
        body.push_str(&format!(
            "cache_hits_total{{service=\"api\",shard=\"{i}\"}} {}\n",
            1000 + i + scrape
        ));
    }
    body.push_str("# TYPE cache_misses_total counter\n");
    for i in 0..n {
        let misses = if i < n / 2 { 3 * scrape } else { 0 };
        body.push_str(&format!(
            "cache_misses_total{{shard=\"{i}\",service=\"api\"}} {}\n",
            10 + misses
        ));
    }
    body
}

#[test]
fn a_large_exporter_is_paired_series_by_series_and_its_size_is_named() {
    const SERIES: usize = 50_000;
    let server = RedisServer::start();
    let app = AppServer::start();
    let bodies = [large_exporter(SERIES, 0), large_exporter(SERIES, 1)];
    let size = bodies[1].len();
    app.route_fn("/metrics", move |i| Reply::metrics(&bodies[i.min(1)]));
    let run = app_diagnose(
        &server.url(),
        &app,
        &["--only", "app-hit-rate", "--interval", "100ms"],
    );
    let report = run.json();
    // 50,000 hits against 75,000 misses over the window: 40%.
    let f = expect_finding(&report, "app-hit-rate-critical", "critical");
    assert_eq!(f["evidence"]["hits"], 50_000.0);
    assert_eq!(f["evidence"]["misses"], 75_000.0);
    assert_eq!(f["evidence"]["percent"], 40.0);
    assert_eq!(run.code(), 2);

    let run = app_diagnose(
        &server.url(),
        &app,
        &["--only", "app-hit-rate,app-endpoints", "--max-body", "1MiB"],
    );
    let report = run.json();
    let f = expect_finding(&report, "app-body-too-large", "warning");
    let message = f["message"].as_str().unwrap();
    // The size seen is named: later scrapes serve the second body.
    assert!(
        message.contains(&format!("Content-Length {size},")),
        "{message}"
    );
    assert!(message.contains("1048576 byte limit"), "{message}");
}

/// A user runbook probing /internal/secure with an API key from the environment.
fn secure_probe(dir: &std::path::Path, header: &str) {
    std::fs::write(
        dir.join("secure.yaml"),
        format!("id: secure-probe\ntitle: Secure\nsource: test\nhttp:\n  - id: secure\n    path: /internal/secure\n    format: json\n    headers:\n      {header}: {{env: APP_KEY_FOR_TEST, prefix: \"Bearer \"}}\nchecks:\n  - id: secure-ok\n    title: Secure endpoint answered\n    when: http.secure.ok\n    severity: info\n    score: 1\n    message: ok\n"),
    )
    .unwrap();
}

#[test]
fn redirects_are_not_followed_across_origins_and_headers_stay_home() {
    let server = RedisServer::start();
    let elsewhere = AppServer::start();
    elsewhere.route("/steal", Reply::json(200, "{}"));
    let app = AppServer::start();
    app.route(
        "/internal/secure",
        Reply::redirect(
            302,
            &format!("http://127.0.0.1:{}/steal?token=abc123", elsewhere.port),
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    secure_probe(dir.path(), "X-Api-Key");
    let d = dir.path().to_str().unwrap();
    for extra in [&[][..], &["--app-follow-redirects"][..]] {
        let run = diagnose_cmd(&server.url(), &["--app", &app.url(), "--interval", "0"])
            .args(["--runbooks", d, "--only", "secure-probe,app-endpoints"])
            .args(extra)
            .env("APP_KEY_FOR_TEST", "key-that-stays-home")
            .run();
        let report = run.json();
        let f = expect_finding(&report, "app-redirected", "warning");
        let message = f["message"].as_str().unwrap();
        assert!(
            message.contains(&format!(
                "to http://127.0.0.1:{}/steal?token=***",
                elsewhere.port
            )),
            "{message}"
        );
        assert!(finding(&report, "secure-ok").is_none());
        assert!(!run.all_output().contains("key-that-stays-home"));
    }
    assert!(
        elsewhere.requests.lock().unwrap().is_empty(),
        "the other origin was contacted: {:?}",
        elsewhere.requests.lock().unwrap()
    );

    // Within the origin, and only with the flag, a redirect is followed.
    let app = AppServer::start();
    app.route("/internal/secure", Reply::redirect(307, "/internal/real"));
    app.route("/internal/real", Reply::json(200, "{\"ok\": true}"));
    let run = diagnose_cmd(&server.url(), &["--app", &app.url(), "--interval", "0"])
        .args([
            "--runbooks",
            d,
            "--only",
            "secure-probe,app-endpoints",
            "--app-follow-redirects",
        ])
        .env("APP_KEY_FOR_TEST", "key-that-stays-home")
        .run();
    let report = run.json();
    expect_finding(&report, "secure-ok", "info");
    assert!(finding(&report, "app-redirected").is_none());
    let heads = app.requests.lock().unwrap().join("\n");
    assert!(heads.contains("GET /internal/real"), "{heads}");
}

#[test]
fn a_step_authorization_header_wins_over_url_credentials() {
    let server = RedisServer::start();
    let app = AppServer::start();
    app.route("/internal/secure", Reply::json(200, "{\"ok\": true}"));
    let dir = tempfile::tempdir().unwrap();
    secure_probe(dir.path(), "Authorization");
    let url = format!("http://ops:url-password@127.0.0.1:{}", app.port);
    let run = diagnose_cmd(&server.url(), &["--app", &url, "--interval", "0"])
        .args([
            "--runbooks",
            dir.path().to_str().unwrap(),
            "--only",
            "secure-probe",
        ])
        .env("APP_KEY_FOR_TEST", "step-token")
        .run();
    expect_finding(&run.json(), "secure-ok", "info");
    let heads = app.requests.lock().unwrap().join("\n").to_ascii_lowercase();
    assert_eq!(heads.matches("authorization:").count(), 1, "{heads}");
    assert!(
        heads.contains("authorization: bearer step-token"),
        "{heads}"
    );
    assert!(!heads.contains("basic"), "{heads}");
}
