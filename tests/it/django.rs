//! A real application: a Django 5.2 shop caching product lookups through
//! django-redis, its cache counted by django-prometheus 2.5 (installed from
//! PyPI into the test's own venv), with IGNORE_EXCEPTIONS on, so a Redis
//! outage is a silent fallback. `cachectl diagnose --app` must see a low
//! hit rate, and Redis down, from what the shop really exports.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::harness::*;

/// The venv with Django, django-redis and django-prometheus
/// (tests/django/requirements.txt).
fn venv() -> &'static Path {
    python_venv("django")
}

/// The shop, served on a free port; killed when dropped.
struct Shop {
    port: u16,
    child: Child,
}

impl Shop {
    fn start(redis_url: &str) -> Shop {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/django");
        let mut child = Command::new(venv().join("bin/python"))
            .arg(dir.join("serve.py"))
            .env("REDIS_URL", redis_url)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the Django shop");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the Django shop did not start in 60 s");
        let port = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the Django shop said `{line}`"));
        Shop { port, child }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// GET `path`: the status and the body.
    fn get(&self, path: &str) -> (u16, String) {
        get(self.port, path)
    }
}

fn get(port: u16, path: &str) -> (u16, String) {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    conn.read_to_string(&mut text).unwrap();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

impl Drop for Shop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_django_shop_missing_every_lookup_is_a_critical_hit_rate() {
    let server = RedisServer::start();
    let shop = Shop::start(&server.bare_url());
    // 400 products asked once each: 400 misses in a row.
    for id in 0..400 {
        let (status, body) = shop.get(&format!("/product/{id}"));
        assert_eq!(status, 200, "{body}");
    }
    let run = diagnose_app(
        &server.url(),
        &shop.url(),
        "0",
        "app-hit-rate,app-error-rate,app-readiness",
    )
    .run();
    let report = run.json();
    let f = expect_finding(&report, "app-hit-rate-critical", "critical");
    assert_eq!(f["evidence"]["percent"], 0.0);
    assert_eq!(f["evidence"]["hits"], 0.0);
    assert_eq!(f["evidence"]["misses"], 400.0);
    assert_eq!(f["evidence"]["dialect"], "django-prometheus");
    let a = &report["application"];
    assert_eq!(a["dialect"], "django-prometheus");
    assert_eq!(a["metrics"]["gets"], "django_cache_get_total");
    assert_eq!(a["caches"][0]["label"], "backend");
    assert_eq!(a["caches"][0]["name"], "redis");
    assert_eq!(a["caches"][0]["lookups"], 400.0);
    // The fail counter is declared (no failures): the error rate is judged.
    assert_eq!(a["errors"], 0.0);
    assert!(finding(&report, "app-error-rate-critical").is_none());
    assert_eq!(report["checks"]["no_data"], 0, "{:#}", report["skipped"]);
    assert_eq!(run.code(), 2);

    // The same 400 again: all hits now, 50% in total, the warning band.
    for id in 0..400 {
        shop.get(&format!("/product/{id}"));
    }
    let report = diagnose_app(&server.url(), &shop.url(), "0", "app-hit-rate")
        .run()
        .json();
    let f = expect_finding(&report, "app-hit-rate-warning", "warning");
    assert_eq!(f["evidence"]["percent"], 50.0);
}

#[test]
fn a_django_shop_falling_back_while_redis_is_down() {
    let mut server = RedisServer::start();
    let shop = Shop::start(&server.bare_url());
    for id in 0..50 {
        assert_eq!(shop.get(&format!("/product/{id}")).0, 200);
    }
    server.kill();
    // The shop still answers: IGNORE_EXCEPTIONS, every lookup a failure.
    for id in 0..50 {
        let (status, body) = shop.get(&format!("/product/{id}"));
        assert_eq!(status, 200, "{body}");
    }
    // Traffic goes on while cachectl scrapes twice.
    let stop = Arc::new(AtomicBool::new(false));
    let traffic = {
        let (stop, port) = (stop.clone(), shop.port);
        std::thread::spawn(move || {
            let mut id = 1000;
            while !stop.load(Ordering::Relaxed) {
                get(port, &format!("/product/{id}"));
                id += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let started = Instant::now();
    // Two seconds between the scrapes: a loaded machine (the four-server
    // CI matrix) still serves the 100 operations the error rate needs
    // (once only 93 came in one second).
    let run = diagnose_cmd(&server.url(), &["--app", &shop.url(), "--interval", "2s"]).run();
    stop.store(true, Ordering::Relaxed);
    traffic.join().unwrap();
    let report = run.json();
    expect_finding(&report, "connection-refused", "critical");
    // Every operation in the window failed: 100%.
    let f = expect_finding(&report, "app-error-rate-critical", "critical");
    assert_eq!(f["evidence"]["percent"], 100.0);
    // The shop is ready and says Redis is down; its errors rise: fallback.
    let f = expect_finding(&report, "app-reports-redis-down", "critical");
    assert!(
        f["evidence"]["body"].as_str().unwrap().contains("\"down\""),
        "{f}"
    );
    let f = expect_finding(&report, "fallback-active", "warning");
    assert!(f["evidence"]["new_errors"].as_f64().unwrap() > 0.0, "{f}");
    assert_eq!(f["evidence"]["status"], 200);
    assert_eq!(report["application"]["dialect"], "django-prometheus");
    assert_eq!(run.code(), 2);
    assert!(started.elapsed() < Duration::from_secs(15));
}
