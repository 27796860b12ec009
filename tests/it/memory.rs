//! `cachectl memory`: the memory view and findings, and the key scan on a
//! keyspace of known composition, checked against an independent SCAN +
//! MEMORY USAGE of the same data.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::harness::*;

/// `cachectl memory -o json --url URL` plus `extra`.
fn memory(server: &RedisServer, extra: &[&str]) -> Run {
    Cachectl::new()
        .args(["memory", "-o", "json", "--url", &server.url()])
        .args(extra)
        .run()
}

#[test]
fn memory_shows_usage_stats_doctor_and_the_memory_findings() {
    let server = oom_server(ServerOptions::default());
    let run = memory(&server, &[]);
    let report = run.json();
    let m = &report["memory"];
    assert_eq!(m["maxmemory_bytes"], 3 * 1024 * 1024);
    assert_eq!(m["policy"], "noeviction");
    assert!(m["used_bytes"].as_i64().unwrap() > 2 * 1024 * 1024, "{m}");
    assert!(m["stats"]["total_allocated"].as_i64().unwrap() > 0, "{m}");
    assert!(m["stats"]["keys_count"].as_i64().unwrap() > 1000, "{m}");
    assert!(!m["doctor"].as_str().unwrap().is_empty(), "{m}");
    expect_finding(&report, "oom-noeviction", "critical");
    // Only the memory runbooks: no security finding for a password-less lab.
    assert!(
        finding(&report, "no-auth").is_none(),
        "{:?}",
        problems(&report)
    );
    assert!(report.get("keyspace").is_none());
    assert_eq!(run.code(), 2);

    // Same flags and walk as diagnose.
    let run = memory(&server, &["--fix", "--dry-run"]);
    let actions = run.json()["remediation"]["actions"].clone();
    assert_eq!(actions[0]["fix"], "evict-lru", "{actions:#}");
    assert_eq!(actions[0]["outcome"], "planned");
    let table = Cachectl::new()
        .args(["memory", "--url", &server.url()])
        .run()
        .stdout();
    assert!(table.contains("Memory\n  used "), "{table}");
    assert!(table.contains("MEMORY DOCTOR:\n    "), "{table}");
}

/// A keyspace of known composition. Returns the keys of each expected group.
fn seed(server: &RedisServer) -> BTreeMap<&'static str, Vec<Vec<u8>>> {
    let mut c = server.client();
    let mut groups: BTreeMap<&'static str, Vec<Vec<u8>>> = BTreeMap::new();
    let mut pipe = redis::pipe();
    for i in 0..300 {
        let k = format!("user:{i}:profile");
        pipe.cmd("SET").arg(&k).arg("p".repeat(100)).ignore();
        groups
            .entry("user:*:profile")
            .or_default()
            .push(k.into_bytes());
    }
    for i in 0..200 {
        let k = format!("session:{:08x}-0000-4000-8000-{:012x}", i, i * 7);
        pipe.cmd("SET")
            .arg(&k)
            .arg("s".repeat(40))
            .arg("EX")
            .arg(3000)
            .ignore();
        groups.entry("session:*").or_default().push(k.into_bytes());
    }
    for i in 0..50 {
        let k = format!("cart:{i}");
        for f in 0..10 {
            pipe.cmd("HSET")
                .arg(&k)
                .arg(format!("item{f}"))
                .arg(f)
                .ignore();
        }
        pipe.cmd("EXPIRE").arg(&k).arg(90_000).ignore();
        groups.entry("cart:*").or_default().push(k.into_bytes());
    }
    pipe.query::<()>(&mut c).unwrap();
    // A big list and a big hash.
    let mut pipe = redis::pipe();
    for chunk in (0..12_000).collect::<Vec<_>>().chunks(1000) {
        let mut cmd = redis::cmd("RPUSH");
        cmd.arg("queue:jobs");
        for i in chunk {
            cmd.arg(i);
        }
        pipe.add_command(cmd).ignore();
    }
    for chunk in (0..6_000).collect::<Vec<_>>().chunks(1000) {
        let mut cmd = redis::cmd("HSET");
        cmd.arg("big:hash");
        for i in chunk {
            cmd.arg(format!("f{i}")).arg(i);
        }
        pipe.add_command(cmd).ignore();
    }
    pipe.query::<()>(&mut c).unwrap();
    groups.insert("queue:jobs", vec![b"queue:jobs".to_vec()]);
    groups.insert("big:hash", vec![b"big:hash".to_vec()]);
    // Keys that are not text, hold a newline, or glob characters.
    for (group, key) in [
        ("bin:*:x", b"bin:\xff\xfe:x".to_vec()),
        ("glob:a\\*b\\?\\[c\\]", b"glob:a*b?[c]".to_vec()),
        ("note:* line", b"note:two\nlines line".to_vec()),
    ] {
        redis::cmd("SET")
            .arg(key.as_slice())
            .arg("v")
            .query::<()>(&mut c)
            .unwrap();
        groups.insert(group, vec![key]);
    }
    groups
}

