//! `cachectl watch`: the live screen through a pseudo-terminal (frames,
//! q, the terminal put back, a node killed and restarted mid-watch), one
//! frame for scripts, a line per refresh without a terminal, findings that
//! appear and clear, and every node of a Cluster.

use std::io::BufRead;
use std::time::{Duration, Instant};

use crate::harness::{Cachectl, Cluster, RedisServer, ServerOptions, TERMINAL_RESTORED};

fn watched() -> RedisServer {
    RedisServer::with(ServerOptions::default().config("maxmemory 100mb"))
}

/// `watch --once -o json` on `target` (flags), every 300 ms.
fn once_json(target: &[&str]) -> crate::harness::Run {
    Cachectl::new()
        .args(["watch", "--once", "--every", "300ms", "-o", "json"])
        .args(target)
        .run()
}

fn ids(findings: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn the_live_view_draws_in_place_quits_on_q_and_restores_the_terminal() {
    let server = watched();
    let expected = Cachectl::new()
        .args(["diagnose", "-o", "json", "--url", &server.url()])
        .run();
    let mut pty = Cachectl::new()
        .args(["watch", "--every", "200ms", "--url", &server.url()])
        .env("LANG", "C.UTF-8")
        .spawn_in_pty(80, 24);
    let addr = format!("127.0.0.1:{}", server.port);
    let frame = pty.wait_for_frame("after three refreshes", 15, |f| {
        f.get(1).is_some_and(|l| l.contains("refresh 3"))
    });
    assert!(
        frame[0].starts_with("cachectl watch  redis://127.0.0.1:"),
        "{frame:#?}"
    );
    assert!(frame[0].ends_with("q quits"), "{frame:#?}");
    let status = expected.json()["status"].as_str().unwrap().to_uppercase();
    assert!(frame[1].starts_with(&status), "{frame:#?}");
    let row = frame
        .iter()
        .find(|l| l.starts_with(&addr))
        .expect("the node's row");
    assert!(row.contains("primary"), "{row}");
    // Its sparklines beneath it, and every finding of the diagnosis with
    // since when.
    let at = frame.iter().position(|l| l.starts_with(&addr)).unwrap();
    assert!(frame[at + 1].trim_start().starts_with("ops "), "{frame:#?}");
    for id in ids(&expected.json()["findings"]) {
        assert!(
            frame
                .iter()
                .any(|l| l.contains(&format!(" {id} {addr} since "))),
            "{id} missing: {frame:#?}"
        );
    }
    for f in pty.frames() {
        assert!(f.len() <= 24, "a frame taller than the terminal: {f:#?}");
        for l in &f {
            assert!(l.chars().count() <= 80, "wider than 80 columns: {l:?}");
        }
    }
    let frames_before = pty.frames().len();
    assert!(frames_before >= 4, "{frames_before} frames");
    let asked = Instant::now();
    pty.type_keys("q");
    let (code, raw) = pty.wait(5);
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "q took {:?}",
        asked.elapsed()
    );
    assert_eq!(code, expected.code(), "the exit code is the verdict's");
    // The alternate screen was entered and left, the cursor shown again,
    // and the terminal's settings (raw mode) are what they were.
    assert!(raw.contains("\u{1b}[?1049h"), "no alternate screen");
    let left = raw
        .rfind("\u{1b}[?1049l")
        .expect("the alternate screen is left");
    assert!(
        raw[left..].contains(TERMINAL_RESTORED),
        "{:?}",
        &raw[left..]
    );
    assert!(raw
        .rfind("\u{1b}[?25h")
        .is_some_and(|shown| shown < left + 20));
}

