//! The application's cache counters in the dialects real frameworks export,
//! served by a real HTTP server in the test, and checks that had no data:
//! never counted as passed, and a report blind to the application is not OK.

use crate::app_server::{AppServer, Reply};
use crate::harness::*;

fn skipped<'a>(report: &'a serde_json::Value, check: &str) -> &'a serde_json::Value {
    report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["check"] == check)
        .unwrap_or_else(|| panic!("`{check}` not among the skipped: {:#}", report["skipped"]))
}

/// Micrometer through Spring Boot's old simpleclient registry (trailing
/// commas), as `/actuator/prometheus` serves it, with a `pending` result
/// that is neither a hit nor a miss; `n` scales the counts per scrape.
fn micrometer(books_miss: u64, authors_hit: u64, authors_miss: u64) -> String {
    format!(
        "# HELP cache_gets_total the number of times cache lookup methods have returned a cached (hit) or uncached (newly loaded or null) value (miss).\n\
# TYPE cache_gets_total counter\n\
cache_gets_total{{cache=\"books\",cache_manager=\"cacheManager\",name=\"books\",result=\"hit\",}} 0.0\n\
cache_gets_total{{cache=\"books\",cache_manager=\"cacheManager\",name=\"books\",result=\"miss\",}} {books_miss}.0\n\
cache_gets_total{{cache=\"books\",cache_manager=\"cacheManager\",name=\"books\",result=\"pending\",}} 3.0\n\
cache_gets_total{{cache=\"authors\",cache_manager=\"cacheManager\",name=\"authors\",result=\"hit\",}} {authors_hit}.0\n\
cache_gets_total{{cache=\"authors\",cache_manager=\"cacheManager\",name=\"authors\",result=\"miss\",}} {authors_miss}.0\n\
# HELP cache_puts_total The number of entries added to the cache\n\
# TYPE cache_puts_total counter\n\
cache_puts_total{{cache=\"books\",cache_manager=\"cacheManager\",name=\"books\",}} {books_miss}.0\n\
# HELP cache_size The number of entries in this cache.\n\
# TYPE cache_size gauge\n\
cache_size{{cache=\"books\",cache_manager=\"cacheManager\",name=\"books\",}} 300.0\n\
# HELP jvm_threads_live_threads The current number of live threads\n\
# TYPE jvm_threads_live_threads gauge\n\
jvm_threads_live_threads 31.0\n"
    )
}

