//! Fleets: forty local servers diagnosed in one run, some down, some hung,
//! some out of memory. The run ends within its deadline and a small
//! margin, each verdict is the one a run against that target alone gives,
//! and the exit code is the worst.

use std::time::{Duration, Instant};

use crate::harness::*;

#[test]
fn forty_targets_some_down_hung_or_full_end_within_one_deadline_each_verdict_right() {
    let mut healthy: Vec<RedisServer> = (0..31)
        .map(|_| RedisServer::with(ServerOptions::default().config("maxmemory 100mb")))
        .collect();
    let full: Vec<RedisServer> = (0..3)
        .map(|_| oom_server(ServerOptions::default()))
        .collect();
    // Hung: the process stopped, its port still accepting (the kernel's
    // backlog), no reply ever.
    let hung: Vec<RedisServer> = (0..3).map(|_| RedisServer::start()).collect();
    for h in &hung {
        h.signal("STOP");
    }
    let down: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("targets.txt");
    let mut lines = vec!["# the fleet".to_string()];
    let mut expected: Vec<(String, &str, Option<&str>)> = Vec::new();
    let url = |p: u16| format!("redis://127.0.0.1:{p}/0");
    for (i, s) in healthy.iter().enumerate() {
        lines.push(url(s.port));
        if i == 0 {
            // A healthy one's verdict, alone, is the one the fleet must give.
            let alone = Cachectl::new()
                .args(["diagnose", "-o", "json", "--url", &s.url()])
                .run()
                .json();
            let status: &'static str = Box::leak(
                alone["status"]
                    .as_str()
                    .unwrap()
                    .to_string()
                    .into_boxed_str(),
            );
            expected.push((url(s.port), status, None));
        } else {
            let status = expected[0].1;
            expected.push((url(s.port), status, None));
        }
    }
    for s in &full {
        lines.push(url(s.port));
        expected.push((url(s.port), "critical", Some("oom-noeviction")));
    }
    for s in &hung {
        lines.push(format!("{}   # stopped", url(s.port)));
        expected.push((url(s.port), "critical", None));
    }
    for p in &down {
        lines.push(url(*p));
        expected.push((url(*p), "critical", Some("connection-refused")));
    }
    std::fs::write(&file, lines.join("\n")).unwrap();
    let start = Instant::now();
    let run = Cachectl::new()
        .args([
            "diagnose",
            "-o",
            "json",
            "--parallel",
            "8",
            "--timeout",
            "6s",
            "--targets",
        ])
        .arg(&file)
        .run();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(8), "the fleet took {took:?}");
    assert_eq!(run.code(), 2, "the worst: CRITICAL; {}", run.stderr());
    let doc = run.json();
    let entries = doc.as_array().unwrap();
    assert_eq!(entries.len(), 40);
    for (entry, (name, status, finding)) in entries.iter().zip(&expected) {
        assert_eq!(entry["name"], *name);
        assert_eq!(entry["status"], *status, "{name}: {entry:#}");
        if let Some(id) = finding {
            assert!(
                crate::harness::finding(entry, id).is_some(),
                "{name}: {entry:#}"
            );
        }
    }
    // A hung target says it did not answer.
    let hung_ids: Vec<String> = entries[34]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        hung_ids
            .iter()
            .any(|id| id == "server-unresponsive" || id == "connect-timeout"),
        "{hung_ids:?}"
    );
    // The table: a row per target, then the totals.
    let run = Cachectl::new()
        .args([
            "diagnose",
            "--parallel",
            "8",
            "--timeout",
            "6s",
            "--targets",
        ])
        .arg(&file)
        .env("COLUMNS", "120")
        .run();
    for h in &hung {
        h.signal("CONT");
    }
    let out = run.stdout();
    let totals = match expected[0].1 {
        "ok" => "40 targets: 31 OK, 0 WARNING, 9 CRITICAL, 0 UNKNOWN",
        _ => "40 targets: 0 OK, 31 WARNING, 9 CRITICAL, 0 UNKNOWN",
    };
    assert!(out.contains(totals), "{out}");
    for s in &healthy {
        assert!(
            out.contains(&format!(" redis://127.0.0.1:{}/0 ", s.port)),
            "{out}"
        );
    }
    healthy.clear();
}

#[test]
fn a_fleet_of_contexts_each_with_its_password_and_every_format() {
    let a = RedisServer::with(ServerOptions::default().password("pa"));
    let b = RedisServer::with(ServerOptions::default().password("pb"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".cachectl.yaml"),
        format!(
            "contexts:\n  a: {{url: 'redis://127.0.0.1:{}', password: {{env: PA}}}}\n  \
             b: {{url: 'redis://127.0.0.1:{}', password: {{env: PB}}}}\n  \
             c: {{url: 'redis://127.0.0.1:{}', password: {{env: PC}}}}\n",
            a.port,
            b.port,
            free_port()
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        Cachectl::new()
            .args(args)
            .current_dir(dir.path())
            .env("HOME", dir.path().to_str().unwrap())
            .env("PA", "pa")
            .env("PB", "pb")
            .run()
    };
    let r = run(&["diagnose", "-o", "json", "--context", "a,b"]);
    let doc = r.json();
    let names: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    for e in doc.as_array().unwrap() {
        assert!(finding(e, "auth-failed").is_none(), "{e:#}");
    }
    // All of them: c's password variable is missing, so c is UNKNOWN,
    // saying why; the others are assessed.
    let r = run(&["diagnose", "-o", "json", "--all-contexts"]);
    let doc = r.json();
    assert_eq!(doc[2]["name"], "c");
    assert_eq!(doc[2]["status"], "unknown");
    assert!(
        doc[2]["error"].as_str().unwrap().contains("PC is not set"),
        "{doc:#}"
    );
    // The worst of WARNING, WARNING and UNKNOWN, in every format.
    assert_eq!(r.code(), 3);
    for format in ["junit", "nagios", "prometheus", "markdown", "html", "table"] {
        let r = run(&["diagnose", "-o", format, "--all-contexts"]);
        assert_eq!(r.code(), 3, "{format}: {}", r.stderr());
        let says = if format == "prometheus" {
            "cachectl_status{command=\"diagnose\",target=\"c\"} 3"
        } else {
            "PC is not set"
        };
        assert!(r.stdout().contains(says), "{format}: {}", r.stdout());
        assert!(
            !r.stdout().contains(":pa@") && !r.stdout().contains(":pb@"),
            "{format}"
        );
    }
    let x = consume(
        "import json,sys\nfrom junitparser import JUnitXml\nx=JUnitXml.fromstring(sys.stdin.read())\nprint(json.dumps([s.name for s in x]))",
        &run(&["diagnose", "-o", "junit", "--all-contexts"]).stdout(),
    );
    let suites: Vec<&str> = x
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        suites,
        [
            format!("a 127.0.0.1:{}", a.port).as_str(),
            &format!("b 127.0.0.1:{}", b.port),
            "c"
        ]
    );
    // A fleet names its own targets.
    let r = run(&["diagnose", "--all-contexts", "--url", "redis://127.0.0.1:1"]);
    assert_eq!(r.code(), 3);
    assert!(
        r.stderr().contains("a fleet names its own targets"),
        "{}",
        r.stderr()
    );
}