/// MEMORY USAGE of each key, asked independently of cachectl.
fn usage(server: &RedisServer, keys: &[Vec<u8>]) -> u64 {
    let mut c = server.client();
    keys.iter()
        .map(|k| {
            redis::cmd("MEMORY")
                .arg("USAGE")
                .arg(k.as_slice())
                .query::<u64>(&mut c)
                .unwrap()
        })
        .sum()
}

/// Every key, by an independent SCAN.
fn all_keys(server: &RedisServer) -> Vec<Vec<u8>> {
    let mut c = server.client();
    let mut cursor = 0u64;
    let mut keys = Vec::new();
    loop {
        let (next, batch): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("COUNT")
            .arg(500)
            .query(&mut c)
            .unwrap();
        keys.extend(batch);
        cursor = next;
        if cursor == 0 {
            return keys;
        }
    }
}

fn pattern<'a>(report: &'a serde_json::Value, p: &str) -> &'a serde_json::Value {
    report["keyspace"]["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["pattern"] == p)
        .unwrap_or_else(|| panic!("no pattern {p}: {:#}", report["keyspace"]["patterns"]))
}

#[test]
fn a_key_scan_counts_every_group_exactly() {
    let server = RedisServer::start();
    let groups = seed(&server);
    let run = memory(&server, &["--keys", "--top", "3"]);
    let report = run.json();
    let k = &report["keyspace"];
    let total: usize = groups.values().map(Vec::len).sum();
    assert_eq!(k["scanned_keys"], total as u64);
    assert_eq!(k["total_keys"], total as u64);
    assert_eq!(k["partial"], false);
    assert_eq!(k["vanished_keys"], 0);
    // Byte totals agree with an independent SCAN + MEMORY USAGE.
    assert_eq!(k["total_bytes"], usage(&server, &all_keys(&server)));
    for (name, keys) in &groups {
        let p = pattern(&report, name);
        assert_eq!(p["keys"], keys.len() as u64, "{name}");
        assert_eq!(p["bytes"], usage(&server, keys), "{name}");
    }
    let users = pattern(&report, "user:*:profile");
    assert_eq!(users["no_ttl_keys"], 300);
    assert_eq!(users["types"]["string"], 300);
    assert_eq!(users["ttl"]["none"], 300);
    let sessions = pattern(&report, "session:*");
    assert_eq!(sessions["no_ttl_keys"], 0);
    assert_eq!(sessions["ttl"]["<1h"], 200);
    let carts = pattern(&report, "cart:*");
    assert_eq!(carts["types"]["hash"], 50);
    assert_eq!(carts["ttl"]["<7d"], 50);
    assert_eq!(k["types"]["list"]["keys"], 1);
    assert_eq!(k["types"]["string"]["keys"], 503);
    // The largest keys, by bytes and by elements; the big keys.
    let largest: Vec<&str> = k["largest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["key"].as_str().unwrap())
        .collect();
    assert_eq!(largest.len(), 3);
    assert!(
        largest[..2].contains(&"queue:jobs") && largest[..2].contains(&"big:hash"),
        "{largest:?}"
    );
    assert_eq!(k["most_elements"][0]["key"], "queue:jobs");
    assert_eq!(k["most_elements"][0]["elements"], 12_000);
    assert_eq!(k["big_key_count"], 2);
    let f = expect_finding(&report, "big-keys", "warning");
    assert_eq!(f["evidence"]["count"], 2);
    // Its manual fix names the key the scan found, not `<key>`.
    let big = f["evidence"]["key"].as_str().unwrap();
    assert!(big == "queue:jobs" || big == "big:hash", "{f:#}");
    assert_eq!(
        f["fixes"][0]["commands"][0],
        format!(
            "redis-cli -h 127.0.0.1 -p {} MEMORY USAGE {big}",
            server.port
        )
    );
    // And the first pattern without TTLs, quoted for the shell.
    let f = expect_finding(&report, "keys-without-ttl", "warning");
    let first = f["evidence"]["pattern"].as_str().unwrap();
    assert!(
        f["evidence"]["patterns"][0]
            .as_str()
            .unwrap()
            .starts_with(&format!("{first} (")),
        "{f:#}"
    );
    let quoted = if first.contains('*') {
        format!("'{first}'")
    } else {
        first.to_string()
    };
    assert_eq!(
        f["fixes"][0]["commands"][0],
        format!(
            "redis-cli -h 127.0.0.1 -p {} --scan --pattern {quoted} | head",
            server.port
        )
    );
    // Keys that are not text, or hold a newline, are shown escaped.
    assert_eq!(
        pattern(&report, "bin:*:x")["largest"][0]["key"],
        "bin:\\xff\\xfe:x"
    );
    assert_eq!(
        pattern(&report, "note:* line")["largest"][0]["key"],
        "note:two\\nlines line"
    );
    assert_eq!(pattern(&report, "glob:a\\*b\\?\\[c\\]")["keys"], 1);
    assert_eq!(run.code(), 1, "{:?}", problems(&report));

    // --pattern and --type narrow the scan.
    let run = memory(&server, &["--keys", "--pattern", "user:*"]);
    assert_eq!(run.json()["keyspace"]["scanned_keys"], 300);
    let run = memory(&server, &["--keys", "--type", "hash"]);
    assert_eq!(run.json()["keyspace"]["scanned_keys"], 51);
}

#[test]
fn a_sample_says_it_is_one_and_estimates_with_a_margin() {
    let server = RedisServer::start();
    seed(&server);
    let run = memory(&server, &["--keys", "--sample", "100", "--count", "50"]);
    let k = run.json()["keyspace"].clone();
    assert_eq!(k["sampled"], true, "{k:#}");
    assert_eq!(k["scanned_keys"], 100);
    assert_eq!(k["partial"], false);
    let est = &k["estimated_total_bytes"];
    assert!(
        est["value"].as_f64().unwrap() > 0.0 && est["margin"].as_f64().unwrap() > 0.0,
        "{est}"
    );
    assert!(
        k["patterns"][0]["estimated_keys"]["value"]
            .as_f64()
            .is_some(),
        "{k:#}"
    );
}

#[test]
fn the_deadline_and_ctrl_c_end_a_scan_with_what_was_found() {
    let server = RedisServer::start();
    server.cmd(&["DEBUG", "POPULATE", "3000", "item"]);
    let run = memory(&server, &["--keys", "--scan-timeout", "1ms"]);
    let report = run.json();
    assert_eq!(report["keyspace"]["partial"], true);
    assert!(report["keyspace"]["stopped_because"]
        .as_str()
        .unwrap()
        .contains("deadline"));
    let f = expect_finding(&report, "scan-partial", "unknown");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("of 3000 keys scanned") && message.contains("--scan-timeout"),
        "{message}"
    );
    assert_eq!(run.code(), 3);

    // Ctrl-C: 3,000 keys at 500 a second take 6 s; SIGINT after one.
    let run = Cachectl::new()
        .args([
            "memory",
            "-o",
            "json",
            "--url",
            &server.url(),
            "--keys",
            "--rate",
            "500",
            "--count",
            "100",
        ])
        .run_while(Duration::from_millis(1200), interrupt);
    let report = run.json();
    let k = &report["keyspace"];
    assert_eq!(k["partial"], true, "{k:#}");
    assert_eq!(k["stopped_because"], "interrupted (Ctrl-C)");
    let scanned = k["scanned_keys"].as_u64().unwrap();
    assert!(scanned > 0 && scanned < 3000, "{scanned}");
    assert_eq!(run.code(), 3);
}

