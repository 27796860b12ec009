//! `cachectl warm` beyond one file: through the application's URLs, plans
//! with priorities, the hit-rate check, and a server killed and restarted
//! with its data under a resumable warm.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::app_server::{AppServer, Reply};
use crate::harness::*;

/// An application whose /product/N pages fill `page:N` in Redis, taking
/// 40 ms each, counting how many are served at once.
fn shop(server: &RedisServer, pages: usize) -> (AppServer, Arc<AtomicUsize>) {
    let app = AppServer::start();
    let busy = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    for i in 0..pages {
        let url = server.url();
        let (busy, most) = (busy.clone(), most.clone());
        app.route_fn(&format!("/product/{i}"), move |_| {
            let now = busy.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(40));
            let mut c = redis::Client::open(url.as_str())
                .unwrap()
                .get_connection()
                .unwrap();
            let _: () = redis::cmd("SET")
                .arg(format!("page:{i}"))
                .arg("html")
                .arg("EX")
                .arg(300)
                .query(&mut c)
                .unwrap();
            busy.fetch_sub(1, Ordering::SeqCst);
            Reply::new(200, "text/html", "<p>product</p>")
        });
    }
    app.route(
        "/broken?api_key=s3cret",
        Reply::new(503, "text/plain", "down"),
    );
    app.route(
        "/slow",
        Reply::new(200, "text/plain", "late").delayed(Duration::from_secs(3)),
    );
    (app, most)
}

/// `cachectl warm -o json` into `server`, with `app` as --app.
fn warm_with_app(server: &RedisServer, app: &AppServer) -> Cachectl {
    Cachectl::new().args([
        "warm",
        "-o",
        "json",
        "--url",
        &server.url(),
        "--app",
        &app.url(),
    ])
}

fn dbsize(server: &RedisServer) -> i64 {
    match server.cmd(&["DBSIZE"]) {
        redis::Value::Int(n) => n,
        other => panic!("DBSIZE: {other:?}"),
    }
}