#[test]
fn micrometer_hit_rate_in_total_and_per_cache_over_the_window() {
    let server = RedisServer::start();
    let app = AppServer::start();
    app.route("/health/ready", Reply::json(200, r#"{"status":"UP"}"#));
    // Between the two scrapes: books 300 more misses, authors 30 hits and
    // 70 misses more.
    app.route_fn("/metrics", |n| {
        let n = n as u64;
        Reply::metrics(&micrometer(1000 + 300 * n, 5000 + 30 * n, 100 + 70 * n))
    });
    let run = diagnose_app(
        &server.url(),
        &app.url(),
        "300ms",
        "app-hit-rate,app-error-rate",
    )
    .run();
    let report = run.json();
    let f = expect_finding(&report, "app-hit-rate-critical", "critical");
    // 30 hits of 400 lookups in the window: 7.5%.
    assert_eq!(f["evidence"]["percent"], 7.5);
    assert_eq!(f["evidence"]["hits"], 30.0);
    assert_eq!(f["evidence"]["misses"], 370.0);
    assert_eq!(f["evidence"]["dialect"], "micrometer");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("books 0% of 300") && message.contains("authors 30% of 100"),
        "{message}"
    );
    let a = &report["application"];
    assert_eq!(a["dialect"], "micrometer");
    assert_eq!(a["metrics"]["hits"], "cache_gets_total{result=\"hit\"}");
    assert_eq!(a["hit_percent"], 7.5);
    assert_eq!(a["caches"][0]["name"], "books");
    assert_eq!(a["caches"][0]["label"], "cache");
    assert_eq!(a["caches"][0]["hit_percent"], 0.0);
    assert_eq!(a["caches"][1]["name"], "authors");
    assert_eq!(a["caches"][1]["hit_percent"], 30.0);
    // Micrometer has no error counter: the error-rate checks are not run,
    // saying why, and are not counted as passed.
    let s = skipped(&report, "app-error-rate-critical");
    assert_eq!(s["no_data"], true);
    assert!(
        s["reason"].as_str().unwrap().contains("no errors counter"),
        "{s}"
    );
    assert!(a.get("errors").is_none(), "{a}");
    assert_eq!(report["checks"]["no_data"], 2);
    // Three app checks passed, besides the gate's (every run has them).
    assert_eq!(
        report["checks"]["passed"],
        3 + gate_checks(),
        "{:#}",
        report["checks"]
    );
    assert_eq!(run.code(), 2);

    // The table names the dialect and each cache.
    let table = Cachectl::new()
        .args(["diagnose", "--url", &server.url(), "--app", &app.url()])
        .args(["--interval", "0", "--only", "app-hit-rate,app-error-rate"])
        .run()
        .stdout();
    assert!(
        table.contains("micrometer metrics: hits=cache_gets_total{result=\"hit\"}"),
        "{table}"
    );
    assert!(table.contains("cache=books: "), "{table}");
    assert!(table.contains("Not run: no data"), "{table}");
}

#[test]
fn one_counter_with_a_status_label() {
    let server = RedisServer::start();
    let app = AppServer::start();
    app.route(
        "/metrics",
        Reply::metrics(
            "# HELP app_cache_operations_total Cache operations\n# TYPE app_cache_operations_total counter\n\
app_cache_operations_total{cache=\"sessions\",status=\"hit\"} 620\n\
app_cache_operations_total{cache=\"sessions\",status=\"miss\"} 380\n\
app_cache_operations_total{cache=\"sessions\",status=\"error\"} 80\n\
http_requests_total{status=\"200\"} 9000\n",
        ),
    );
    let run = diagnose_app(
        &server.url(),
        &app.url(),
        "0",
        "app-hit-rate,app-error-rate",
    )
    .run();
    let report = run.json();
    // 620 of 1,000 lookups: the warning band.
    let f = expect_finding(&report, "app-hit-rate-warning", "warning");
    assert_eq!(f["evidence"]["percent"], 62.0);
    assert_eq!(f["evidence"]["dialect"], "status-label");
    // 80 errors of 1,080 operations: 7.41%, critical.
    let f = expect_finding(&report, "app-error-rate-critical", "critical");
    assert_eq!(f["evidence"]["errors"], 80.0);
    assert_eq!(
        report["application"]["metrics"]["errors"],
        "app_cache_operations_total{status=\"error\"}"
    );
    assert_eq!(report["checks"]["no_data"], 0);
    assert_eq!(run.code(), 2);
}

/// What django-prometheus serves while every lookup misses: hits declared
/// with no series yet (a known zero), the fail counter declared too.
fn django(misses: u64) -> String {
    format!(
        "# HELP django_cache_get_total Total get requests on cache\n# TYPE django_cache_get_total counter\n\
django_cache_get_total{{backend=\"redis\"}} {misses}.0\n\
# HELP django_cache_get_created Total get requests on cache\n# TYPE django_cache_get_created gauge\n\
django_cache_get_created{{backend=\"redis\"}} 1.7e+09\n\
# HELP django_cache_get_hits_total Total hits on cache\n# TYPE django_cache_get_hits_total counter\n\
# HELP django_cache_get_misses_total Total misses on cache\n# TYPE django_cache_get_misses_total counter\n\
django_cache_get_misses_total{{backend=\"redis\"}} {misses}.0\n\
# HELP django_cache_get_fail_total Total get request failures by cache\n# TYPE django_cache_get_fail_total counter\n"
    )
}

#[test]
fn unknown_names_are_not_a_pass_and_app_metric_maps_them() {
    let server = RedisServer::start();
    let app = AppServer::start();
    app.route("/health/ready", Reply::json(200, r#"{"status":"ok"}"#));
    app.route(
        "/metrics",
        Reply::metrics(
            "# TYPE shop_cache_hit_total counter\nshop_cache_hit_total 10\n\
# TYPE shop_cache_lookup_total counter\nshop_cache_lookup_total{outcome=\"miss\"} 390\nshop_cache_lookup_total{outcome=\"stale\"} 7\n",
        ),
    );
    let only = "app-hit-rate,app-error-rate,app-fallback-active,correlation";
    let run = diagnose_app(&server.url(), &app.url(), "0", only).run();
    let report = run.json();
    let f = expect_finding(&report, "app-cache-metrics-unrecognised", "unknown");
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("--app-metric hits=NAME"));
    for check in [
        "app-hit-rate-critical",
        "app-hit-rate-warning",
        "app-error-rate-critical",
    ] {
        let s = skipped(&report, check);
        assert_eq!(s["no_data"], true);
        assert!(
            s["reason"]
                .as_str()
                .unwrap()
                .contains("no cache counters recognised"),
            "{s}"
        );
    }
    assert_eq!(
        report["checks"]["passed"],
        gate_checks(),
        "{:#}",
        report["checks"]
    );
    assert_eq!(report["application"]["dialect"], "");
    assert_eq!(report["status"], "unknown");
    assert_eq!(run.code(), 3);

    // Named with --app-metric, the same endpoint is judged.
    let run = diagnose_app(&server.url(), &app.url(), "0", "app-hit-rate")
        .args([
            "--app-metric",
            "hits=shop_cache_hit_total",
            "--app-metric",
            "misses=shop_cache_lookup_total{outcome=\"miss\"}",
        ])
        .run();
    let report = run.json();
    let f = expect_finding(&report, "app-hit-rate-critical", "critical");
    assert_eq!(f["evidence"]["percent"], 2.5);
    assert_eq!(f["evidence"]["dialect"], "custom (--app-metric)");
    assert_eq!(run.code(), 2);

    // A bad mapping is a usage error naming the flag.
    let run = diagnose_cmd(
        &server.url(),
        &["--app", &app.url(), "--app-metric", "hit=x_total"],
    )
    .run();
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr()
            .contains("--app-metric `hit=x_total`: unknown role `hit`"),
        "{}",
        run.stderr()
    );
}

#[test]
fn every_app_check_without_data_is_said_in_the_header_and_is_not_ok() {
    let server = RedisServer::start();
    // An application that serves neither /metrics nor /health/ready.
    let app = AppServer::start();
    app.route("/", Reply::new(200, "text/html", "<h1>shop</h1>"));
    let run = diagnose_app(
        &server.url(),
        &app.url(),
        "0",
        "app-hit-rate,app-error-rate,app-readiness",
    )
    .run();
    let report = run.json();
    let f = expect_finding(&report, "app-no-data", "unknown");
    assert_eq!(f["evidence"]["app_checks"], 8);
    let reasons = f["evidence"]["reasons"].to_string();
    assert!(
        reasons.contains("/metrics is not served (HTTP 404)"),
        "{reasons}"
    );
    assert!(
        reasons.contains("/health/ready is not served (HTTP 404)"),
        "{reasons}"
    );
    assert_eq!(report["application"]["assessed"], false);
    assert_eq!(report["application"]["judged"], 0);
    assert_eq!(report["checks"]["passed"], gate_checks());
    assert_eq!(report["checks"]["no_data"], 8);
    assert_eq!(run.code(), 3);
    let table = Cachectl::new()
        .args(["diagnose", "--url", &server.url(), "--app", &app.url()])
        .args([
            "--interval",
            "0",
            "--only",
            "app-hit-rate,app-error-rate,app-readiness",
        ])
        .run();
    let first = header(&table.stdout());
    assert!(first.starts_with("UNKNOWN"), "{first}");
    assert!(
        first.contains("NOT ASSESSED: no check about it had data"),
        "{first}"
    );
    assert_eq!(table.code(), 3);
}

#[test]
fn django_prometheus_counters_while_every_lookup_misses() {
    let server = RedisServer::start();
    let app = AppServer::start();
    app.route("/health/ready", Reply::json(200, r#"{"status":"ok"}"#));
    app.route_fn("/metrics", |n| {
        Reply::metrics(&django(400 * (n as u64 + 1)))
    });
    let run = diagnose_app(
        &server.url(),
        &app.url(),
        "300ms",
        "app-hit-rate,app-error-rate",
    )
    .run();
    let report = run.json();
    let f = expect_finding(&report, "app-hit-rate-critical", "critical");
    assert_eq!(f["evidence"]["percent"], 0.0);
    assert_eq!(f["evidence"]["misses"], 400.0);
    assert_eq!(f["evidence"]["dialect"], "django-prometheus");
    // The fail counter is declared with no series: zero errors, judged.
    assert!(finding(&report, "app-error-rate-critical").is_none());
    assert_eq!(report["checks"]["no_data"], 0, "{:#}", report["skipped"]);
    assert_eq!(report["application"]["caches"][0]["label"], "backend");
    assert_eq!(report["application"]["caches"][0]["name"], "redis");
    assert_eq!(run.code(), 2);
}

#[test]
fn too_few_lookups_to_judge_is_not_a_pass() {
    let server = RedisServer::start();
    let app = AppServer::start();
    // 12 lookups and 3 operations more in the window: data, but too
    // little to judge a rate by.
    app.route_fn("/metrics", |n| {
        let n = n as u64;
        Reply::metrics(&format!(
            "cache_hits_total{{cache=\"redis\"}} {}\ncache_misses_total{{cache=\"redis\"}} {}\ncache_errors_total{{cache=\"redis\"}} {}\n",
            5000 + 2 * n,
            100 + 10 * n,
            7 + 3 * n
        ))
    });
    let run = diagnose_app(
        &server.url(),
        &app.url(),
        "300ms",
        "app-hit-rate,app-error-rate",
    )
    .run();
    let report = run.json();
    let s = skipped(&report, "app-hit-rate-critical");
    assert_eq!(s["no_data"], true);
    assert_eq!(
        s["reason"],
        "12 lookups in the window are too few to judge a hit rate (min_lookups 100)"
    );
    let s = skipped(&report, "app-error-rate-warning");
    assert_eq!(
        s["reason"],
        "15 cache operations in the window are too few to judge an error rate (min_operations 100)"
    );
    assert_eq!(report["checks"]["no_data"], 4, "{:#}", report["skipped"]);
    assert_eq!(run.code(), 0);
}

#[test]
fn app_header_goes_to_every_app_request_from_the_environment_only() {
    let server = RedisServer::start();
    let app = AppServer::start();
    app.route("/health/ready", Reply::json(200, r#"{"status":"ok"}"#));
    app.route(
        "/metrics",
        Reply::metrics("cache_hits_total 900\ncache_misses_total 100\n"),
    );
    let token = "Bearer tok-app-5e4d3c2b1a";
    let run = diagnose_app(&server.url(), &app.url(), "0", "app-hit-rate,app-readiness")
        .args(["--app-header", "Authorization=SHOP_AUTH_FOR_TEST"])
        .env("SHOP_AUTH_FOR_TEST", token)
        .run();
    assert_eq!(run.code(), 0, "{}", run.all_output());
    assert!(!run.all_output().contains("tok-app-5e4d3c2b1a"));
    for path in ["/metrics", "/health/ready"] {
        let sent = app.received("GET", path);
        assert!(!sent.is_empty(), "{path}");
        assert!(
            sent.iter().all(|r| r
                .to_ascii_lowercase()
                .contains("authorization: bearer tok-app-5e4d3c2b1a")),
            "{sent:?}"
        );
    }
    // The variable unset: a usage error naming the flag, nothing asked.
    let before = app.requests.lock().unwrap().len();
    let run = diagnose_app(&server.url(), &app.url(), "0", "app-hit-rate")
        .args(["--app-header", "Authorization=SHOP_AUTH_UNSET_FOR_TEST"])
        .run();
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr()
            .contains("--app-header `Authorization=SHOP_AUTH_UNSET_FOR_TEST`: $SHOP_AUTH_UNSET_FOR_TEST is not set"),
        "{}",
        run.stderr()
    );
    assert_eq!(app.requests.lock().unwrap().len(), before);
}

#[test]
fn each_reason_for_no_data_names_what_was_missing() {
    let server = RedisServer::start();
    let reason = |report: &serde_json::Value, check: &str| {
        let s = skipped(report, check);
        assert_eq!(s["no_data"], true, "{s}");
        s["reason"].as_str().unwrap().to_string()
    };
    // A health body with none of the fields read; /metrics failing.
    let app = AppServer::start();
    app.route("/health/ready", Reply::json(200, r#"{"status":"ok"}"#));
    app.route("/metrics", Reply::new(500, "text/plain", "boom"));
    let only = "app-readiness,app-hit-rate,app-fallback-active";
    let report = diagnose_app(&server.url(), &app.url(), "0", only)
        .run()
        .json();
    assert_eq!(
        reason(&report, "app-reports-redis-down"),
        "/health/ready has none of the values it reads (checks_redis, redis_connected, redis_status)"
    );
    assert_eq!(
        reason(&report, "app-hit-rate-critical"),
        "/metrics answered, unusably (server_error: HTTP 500 from /metrics)"
    );
    // Readable counters, but one scrape where increases are read.
    app.route(
        "/metrics",
        Reply::metrics("cache_hits_total 5\ncache_misses_total 5\ncache_errors_total 1\n"),
    );
    let report = diagnose_app(&server.url(), &app.url(), "0", only)
        .run()
        .json();
    assert_eq!(
        reason(&report, "fallback-active"),
        "/metrics was scraped once (--interval 0, or the first scrape failed); increases need two"
    );
    // Nothing listening.
    let dead = format!("http://127.0.0.1:{}", free_port());
    let report = diagnose_app(&server.url(), &dead, "0", only).run().json();
    assert_eq!(
        reason(&report, "app-not-ready"),
        "/health/ready did not answer (refused: connection refused)"
    );
    assert_eq!(report["checks"]["app_judged"], 0);
    assert_eq!(
        report["checks"]["passed"],
        gate_checks(),
        "{:#}",
        report["checks"]
    );
}