#[test]
fn a_node_killed_mid_watch_is_shown_down_then_back_and_its_findings_keep_their_time() {
    let mut server = watched();
    let addr = format!("127.0.0.1:{}", server.port);
    let mut pty = Cachectl::new()
        .args(["watch", "--every", "200ms", "--url", &server.url()])
        .env("LANG", "C.UTF-8")
        .spawn_in_pty(100, 30);
    let before = pty.wait_for_frame("with the node up", 15, |f| {
        f.iter()
            .any(|l| l.starts_with(&addr) && l.contains("primary"))
    });
    // "WARNING  no-auth 127.0.0.1:PORT since 05:48:55": its age aside.
    let held = |f: &[String]| -> Vec<String> {
        f.iter()
            .filter(|l| l.contains(" since ") && !l.contains(" DOWN ") && !l.contains(" health "))
            .map(|l| l.split(" (").next().unwrap().to_string())
            .collect()
    };
    let since_before = held(&before);
    assert!(!since_before.is_empty(), "{before:#?}");
    server.kill();
    let down = pty.wait_for_frame("with the node down", 15, |f| {
        f.iter()
            .any(|l| l.starts_with(&format!("{addr} DOWN since ")))
    });
    assert!(down[1].starts_with("CRITICAL"), "{down:#?}");
    assert!(
        down.iter()
            .any(|l| l.starts_with("CRITICAL") && l.contains(" connection-refused ")),
        "{down:#?}"
    );
    server.restart();
    let back = pty.wait_for_frame("with the node back", 15, |f| {
        f.iter()
            .any(|l| l.starts_with(&addr) && l.contains("primary"))
            && !f.iter().any(|l| l.starts_with("CRITICAL"))
            && f.iter()
                .any(|l| l.starts_with("CLEARED  connection-refused"))
    });
    // A finding that held before the outage and holds after it kept its
    // first time: the outage did not clear it.
    let since_after = held(&back);
    for line in &since_before {
        assert!(since_after.contains(line), "{line:?} not in {back:#?}");
    }
    pty.type_keys("q");
    let (code, raw) = pty.wait(5);
    assert!(code <= 2, "{code}");
    assert!(raw.contains(TERMINAL_RESTORED));
}

#[test]
fn once_prints_one_frame_and_without_a_terminal_a_line_per_refresh() {
    let server = watched();
    let url = server.url();
    let run = once_json(&["--url", &url]);
    let doc = run.json();
    assert_eq!(doc["command"], "watch");
    let watch = &doc["watch"];
    assert_eq!(watch["refresh"], 1, "{watch:#}");
    assert_eq!(watch["every_s"], 0.3);
    let node = &watch["nodes"][0];
    assert_eq!(node["node"], format!("127.0.0.1:{}", server.port));
    assert_eq!(
        (node["up"].as_bool(), node["role"].as_str()),
        (Some(true), Some("primary"))
    );
    assert_eq!(node["maxmemory"], 100 * 1024 * 1024);
    assert!(node["ops_per_s"].as_f64().is_some(), "{node:#}");
    assert!(node["p99_ms"].as_f64().is_some_and(|p| p > 0.0), "{node:#}");
    assert_eq!(node["history"]["ops_per_s"].as_array().unwrap().len(), 2);
    assert_eq!(ids(&watch["findings"]), ids(&doc["findings"]));
    let status = doc["status"].as_str().unwrap().to_uppercase();
    let code = ["OK", "WARNING", "CRITICAL", "UNKNOWN"]
        .iter()
        .position(|s| *s == status)
        .unwrap();
    assert_eq!(run.code(), code as i32);

    // A JSON document a line, then plain lines; each refresh one.
    let run = Cachectl::new()
        .args([
            "watch", "--count", "3", "--every", "200ms", "-o", "json", "--url", &url,
        ])
        .run();
    let lines: Vec<serde_json::Value> = run
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON document per line"))
        .collect();
    let refreshes: Vec<u64> = lines
        .iter()
        .map(|d| d["watch"]["refresh"].as_u64().unwrap())
        .collect();
    assert_eq!(refreshes, [0, 1, 2]);
    let run = Cachectl::new()
        .args(["watch", "--count", "2", "--every", "200ms", "--url", &url])
        .run();
    let out = run.stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    for l in &lines {
        assert!(
            l.starts_with("20") && l.contains(&format!(" {status} health ")),
            "{l}"
        );
        assert!(l.contains(" nodes 1/1 "), "{l}");
    }
    // HTML is one page: only with --once.
    let run = Cachectl::new()
        .args(["watch", "-o", "html", "--url", &url])
        .run();
    assert_eq!(run.code(), 3);
    assert!(run.stderr().contains("add --once"), "{}", run.stderr());
    let run = Cachectl::new()
        .args(["watch", "-o", "prometheus", "--url", &url])
        .run();
    assert_eq!(run.code(), 3, "{}", run.stderr());
}