#[test]
fn urls_warm_through_the_application_with_bounded_concurrency() {
    let server = RedisServer::start();
    let (app, most) = shop(&server, 40);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    let audit = dir.path().join("audit.jsonl");
    let mut text = String::from("# popular products\n");
    for i in 0..20 {
        text.push_str(&format!("/product/{i}\n"));
    }
    for i in 20..40 {
        text.push_str(&format!("GET {}/product/{i}\n", app.url()));
    }
    text.push_str("POST /product/1\n/broken?api_key=s3cret\n\n/slow\nhead /product/0\n");
    std::fs::write(&list, text).unwrap();
    let run = warm_with_app(&server, &app)
        .args(["--concurrency", "4", "--app-timeout", "1s", "--yes"])
        .arg("--urls")
        .arg(&list)
        .arg("--audit-log")
        .arg(&audit)
        .run();
    let w = run.json()["warm"].clone();
    let s = &w["sources"][0];
    assert_eq!(s["format"], "urls", "{w:#}");
    // 43 requests (40 pages, /broken, /slow, HEAD), one line refused.
    assert_eq!(s["records"], 43, "{w:#}");
    assert_eq!(w["written"], 41, "{w:#}");
    assert_eq!(w["errors"], 3, "{w:#}");
    assert_eq!(
        s["statuses"],
        serde_json::json!({"200": 41, "503": 1, "timeout": 1}),
        "{w:#}"
    );
    let bad: Vec<(u64, String)> = s["bad_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["line"].as_u64().unwrap(),
                b["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        bad.iter().map(|b| b.0).collect::<Vec<_>>(),
        [42, 43, 45],
        "{bad:?}"
    );
    assert!(bad[0].1.contains("not GET or HEAD"), "{bad:?}");
    assert!(
        bad[1].1.ends_with("/broken?api_key=*** answered 503"),
        "{bad:?}"
    );
    assert!(
        !run.all_output().contains("s3cret"),
        "a URL's secrets are not shown"
    );
    assert!(!std::fs::read_to_string(&audit).unwrap().contains("s3cret"));
    assert!(bad[2].1.contains("timeout"), "{bad:?}");
    assert_eq!(w["complete"], true);
    assert_eq!(
        (w["keys_before"].as_u64(), w["keys_after"].as_u64()),
        (Some(0), Some(40))
    );
    assert_eq!(dbsize(&server), 40);
    assert_eq!(
        most.load(Ordering::SeqCst),
        4,
        "never more than --concurrency at once"
    );
    assert_eq!(run.code(), 1, "errors make it a warning");
    // One audited batch (43 URLs < 256 a batch), its count the batch's.
    let lines: Vec<serde_json::Value> = audit_records(&audit);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(lines[0]["count"], 43);
    assert!(lines[0]["command"]
        .as_str()
        .unwrap()
        .starts_with("request 43 URLs from "));

    // --rate is an upper bound on requests a second: the 40 pages, at
    // most 20 a second, take at least 2 s (at 8 at once they take ~0.2 s).
    let pages = dir.path().join("pages.txt");
    std::fs::write(
        &pages,
        (0..40)
            .map(|i| format!("/product/{i}\n"))
            .collect::<String>(),
    )
    .unwrap();
    let started = Instant::now();
    let run = warm_with_app(&server, &app)
        .args(["--rate", "20", "--yes", "--audit-log"])
        .arg(&audit)
        .arg("--urls")
        .arg(&pages)
        .run();
    assert!(
        started.elapsed() >= Duration::from_millis(1950),
        "40 requests at 20/s took {:?}",
        started.elapsed()
    );
    assert_eq!(run.json()["warm"]["written"], 40);
    assert_eq!(run.code(), 0);
}

#[test]
fn urls_without_a_terminal_need_yes_and_a_path_needs_app() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    std::fs::write(&list, "/product/1\n").unwrap();
    let run = Cachectl::new()
        .args(["warm", "--url", &server.url(), "--urls"])
        .arg(&list)
        .run();
    assert_eq!(run.code(), 3, "{}", run.all_output());
    assert!(run.all_output().contains("--yes"), "{}", run.all_output());
    let run = Cachectl::new()
        .args([
            "warm",
            "-o",
            "json",
            "--yes",
            "--url",
            &server.url(),
            "--urls",
        ])
        .arg(&list)
        .args(["--audit-log", dir.path().join("a.jsonl").to_str().unwrap()])
        .run();
    let s = &run.json()["warm"]["sources"][0];
    assert!(
        s["bad_lines"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("needs --app"),
        "{s:#}"
    );
}

fn jsonl(dir: &std::path::Path, name: &str, prefix: &str, n: usize) -> std::path::PathBuf {
    let path = dir.join(name);
    let text: String = (0..n)
        .map(|i| format!("{{\"key\":\"{prefix}:{i}\",\"value\":\"v\",\"ttl\":600}}\n"))
        .collect();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_plan_runs_critical_sources_first_and_critical_only_runs_them_alone() {
    let server = RedisServer::start();
    let replica_like = RedisServer::start();
    let (app, _) = shop(&server, 5);
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    jsonl(dir.path(), "catalog.jsonl", "catalog", 300);
    std::fs::write(
        dir.path().join("sessions.csv"),
        "key,value,ttl\ns:1,a,60\ns:2,b,60\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pages.txt"),
        (0..5)
            .map(|i| format!("/product/{i}\n"))
            .collect::<String>(),
    )
    .unwrap();
    let mut c = replica_like.client();
    for i in 0..50 {
        let _: () = redis::cmd("SET")
            .arg(format!("profile:{i}"))
            .arg(i)
            .query(&mut c)
            .unwrap();
    }
    let _: () = redis::cmd("SET")
        .arg("unrelated")
        .arg(1)
        .query(&mut c)
        .unwrap();
    let plan = dir.path().join("plan.yaml");
    std::fs::write(
        &plan,
        format!(
            "sources:
  - name: pages
    urls: pages.txt
    concurrency: 2
  - name: profiles
    priority: high
    from: {}
    pattern: 'profile:*'
  - name: catalog
    priority: critical
    file: catalog.jsonl
  - name: sessions
    priority: critical
    file: sessions.csv
",
            replica_like.url()
        ),
    )
    .unwrap();
    let warm = |extra: &[&str]| {
        warm_with_app(&server, &app)
            .arg("--yes")
            .arg("--plan")
            .arg(&plan)
            .arg("--audit-log")
            .arg(&audit)
            .args(extra)
            .run()
    };
    let names = |w: &serde_json::Value| -> Vec<String> {
        w["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };

    let run = warm(&["--critical-only"]);
    let w = run.json()["warm"].clone();
    assert_eq!(names(&w), ["catalog", "sessions"], "{w:#}");
    assert_eq!(w["written"], 302);
    assert_eq!(w["sources"][1]["format"], "csv");
    assert_eq!(dbsize(&server), 302, "only the critical sources");
    assert_eq!(run.code(), 0, "{w:#}");

    let run = warm(&[]);
    let w = run.json()["warm"].clone();
    assert_eq!(
        names(&w),
        ["catalog", "sessions", "profiles", "pages"],
        "{w:#}"
    );
    let counts = |i: usize| {
        let s = &w["sources"][i];
        (
            s["written"].as_u64().unwrap(),
            s["existing"].as_u64().unwrap(),
        )
    };
    assert_eq!(counts(0), (0, 300), "already there, left alone");
    assert_eq!(counts(1), (0, 2));
    assert_eq!(counts(2), (50, 0));
    assert_eq!(counts(3), (5, 0));
    assert_eq!(w["complete"], true);
    assert_eq!(dbsize(&server), 302 + 50 + 5);
    assert_eq!(run.code(), 0, "{w:#}");

    // A plan with a mistake names file:line:column and writes nothing.
    std::fs::write(
        &plan,
        "sources:\n  - name: x\n    file: a.jsonl\n    urls: b.txt\n",
    )
    .unwrap();
    let run = warm(&[]);
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr().contains(&format!(
            "{}:2:11: source `x` has more than one of file, from and urls",
            plan.display()
        )),
        "{}",
        run.stderr()
    );
    std::fs::write(&plan, "sources:\n  - name: x\n    file: a.jsonl\n").unwrap();
    let run = warm(&["--critical-only"]);
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr().contains("has no critical source"),
        "{}",
        run.stderr()
    );
}

#[test]
fn an_interrupted_plan_resumes_each_source_where_it_stopped() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let ckpt = dir.path().join("plan.ckpt");
    jsonl(dir.path(), "first.jsonl", "first", 100);
    jsonl(dir.path(), "second.jsonl", "second", 4000);
    let plan = dir.path().join("plan.yaml");
    std::fs::write(
        &plan,
        "sources:\n  - name: first\n    priority: critical\n    file: first.jsonl\n  - name: second\n    file: second.jsonl\n    rate: 2000\n",
    )
    .unwrap();
    let cmd = || {
        Cachectl::new()
            .args(["warm", "-o", "json", "--yes", "--url", &server.url()])
            .arg("--plan")
            .arg(&plan)
            .arg("--resume")
            .arg(&ckpt)
            .arg("--audit-log")
            .arg(&audit)
    };
    let run = cmd().run_while(Duration::from_secs(1), interrupt);
    let w = run.json()["warm"].clone();
    assert_eq!(run.code(), 3, "{w:#}");
    assert_eq!(w["sources"][0]["complete"], true, "{w:#}");
    assert_eq!(w["sources"][1]["complete"], false, "{w:#}");
    let written = w["sources"][1]["written"].as_i64().unwrap();
    assert!(written > 0 && written < 4000, "{w:#}");
    assert!(
        w["reason"].as_str().unwrap().contains("source second"),
        "{w:#}"
    );
    assert_eq!(dbsize(&server), 100 + written);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ckpt).unwrap()).unwrap();
    assert_eq!(saved["sources"]["first"]["line"], 100, "{saved:#}");
    assert_eq!(saved["sources"]["second"]["line"].as_i64(), Some(written));

    let run = cmd().run();
    let w = run.json()["warm"].clone();
    assert_eq!(run.code(), 0, "{w:#}");
    assert_eq!(w["sources"][0]["records"], 0, "the first was done: {w:#}");
    assert_eq!(w["sources"][1]["started_at_line"].as_i64(), Some(written));
    assert_eq!(w["sources"][1]["written"].as_i64(), Some(4000 - written));
    assert_eq!(w["existing"], 0);
    assert_eq!(dbsize(&server), 4100);
}