#[test]
fn a_key_gone_between_scan_and_look_up_is_skipped() {
    let server = RedisServer::start();
    server.cmd(&["SET", "here", "1"]);
    let spec = cachectl::target::parse_url(&server.url()).unwrap();
    let timeouts = cachectl::target::Timeouts {
        connect: Duration::from_secs(2),
        command: Duration::from_secs(2),
        overall: Duration::from_secs(10),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let tally = runtime.block_on(async {
        let session = cachectl::target::connect::connect(&spec, &timeouts)
            .await
            .map_err(|f| f.detail)
            .unwrap();
        let big = cachectl::scan::tally::BigKeys {
            string_bytes: 1 << 20,
            collection_members: 5000,
            list_elements: 10_000,
        };
        let mut tally = cachectl::scan::tally::Tally::new(3, 100, big);
        // "gone" was listed by SCAN and deleted before it was looked up.
        cachectl::scan::look_up_all(&session, &[b"here".to_vec(), b"gone".to_vec()], &mut tally)
            .await
            .unwrap();
        tally
    });
    assert_eq!((tally.scanned, tally.vanished), (1, 1));
}

/// The figures a scan's report gives of the keyspace, for comparing runs.
fn totals(k: &serde_json::Value) -> serde_json::Value {
    let patterns: Vec<_> = k["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            serde_json::json!([
                p["pattern"],
                p["keys"],
                p["bytes"],
                p["no_ttl_keys"],
                p["types"]
            ])
        })
        .collect();
    serde_json::json!({
        "scanned": k["scanned_keys"],
        "bytes": k["total_bytes"],
        "no_ttl": k["no_ttl_keys"],
        "types": k["types"],
        "patterns": patterns,
        // Without their TTLs, which count down between the runs, and their
        // encodings, asked of a sample of each pattern's keys (which keys
        // depends on where each run stopped).
        "largest": k["largest"].as_array().unwrap().iter().map(|key| {
            let mut key = key.clone();
            let fields = key.as_object_mut().unwrap();
            fields.remove("ttl");
            fields.remove("encoding");
            key
        }).collect::<Vec<_>>(),
        "big": k["big_key_count"],
    })
}