#[test]
fn findings_appear_and_clear_as_the_server_changes_and_ctrl_c_ends_it() {
    let server = watched();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cachectl"))
        .args([
            "watch",
            "--every",
            "200ms",
            "-o",
            "json",
            "--url",
            &server.url(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = || -> serde_json::Value {
        serde_json::from_str(&lines.next().expect("a line").expect("read")).unwrap()
    };
    let first = next();
    assert!(
        ids(&first["findings"]).contains(&"noeviction-policy".to_string()),
        "{first:#}"
    );
    server.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]);
    let cleared = loop {
        let doc = next();
        if !ids(&doc["findings"]).contains(&"noeviction-policy".to_string()) {
            break doc;
        }
    };
    let gone = &cleared["watch"]["cleared"][0];
    assert_eq!(gone["id"], "noeviction-policy", "{cleared:#}");
    assert!(gone["cleared"].as_u64() >= gone["since"].as_u64());
    server.cmd(&["CONFIG", "SET", "maxmemory-policy", "noeviction"]);
    let back = loop {
        let doc = next();
        if ids(&doc["findings"]).contains(&"noeviction-policy".to_string()) {
            break doc;
        }
    };
    let seen = back["watch"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "noeviction-policy")
        .unwrap()
        .clone();
    assert!(
        seen["since"].as_u64() >= gone["cleared"].as_u64(),
        "{seen:#} {gone:#}"
    );
    // No longer in the cleared list once it holds again.
    assert!(back["watch"]["cleared"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["id"] != "noeviction-policy"));
    crate::harness::interrupt(child.id());
    let end = Instant::now();
    let status = child.wait().unwrap();
    assert!(end.elapsed() < Duration::from_secs(3));
    assert_eq!(status.code(), Some(1), "the last verdict: WARNING");
}

#[test]
fn a_cluster_is_watched_a_row_per_node() {
    let cluster = Cluster::start(3, 1);
    let run = once_json(&["--url", &cluster.nodes[0].url()]);
    let doc = run.json();
    let nodes = doc["watch"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 6, "{doc:#}");
    let roles = |r: &str| nodes.iter().filter(|n| n["role"] == r).count();
    assert_eq!((roles("primary"), roles("replica")), (3, 3));
    assert!(nodes
        .iter()
        .all(|n| n["up"] == true && n["p99_ms"].as_f64().is_some()));
    assert_eq!(doc["topology"], "cluster");
    // And as a table at 80 columns, no line wider.
    let run = Cachectl::new()
        .args([
            "watch",
            "--once",
            "--every",
            "300ms",
            "--url",
            &cluster.nodes[0].url(),
        ])
        .env("COLUMNS", "80")
        .run();
    let out = run.stdout();
    for n in &cluster.nodes {
        assert!(
            out.lines()
                .any(|l| l.starts_with(&format!("127.0.0.1:{} ", n.port))),
            "{out}"
        );
    }
    for l in out.lines() {
        assert!(l.chars().count() <= 80, "{l:?}");
    }
}

#[test]
fn a_sentinel_target_is_watched_through_its_primary_and_replicas() {
    let set = crate::harness::SentinelSet::start(1, 3);
    let run = once_json(&[
        "--sentinel",
        &set.addrs(),
        "--master",
        crate::harness::MASTER_NAME,
    ]);
    let doc = run.json();
    assert_eq!(doc["topology"], "sentinel", "{doc:#}");
    let nodes = doc["watch"]["nodes"].as_array().unwrap();
    let rows: Vec<(String, String)> = nodes
        .iter()
        .map(|n| {
            (
                n["node"].as_str().unwrap().to_string(),
                n["role"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                format!("127.0.0.1:{}", set.primary.port),
                "primary".to_string()
            ),
            (
                format!("127.0.0.1:{}", set.replicas[0].port),
                "replica".to_string()
            ),
        ]
    );
    assert!(nodes.iter().all(|n| n["up"] == true), "{doc:#}");
}