#[test]
fn a_server_killed_and_restarted_with_its_data_is_resumed_to_the_end() {
    let mut server = RedisServer::with(
        ServerOptions::default()
            .config("appendonly yes")
            .config("appendfsync always"),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = jsonl(dir.path(), "big.jsonl", "k", 5000);
    let ckpt = dir.path().join("warm.ckpt");
    let audit = dir.path().join("audit.jsonl");
    let url = server.url();
    let cmd = || {
        Cachectl::new()
            .args([
                "warm", "-o", "json", "--yes", "--url", &url, "--rate", "2000",
            ])
            .arg("--file")
            .arg(&file)
            .arg("--resume")
            .arg(&ckpt)
            .arg("--audit-log")
            .arg(&audit)
    };
    let run = cmd().run_while(Duration::from_millis(900), |_| server.kill());
    let w = run.json()["warm"].clone();
    assert_eq!(run.code(), 3, "{w:#}");
    assert_eq!(w["complete"], false);
    let acknowledged = w["written"].as_i64().unwrap();
    assert!(acknowledged > 0 && acknowledged < 5000, "{w:#}");

    server.restart();
    // Every acknowledged batch survived (appendfsync always); a batch the
    // server took but never answered may have too.
    let kept = dbsize(&server);
    assert!(kept >= acknowledged, "{kept} < {acknowledged}");
    let run = cmd().run();
    let w = run.json()["warm"].clone();
    assert_eq!(run.code(), 0, "{w:#}");
    assert_eq!(
        w["sources"][0]["started_at_line"].as_i64(),
        Some(acknowledged)
    );
    // The rerun writes the rest; what the unanswered batch stored is existing.
    assert_eq!(
        w["written"].as_i64().unwrap() + w["existing"].as_i64().unwrap(),
        5000 - acknowledged
    );
    assert_eq!(w["existing"].as_i64().unwrap(), kept - acknowledged);
    assert_eq!(dbsize(&server), 5000);
}

#[test]
fn check_measures_the_hit_rate_after_the_warm_for_redis_and_the_app() {
    let server = RedisServer::start();
    let app = AppServer::start();
    app.route_fn("/metrics", |n| {
        let (hits, misses) = if n == 0 { (100, 0) } else { (150, 150) };
        Reply::metrics(&format!(
            "# TYPE shop_hits_total counter\nshop_hits_total {hits}\n# TYPE shop_misses_total counter\nshop_misses_total {misses}\n"
        ))
    });
    let dir = tempfile::tempdir().unwrap();
    let file = jsonl(dir.path(), "w.jsonl", "w", 400);
    // Reads during the window: 300 hits, 100 misses (75%).
    let url = server.url();
    let reader = std::thread::spawn(move || {
        let mut c = redis::Client::open(url.as_str())
            .unwrap()
            .get_connection()
            .unwrap();
        wait_until("the warm is written", || {
            redis::cmd("DBSIZE").query::<i64>(&mut c).unwrap() == 400
        });
        std::thread::sleep(Duration::from_millis(1500));
        for i in 0..300 {
            let _: Option<String> = redis::cmd("GET")
                .arg(format!("w:{i}"))
                .query(&mut c)
                .unwrap();
        }
        for i in 0..100 {
            let _: Option<String> = redis::cmd("GET")
                .arg(format!("gone:{i}"))
                .query(&mut c)
                .unwrap();
        }
    });
    // The shop's own counter names, mapped as diagnose maps them.
    let run = warm_with_app(&server, &app)
        .arg("--yes")
        .args(["--app-metric", "hits=shop_hits_total"])
        .args(["--app-metric", "misses=shop_misses_total"])
        .args(["--check", "--check-window", "4s", "--audit-log"])
        .arg(dir.path().join("a.jsonl"))
        .arg("--file")
        .arg(&file)
        .run();
    reader.join().unwrap();
    let c = run.json()["warm"]["check"].clone();
    assert_eq!(c["redis"]["hits"], 300, "{c:#}");
    assert_eq!(c["redis"]["misses"], 100, "{c:#}");
    assert_eq!(c["redis"]["hit_rate"], 75.0);
    assert_eq!(c["redis"]["verdict"], "ok");
    assert_eq!(c["app"]["hits"], 50, "{c:#}");
    assert_eq!(c["app"]["misses"], 150);
    assert_eq!(c["app"]["hit_rate"], 25.0);
    assert_eq!(c["app"]["verdict"], "critical");
    assert_eq!(c["thresholds"]["warning"], 0.7);
    assert!(c["window_s"].as_f64().unwrap() >= 4.0, "{c:#}");
    // The application's 25% is under seed 003's 50%: critical, exit 2.
    assert_eq!(run.code(), 2, "{c:#}");
}

#[test]
fn urls_carry_app_header_to_the_application_only() {
    let server = RedisServer::start();
    let (app, _) = shop(&server, 2);
    let other = AppServer::start();
    other.route("/page", Reply::new(200, "text/html", "<p>elsewhere</p>"));
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    std::fs::write(&list, format!("/product/1\nGET {}/page\n", other.url())).unwrap();
    let run = warm_with_app(&server, &app)
        .args(["--app-header", "Authorization=WARM_AUTH_FOR_TEST", "--yes"])
        .arg("--urls")
        .arg(&list)
        .arg("--audit-log")
        .arg(dir.path().join("audit.jsonl"))
        .env("WARM_AUTH_FOR_TEST", "Bearer warm-tok-77aa")
        .run();
    assert_eq!(run.json()["warm"]["written"], 2, "{}", run.all_output());
    assert!(!run.all_output().contains("warm-tok-77aa"));
    let home = app.received("GET", "/product/1");
    assert!(
        home[0].contains("authorization: Bearer warm-tok-77aa"),
        "{home:?}"
    );
    let away = other.received("GET", "/page");
    assert_eq!(away.len(), 1);
    assert!(
        !away[0].to_ascii_lowercase().contains("authorization"),
        "{away:?}"
    );
}