#[test]
fn an_interrupted_scan_resumes_to_the_totals_of_an_uninterrupted_one() {
    let server = RedisServer::start();
    seed(&server);
    server.cmd(&["DEBUG", "POPULATE", "3000", "item"]);
    let whole = memory(&server, &["--keys"]).json();
    assert_eq!(whole["keyspace"]["scanned_keys"], 3555);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scan.resume");
    let resume = file.to_str().unwrap();
    // 3,553 keys at 1,000 a second: interrupted after a second each time,
    // the file holding the place and the totals between runs.
    let mut runs = Vec::new();
    for _ in 0..10 {
        let run = Cachectl::new()
            .args(["memory", "-o", "json", "--url", &server.url(), "--keys"])
            .args(["--rate", "1000", "--count", "100", "--resume", resume])
            .run_while(Duration::from_secs(1), interrupt);
        let k = run.json()["keyspace"].clone();
        runs.push(k.clone());
        if k["resume"]["finished"] == true {
            break;
        }
        assert_eq!(k["partial"], true, "{k:#}");
        assert_eq!(run.code(), 3);
        assert!(file.exists(), "an unfinished scan keeps its file");
    }
    assert!(runs.len() >= 3, "the scan was interrupted at least twice");
    let last = runs.last().unwrap();
    assert_eq!(last["partial"], false, "{last:#}");
    assert_eq!(last["resume"]["resumed"], true);
    assert_eq!(last["resume"]["runs"], runs.len());
    assert!(!file.exists(), "a finished scan removes its file");
    assert_eq!(totals(last), totals(&whole["keyspace"]));
    // Each run went on from the last: none scanned the keyspace again.
    let scanned: Vec<u64> = runs
        .iter()
        .map(|k| k["scanned_keys"].as_u64().unwrap())
        .collect();
    assert!(scanned.windows(2).all(|w| w[0] < w[1]), "{scanned:?}");

    // A file of another scan is refused, saying what it holds.
    let run = Cachectl::new()
        .args(["memory", "-o", "json", "--url", &server.url(), "--keys"])
        .args(["--rate", "1000", "--resume", resume])
        .run_while(Duration::from_millis(500), interrupt);
    assert_eq!(run.code(), 3);
    let run = memory(
        &server,
        &["--keys", "--pattern", "user:*", "--resume", resume],
    );
    assert_eq!(run.code(), 3, "{}", run.stderr());
    assert!(
        run.stderr()
            .contains("resumes a scan of db 0, not of db 0, keys matching user:*"),
        "{}",
        run.stderr()
    );
}

/// A scan the server refuses (an ACL user without SCAN) is a fact not had,
/// said as one: the keyspace checks are not run, the report names why and
/// gives the grant, and it is never OK (exit 3), with no password shown.
#[test]
fn a_refused_scan_is_unknown_and_says_why() {
    let server = RedisServer::start();
    server.cmd(&["CONFIG", "SET", "maxmemory", "100mb"]);
    server.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]);
    let acl: Vec<&str> = "ACL SETUSER reader on >scanpw-71 ~* +@all -scan"
        .split(' ')
        .collect();
    server.cmd(&acl);
    let url = format!("redis://reader:scanpw-71@127.0.0.1:{}", server.port);
    let run = Cachectl::new()
        .args(["memory", "--keys", "-o", "json", "--url", &url])
        .run();
    let report = run.json();
    assert_eq!(run.code(), 3, "{}", run.stderr());
    assert_eq!(report["status"], "unknown");
    let f = expect_finding(&report, "scan-failed", "unknown");
    assert_eq!(f["evidence"]["kind"], "noperm", "{f:#}");
    assert!(report["keyspace"].is_null(), "{report:#}");
    let unavailable = &report["unavailable"][0];
    assert_eq!(
        (&unavailable["fact"], &unavailable["command"]),
        (&"keyspace_scan".into(), &"SCAN".into())
    );
    let skipped: Vec<&str> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["runbook"] == "keyspace")
        .map(|s| s["check"].as_str().unwrap())
        .collect();
    assert!(skipped.contains(&"big-keys"), "{skipped:?}");
    assert!(!run.all_output().contains("scanpw-71"));
}
