//! The write doors under attack and in careless hands: no wrong database,
//! no lost data, no secret to a stranger, time and memory bounded. Each
//! test reproduces what broke, against real processes.

use std::time::Duration;

use crate::harness::*;

fn at(server: &RedisServer) -> String {
    format!("127.0.0.1:{}", server.port)
}

fn dbsize(server: &RedisServer, db: i64) -> i64 {
    let mut c = server.client();
    let _: () = redis::cmd("SELECT").arg(db).query(&mut c).unwrap();
    redis::cmd("DBSIZE").query(&mut c).unwrap()
}

fn fill(server: &RedisServer, db: i64, keys: usize) {
    let mut c = server.client();
    let _: () = redis::cmd("SELECT").arg(db).query(&mut c).unwrap();
    let mut pipe = redis::pipe();
    for i in 0..keys {
        pipe.cmd("SET").arg(format!("k:{i}")).arg("v").ignore();
    }
    pipe.query::<()>(&mut c).unwrap();
}

#[test]
fn a_negative_database_is_refused_and_a_consent_naming_one_holds_to_it() {
    let server = RedisServer::start();
    fill(&server, 0, 50);
    fill(&server, 3, 30);
    let dir = tempfile::tempdir().unwrap();
    let flush = |extra: &[&str]| {
        Cachectl::new()
            .args(["flush", "-o", "json", "--url", &server.url(), "--audit-log"])
            .arg(dir.path().join("audit.jsonl"))
            .args(extra)
            .run()
    };
    for db in ["-5", "-1", "-3"] {
        let run = flush(&[
            "--db",
            db,
            "--whole-db",
            "--yes",
            "--confirm-destructive",
            &at(&server),
        ]);
        assert_eq!(run.code(), 3, "{}", run.all_output());
        assert!(
            run.stderr().contains(&format!("{db} is not a database")),
            "{}",
            run.stderr()
        );
        let run = flush(&["--db", db, "--pattern", "*", "--dry-run"]);
        assert_eq!(run.code(), 3);
    }
    assert_eq!((dbsize(&server, 0), dbsize(&server, 3)), (50, 30));
    // The consent names db 0: a flush of db 3 is not done.
    let run = flush(&[
        "--db",
        "3",
        "--whole-db",
        "--yes",
        "--confirm-destructive",
        &format!("{}/0", at(&server)),
    ]);
    let f = run.json()["flush"].clone();
    assert_eq!(f["outcome"], "skipped", "{f:#}");
    assert!(
        f["reason"].as_str().unwrap().contains("names db 0"),
        "{f:#}"
    );
    assert_eq!(run.code(), 3);
    assert_eq!(dbsize(&server, 3), 30);
    // Named right, db 3 goes, db 0 stays; the counts are DBSIZE's.
    let run = flush(&[
        "--db",
        "3",
        "--whole-db",
        "--yes",
        "--confirm-destructive",
        &format!("{}/3", at(&server)),
    ]);
    let f = run.json()["flush"].clone();
    assert_eq!(
        (f["matched"].as_u64(), f["deleted"].as_u64()),
        (Some(30), Some(30)),
        "{f:#}"
    );
    assert_eq!((dbsize(&server, 0), dbsize(&server, 3)), (50, 0));
}

#[test]
fn replace_at_maxmemory_keeps_the_old_value_when_the_new_one_is_refused() {
    let server = oom_server(ServerOptions::default());
    // 100 hashes written before memory ran out (with room made for them).
    {
        let mut c = server.client();
        for i in 0..300 {
            let _: () = redis::cmd("DEL")
                .arg(format!("k:{i}"))
                .query(&mut c)
                .unwrap();
        }
        for i in 0..100 {
            let _: () = redis::cmd("HSET")
                .arg(format!("h:{i}"))
                .arg("f")
                .arg("old")
                .query(&mut c)
                .unwrap();
        }
        // And full again.
        let value = "v".repeat(1024);
        for i in 0..10_000 {
            if redis::cmd("SET")
                .arg(format!("fill:{i}"))
                .arg(&value)
                .query::<()>(&mut c)
                .is_err()
            {
                break;
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fixed.jsonl");
    let big = "n".repeat(4096);
    let lines: String = (0..100)
        .map(|i| format!("{{\"key\":\"h:{i}\",\"type\":\"hash\",\"value\":{{\"f\":\"{big}\"}}}}\n"))
        .collect();
    std::fs::write(&file, lines).unwrap();
    let run = Cachectl::new()
        .args(["warm", "-o", "json", "--url", &server.url(), "--file"])
        .arg(&file)
        .args([
            "--replace",
            "--continue-on-oom",
            "--yes",
            "--confirm-destructive",
            &at(&server),
        ])
        .arg("--audit-log")
        .arg(dir.path().join("audit.jsonl"))
        .run();
    let w = run.json()["warm"].clone();
    assert_eq!(w["oom"], 100, "{w:#}");
    let mut c = server.client();
    for i in 0..100 {
        let v: Option<String> = redis::cmd("HGET")
            .arg(format!("h:{i}"))
            .arg("f")
            .query(&mut c)
            .unwrap();
        assert_eq!(v.as_deref(), Some("old"), "h:{i} lost its value");
    }
}

#[test]
fn a_checkpoint_never_overwrites_a_file_beside_it() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    // The input is named as the old checkpoint's temporary file was.
    let input = dir.path().join("export.tmp");
    let lines: String = (0..20_000)
        .map(|i| format!("{{\"key\":\"w:{i}\",\"value\":\"v{i}\"}}\n"))
        .collect();
    std::fs::write(&input, &lines).unwrap();
    let run = Cachectl::new()
        .args(["warm", "-o", "json", "--url", &server.url(), "--file"])
        .arg(&input)
        .args(["--format", "jsonl", "--yes", "--rate", "100000", "--resume"])
        .arg(dir.path().join("export.ckpt"))
        .arg("--audit-log")
        .arg(dir.path().join("audit.jsonl"))
        .run();
    assert_eq!(
        run.json()["warm"]["written"],
        20_000,
        "{}",
        run.all_output()
    );
    assert_eq!(std::fs::read_to_string(&input).unwrap(), lines);
    assert_eq!(dbsize(&server, 0), 20_000);
    // Nothing of cachectl's is left beside them but the checkpoint.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["audit.jsonl", "export.ckpt", "export.tmp"]);
}

#[test]
fn a_key_that_stops_matching_before_its_turn_is_left_alone() {
    let server = RedisServer::start();
    {
        let mut c = server.client();
        for i in 0..6 {
            let _: () = redis::cmd("SET")
                .arg(format!("s:{i}"))
                .arg("v")
                .query(&mut c)
                .unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let url = server.url();
    let changed = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mine = changed.clone();
    // One key a second; after the first, every key still there changes:
    // half get a TTL, half become hashes (atomically, so a key deleted in
    // between is not made again).
    let run = Cachectl::new()
        .args(["flush", "-o", "json", "--url", &url, "--pattern", "s:*"])
        .args(["--no-ttl", "--type", "string", "--rate", "1", "--batch", "1"])
        .args(["--yes", "--confirm-destructive", &at(&server), "--audit-log"])
        .arg(dir.path().join("audit.jsonl"))
        .run_while(Duration::from_millis(1500), move |_| {
            let mut c = redis::Client::open(url.as_str()).unwrap().get_connection().unwrap();
            let rewrite = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DEL', KEYS[1]); redis.call('HSET', KEYS[1], 'f', 'v'); return 1 end return 0";
            for i in 0..6 {
                let key = format!("s:{i}");
                let done: i64 = if i % 2 == 0 {
                    redis::cmd("EXPIRE").arg(&key).arg(1000).query(&mut c).unwrap()
                } else {
                    redis::cmd("EVAL").arg(rewrite).arg(1).arg(&key).query(&mut c).unwrap()
                };
                if done == 1 {
                    mine.lock().unwrap().push(key);
                }
            }
        });
    let f = run.json()["flush"].clone();
    let changed = changed.lock().unwrap().clone();
    assert!(
        changed.len() >= 3,
        "the test changed too few keys: {changed:?}"
    );
    for key in &changed {
        assert_eq!(
            server.cmd(&["EXISTS", key]),
            redis::Value::Int(1),
            "{key} stopped matching and was deleted anyway: {f:#}"
        );
    }
    assert_eq!(f["stopped_matching"], changed.len(), "{f:#}");
    assert_eq!(
        f["deleted"].as_u64().unwrap() + changed.len() as u64,
        6,
        "{f:#}"
    );
    // Leaving them was right: none of what was to go is left, and the run
    // did all it should.
    assert_eq!(
        (f["remaining"].as_u64(), &f["complete"], &f["outcome"]),
        (
            Some(0),
            &serde_json::json!(true),
            &serde_json::json!("applied")
        ),
        "{f:#}"
    );
    assert_eq!(run.code(), 0, "{}", run.all_output());
}

#[test]
fn counts_come_from_the_server_and_an_unanswered_question_is_unknown() {
    // A user that may not run INFO: FLUSHDB's counts come from DBSIZE.
    let server = RedisServer::with(ServerOptions::default().password("admin-pass-20"));
    server.cmd(&[
        "ACL",
        "SETUSER",
        "flusher",
        "on",
        ">flusher-pass-20",
        "~*",
        "&*",
        "+@all",
        "-info",
    ]);
    fill(&server, 0, 1000);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("redis://flusher:flusher-pass-20@127.0.0.1:{}", server.port);
    let run = Cachectl::new()
        .args(["flush", "-o", "json", "--url", &url, "--whole-db", "--yes"])
        .args(["--confirm-destructive", &at(&server), "--audit-log"])
        .arg(dir.path().join("audit.jsonl"))
        .run();
    let f = run.json()["flush"].clone();
    assert_eq!(
        (f["matched"].as_u64(), f["deleted"].as_u64()),
        (Some(1000), Some(1000)),
        "{f:#}"
    );
    assert_eq!(run.code(), 0, "{}", run.all_output());

    // A server that dies part-way: what is left is not known, not 0.
    let mut victim = RedisServer::start();
    fill(&victim, 0, 20_000);
    let pid = victim.pid();
    let run = Cachectl::new()
        .args([
            "flush",
            "-o",
            "json",
            "--url",
            &victim.url(),
            "--pattern",
            "k:*",
        ])
        .args([
            "--rate",
            "4000",
            "--yes",
            "--confirm-destructive",
            &at(&victim),
        ])
        .arg("--audit-log")
        .arg(dir.path().join("audit.jsonl"))
        .run_while(Duration::from_millis(1500), move |_| {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        });
    let f = run.json()["flush"].clone();
    assert_eq!(f["outcome"], "failed", "{f:#}");
    assert!(f["remaining"].is_null(), "{f:#}");
    let deleted = f["deleted"].as_u64().unwrap();
    assert!(deleted > 0 && deleted < 20_000, "{f:#}");
    assert!(
        f["reason"].as_str().unwrap().contains("unknown number"),
        "{f:#}"
    );
    assert_eq!(run.code(), 3);
    victim.kill();
}

#[test]
fn warm_from_a_cluster_copies_every_primary() {
    let cluster = Cluster::start(3, 0);
    let pairs: Vec<(String, String)> = (0..3000)
        .map(|i| (format!("product:{i}"), format!("p{i}")))
        .collect();
    cluster.set_all(&pairs);
    let target = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let run = Cachectl::new()
        .args(["warm", "-o", "json", "--url", &target.url(), "--from"])
        .arg(cluster.nodes[0].url())
        .args(["--pattern", "product:*", "--yes", "--audit-log"])
        .arg(dir.path().join("audit.jsonl"))
        .run();
    let w = run.json()["warm"].clone();
    assert_eq!(w["written"], 3000, "{w:#}");
    assert_eq!(dbsize(&target, 0), 3000);
    assert!(
        w["sources"][0]["source"]
            .as_str()
            .unwrap()
            .contains("its 3 primaries"),
        "{w:#}"
    );
    assert_eq!(run.code(), 0);
}

#[test]
fn duplicates_and_ttls_in_a_batch_behave_as_documented() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dups.jsonl");
    std::fs::write(
        &file,
        "{\"key\":\"h\",\"type\":\"hash\",\"value\":{\"a\":\"1\"}}\n\
         {\"key\":\"h\",\"type\":\"hash\",\"value\":{\"b\":\"2\"}}\n\
         {\"key\":\"forever\",\"type\":\"hash\",\"value\":{\"a\":\"1\"},\"ttl\":99999999999999999}\n",
    )
    .unwrap();
    let run = Cachectl::new()
        .args(["warm", "-o", "json", "--url", &server.url(), "--file"])
        .arg(&file)
        .args(["--yes", "--audit-log"])
        .arg(dir.path().join("audit.jsonl"))
        .run();
    let w = run.json()["warm"].clone();
    // The first record of a key writes it; the second finds it there.
    assert_eq!(
        (w["written"].as_u64(), w["existing"].as_u64()),
        (Some(1), Some(1)),
        "{w:#}"
    );
    assert_eq!(server.cmd(&["HLEN", "h"]), redis::Value::Int(1));
    // A TTL Redis cannot keep is a bad line, not a key left forever.
    assert_eq!(w["errors"], 1, "{w:#}");
    let bad = w["sources"][0]["bad_lines"][0].clone();
    assert_eq!(bad["line"], 3);
    assert!(bad["reason"]
        .as_str()
        .unwrap()
        .contains("more seconds than Redis can keep"));
    assert_eq!(server.cmd(&["EXISTS", "forever"]), redis::Value::Int(0));
}

#[test]
fn a_sentinels_own_links_are_spared_by_clients_kill() {
    let set = SentinelSet::start(0, 3);
    let dir = tempfile::tempdir().unwrap();
    let run = Cachectl::new()
        .args(["clients", "kill", "-o", "json", "--url", &set.primary.url()])
        .args([
            "--client-type",
            "pubsub",
            "--yes",
            "--confirm-destructive",
            &at(&set.primary),
        ])
        .arg("--audit-log")
        .arg(dir.path().join("audit.jsonl"))
        .run();
    let k = run.json()["kill"].clone();
    assert_eq!(k["matched"].as_array().unwrap().len(), 0, "{k:#}");
    let spared: Vec<&str> = k["spared"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert_eq!(spared.len(), 3, "{k:#}");
    assert!(
        spared.iter().all(|r| r.starts_with("a Sentinel's link")),
        "{spared:?}"
    );
    assert_eq!(
        set.primary
            .cmd_text(&["CLIENT", "LIST", "TYPE", "pubsub"])
            .lines()
            .count(),
        3
    );
}

/// A Sentinel of the test's own, one of `sentinels`, that names `primary`
/// and `replicas` for mymaster and says its quorum is fine.
fn fake_sentinel(primary: u16, replicas: Vec<u16>, sentinels: usize) -> FakeResp {
    FakeResp::start(move |args| {
        let (verb, sub) = command_words(args);
        match (verb.as_str(), sub.as_str()) {
            ("SENTINEL", "GET-MASTER-ADDR-BY-NAME") => {
                bulk_array(&[b"127.0.0.1", primary.to_string().as_bytes()])
            }
            ("SENTINEL", "MASTER") => bulk_array(&[
                b"name",
                b"mymaster",
                b"ip",
                b"127.0.0.1",
                b"port",
                primary.to_string().as_bytes(),
                b"flags",
                b"master",
                b"num-other-sentinels",
                (sentinels - 1).to_string().as_bytes(),
                b"quorum",
                b"2",
            ]),
            ("SENTINEL", "REPLICAS") => {
                let mut out = format!("*{}\r\n", replicas.len()).into_bytes();
                for port in &replicas {
                    out.extend(bulk_array(&[
                        b"ip",
                        b"127.0.0.1",
                        b"port",
                        port.to_string().as_bytes(),
                        b"flags",
                        b"slave",
                        b"master-link-status",
                        b"ok",
                        b"slave-priority",
                        b"100",
                    ]));
                }
                out
            }
            ("SENTINEL", "CKQUORUM") => {
                format!("+OK {sentinels} usable Sentinels\r\n").into_bytes()
            }
            _ => redis_like(args),
        }
    })
}

#[test]
fn a_rogue_sentinel_gets_no_credentials_sent_to_its_addresses() {
    let set = SentinelSet::start_with(1, 3, Some("node-pass-20"));
    // The attacker's "primary" and "replica": they record what reaches them.
    let attacker_primary = FakeResp::start(redis_like);
    let attacker_replica = FakeResp::start(redis_like);
    let rogue = fake_sentinel(attacker_primary.port, vec![attacker_replica.port], 4);
    let sentinels = format!("{},127.0.0.1:{}", set.addrs(), rogue.port);
    let dir = tempfile::tempdir().unwrap();
    let with = |cmd: &[&str], sentinels: &str| {
        Cachectl::new()
            .args(cmd)
            .args([
                "-o",
                "json",
                "--sentinel",
                sentinels,
                "--master",
                MASTER_NAME,
            ])
            .env("CACHECTL_SENTINEL_PASSWORD", "node-pass-20")
            .run()
    };
    // Three Sentinels against one: the majority's primary is used, the
    // rogue's addresses are not contacted at all.
    let run = with(&["diagnose"], &sentinels);
    let report = run.json();
    assert_eq!(report["nodes"][0]["addr"], at(&set.primary), "{report:#}");
    expect_finding(&report, "sentinel-disagree", "critical");
    let run = with(&["failover", "--dry-run"], &sentinels);
    assert_eq!(run.json()["failover"]["old_primary"], at(&set.primary));
    // Two against each other: no majority, no node is trusted, nothing is
    // written.
    let one_each = format!(
        "127.0.0.1:{},127.0.0.1:{}",
        set.sentinels[0].port, rogue.port
    );
    let file = dir.path().join("r.jsonl");
    std::fs::write(&file, "{\"key\":\"k\",\"value\":\"v\"}\n").unwrap();
    let run = Cachectl::new()
        .args([
            "warm",
            "-o",
            "json",
            "--sentinel",
            &one_each,
            "--master",
            MASTER_NAME,
        ])
        .arg("--file")
        .arg(&file)
        .args(["--yes", "--audit-log"])
        .arg(dir.path().join("audit.jsonl"))
        .env("CACHECTL_SENTINEL_PASSWORD", "node-pass-20")
        .run();
    assert_eq!(run.code(), 2, "{}", run.all_output());
    assert!(
        run.stdout()
            .contains("no majority of the 2 answering Sentinels"),
        "{}",
        run.stdout()
    );
    assert_eq!(set.primary.cmd(&["EXISTS", "k"]), redis::Value::Int(0));
    for (name, fake) in [
        ("primary", &attacker_primary),
        ("replica", &attacker_replica),
    ] {
        assert_eq!(
            fake.commands(),
            Vec::<String>::new(),
            "the rogue's {name} was sent commands"
        );
    }
}

#[test]
fn a_failover_whose_nodes_do_not_all_answer_is_not_verified() {
    let mut set = SentinelSet::start(2, 3);
    let dir = tempfile::tempdir().unwrap();
    let old = at(&set.primary);
    // A replica frozen for good: the Sentinels promote the other, but the
    // frozen one never says whom it follows.
    set.replicas[1].signal("STOP");
    let frozen = at(&set.replicas[1]);
    let run = failover_consented(&set, &old, "6s", dir.path()).run();
    // Unverified, or split (the old primary not yet demoted when the
    // watch ends): never applied, and the frozen node named.
    let f = run.json()["failover"].clone();
    assert!(
        f["outcome"] == "unverified" || f["outcome"] == "split",
        "{f:#}"
    );
    assert!(f["reason"].as_str().unwrap().contains(&frozen), "{f:#}");
    let frozen_after = f["nodes_after"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["addr"] == frozen.as_str())
        .unwrap()
        .clone();
    assert_eq!(frozen_after["role"], "unreachable");
    assert_eq!(run.code(), 2);
    set.replicas[1].signal("CONT");
    set.replicas.truncate(1);
}

#[test]
fn a_second_failover_during_the_watch_is_reported_and_its_primary_is_the_one_agreed_on() {
    let set = SentinelSet::start(2, 3);
    for s in &set.sentinels {
        s.cmd(&["SENTINEL", "SET", MASTER_NAME, "failover-timeout", "1000"]);
    }
    let dir = tempfile::tempdir().unwrap();
    let old = at(&set.primary);
    let replicas: Vec<(u16, u32)> = set.replicas.iter().map(|r| (r.port, r.pid())).collect();
    let sentinel = set.sentinels[0].url();
    let frozen = std::sync::Arc::new(std::sync::Mutex::new(None::<u32>));
    let mark = frozen.clone();
    // As soon as the Sentinels name a new primary, it is frozen: they see
    // it go down and fail over again, to the other replica.
    let run = failover_consented(&set, &old, "12s", dir.path()).run_while(
        Duration::from_millis(50),
        move |_| {
            let mut c = redis::Client::open(sentinel.as_str())
                .unwrap()
                .get_connection()
                .unwrap();
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while std::time::Instant::now() < deadline {
                let (_, port): (String, u16) = redis::cmd("SENTINEL")
                    .arg("GET-MASTER-ADDR-BY-NAME")
                    .arg(MASTER_NAME)
                    .query(&mut c)
                    .unwrap();
                if let Some((_, pid)) = replicas.iter().find(|(p, _)| *p == port) {
                    let _ = std::process::Command::new("kill")
                        .args(["-STOP", &pid.to_string()])
                        .status();
                    *mark.lock().unwrap() = Some(u32::from(port));
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        },
    );
    let f = run.json()["failover"].clone();
    let first = frozen
        .lock()
        .unwrap()
        .expect("a replica was promoted and frozen");
    let first = format!("127.0.0.1:{first}");
    // Whatever the end, it is not "applied to the first one".
    assert_ne!(f["outcome"], "applied", "{f:#}");
    assert_ne!(f["new_primary"], first.as_str(), "{f:#}");
    let primaries = f["timeline"]["primaries"].as_array().unwrap();
    assert_eq!(primaries.first(), Some(&serde_json::json!(first)), "{f:#}");
    // The Sentinels moved on to the other replica: said, and that one is
    // the new primary reported.
    assert_eq!(primaries.len(), 2, "{f:#}");
    assert_eq!(f["new_primary"], primaries[1], "{f:#}");
    assert!(
        f["reason"].as_str().unwrap().contains(&format!(
            "a second failover happened during the watch: {first}, then"
        )),
        "{f:#}"
    );
    assert_eq!(run.code(), 2);
    for r in &set.replicas {
        r.signal("CONT");
    }
}

#[test]
fn ctrl_c_ends_a_failover_watch_and_a_warm_through_a_hung_application_at_once() {
    let set = SentinelSet::start(2, 3);
    let dir = tempfile::tempdir().unwrap();
    let old = at(&set.primary);
    // A replica frozen for good: agreement never comes, the watch would
    // last its whole --wait of 60 s.
    set.replicas[1].signal("STOP");
    let run = failover_consented(&set, &old, "60s", dir.path())
        .run_while(Duration::from_secs(4), interrupt);
    assert!(
        run.elapsed < Duration::from_secs(7),
        "took {:?}",
        run.elapsed
    );
    let f = run.json()["failover"].clone();
    assert_eq!(f["outcome"], "unverified", "{f:#}");
    assert!(
        f["reason"]
            .as_str()
            .unwrap()
            .starts_with("interrupted (Ctrl-C)"),
        "{f:#}"
    );
    assert_eq!(run.code(), 2);
    set.replicas[1].signal("CONT");

    // warm --urls against an application that never answers in time.
    let server = RedisServer::start();
    let app = crate::app_server::AppServer::start();
    app.route(
        "/slow",
        crate::app_server::Reply::json(200, "{}").delayed(Duration::from_secs(30)),
    );
    let urls = dir.path().join("urls.txt");
    std::fs::write(&urls, "/slow\n".repeat(16)).unwrap();
    let run = Cachectl::new()
        .args(["warm", "-o", "json", "--url", &server.url(), "--urls"])
        .arg(&urls)
        .args([
            "--app",
            &app.url(),
            "--app-timeout",
            "40s",
            "--yes",
            "--audit-log",
        ])
        .arg(dir.path().join("audit.jsonl"))
        .run_while(Duration::from_secs(1), interrupt);
    assert!(
        run.elapsed < Duration::from_secs(4),
        "took {:?}",
        run.elapsed
    );
    let w = run.json()["warm"].clone();
    assert_eq!(w["complete"], false, "{w:#}");
    assert_eq!(run.code(), 3);
}

#[test]
fn warm_holds_a_budget_of_bytes_not_of_records() {
    let dir = tempfile::tempdir().unwrap();
    let target = RedisServer::start();
    let audit = dir.path().join("audit.jsonl");
    let audit = audit.to_str().unwrap();
    let url = target.url();

    // A copy of big values: 24 keys of 5 MiB.
    let source = RedisServer::start();
    {
        let mut c = source.client();
        let value = vec![b'x'; 5 << 20];
        for i in 0..24 {
            let _: () = redis::cmd("SET")
                .arg(format!("big:{i}"))
                .arg(&value)
                .query(&mut c)
                .unwrap();
        }
    }
    let from = source.url();
    let (report, peak) = run_measuring_rss(&[
        "warm",
        "-o",
        "json",
        "--url",
        &url,
        "--from",
        &from,
        "--pattern",
        "big:*",
        "--yes",
        "--audit-log",
        audit,
    ]);
    assert_eq!(report["warm"]["written"], 24, "{report:#}");
    assert!(peak < 120 * 1024, "copying 5 MiB values took {peak} KiB");

    // One line of 100 MiB: refused, and no more of it held than the 64 MiB
    // limit of one record.
    let huge = dir.path().join("huge.jsonl");
    {
        use std::io::Write as _;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&huge).unwrap());
        f.write_all(b"{\"key\":\"ok\",\"value\":\"1\"}\n{\"key\":\"huge\",\"value\":\"")
            .unwrap();
        let chunk = vec![b'y'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&chunk).unwrap();
        }
        f.write_all(b"\"}\n{\"key\":\"after\",\"value\":\"2\"}\n")
            .unwrap();
    }
    let (report, peak) = run_measuring_rss(&[
        "warm",
        "-o",
        "json",
        "--url",
        &url,
        "--file",
        huge.to_str().unwrap(),
        "--yes",
        "--audit-log",
        audit,
    ]);
    let w = &report["warm"];
    assert_eq!(
        (w["written"].as_u64(), w["errors"].as_u64()),
        (Some(2), Some(1)),
        "{w:#}"
    );
    let bad = &w["sources"][0]["bad_lines"][0];
    assert_eq!(bad["line"], 2);
    assert!(
        bad["reason"]
            .as_str()
            .unwrap()
            .contains("over the 67108864-byte limit"),
        "{bad}"
    );
    assert!(peak < 110 * 1024, "a 100 MiB line took {peak} KiB");

    // 3,000 records of 40 KB (120 MB of input).
    let many = dir.path().join("many.jsonl");
    {
        use std::io::Write as _;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&many).unwrap());
        let value = "z".repeat(40_000);
        for i in 0..3000 {
            writeln!(f, "{{\"key\":\"m:{i}\",\"value\":\"{value}\"}}").unwrap();
        }
    }
    let (report, peak) = run_measuring_rss(&[
        "warm",
        "-o",
        "json",
        "--url",
        &url,
        "--file",
        many.to_str().unwrap(),
        "--yes",
        "--audit-log",
        audit,
    ]);
    assert_eq!(report["warm"]["written"], 3000, "{report:#}");
    assert!(peak < 120 * 1024, "120 MB of records took {peak} KiB");
}

/// A server of the test's own whose CLIENT LIST has `n` idle clients.
fn crowded(n: usize) -> FakeResp {
    let mut list = Vec::with_capacity(n * 300);
    for i in 0..n {
        list.extend_from_slice(
            format!(
                "id={} addr=10.0.{}.{}:{} laddr=127.0.0.1:6379 fd={} name=app-{} age={} idle={} flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=get user=default redir=-1 resp=2\n",
                i + 2,
                i / 250 % 250,
                i % 250,
                1000 + i % 60000,
                i + 8,
                i % 7,
                i % 5000,
                i % 4000
            )
            .as_bytes(),
        );
    }
    let reply = std::sync::Arc::new(bulk(&list));
    FakeResp::start(move |args| {
        let (verb, sub) = command_words(args);
        match (verb.as_str(), sub.as_str()) {
            ("CLIENT", "LIST") => reply.to_vec(),
            ("CLIENT", "KILL") => b"+OK\r\n".to_vec(),
            _ => redis_like(args),
        }
    })
}

#[test]
fn a_hundred_thousand_clients_are_read_in_linear_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let audit = audit.to_str().unwrap();
    let mut cost = Vec::new();
    for n in [100, 25_000, 100_000] {
        let server = crowded(n);
        let url = format!("redis://127.0.0.1:{}", server.port);
        let (view, view_kib) = run_measuring_rss(&["clients", "-o", "json", "--url", &url]);
        assert_eq!(view["clients"]["count"], n, "{:#}", view["clients"]);
        let (kill, kill_kib) = run_measuring_rss(&[
            "clients",
            "kill",
            "-o",
            "json",
            "--url",
            &url,
            "--idle",
            "1s",
            "--yes",
            "--confirm-destructive",
            &format!("127.0.0.1:{}", server.port),
            "--audit-log",
            audit,
        ]);
        let kill = &kill["kill"];
        let matched = kill["matched"].as_array().unwrap().len();
        assert_eq!(kill["killed"], matched, "{}", kill["reason"]);
        let kills = server
            .commands()
            .iter()
            .filter(|c| c.starts_with("CLIENT KILL ID "))
            .count();
        assert_eq!(kills, matched);
        cost.push((n, view_kib, kill_kib));
    }
    // What the clients cost beyond the run itself: linear, and at 100,000
    // under 85 MB (this is a debug build; the release build's whole run is
    // under 100 MB: bench/clients.sh).
    let (base_view, base_kill) = (cost[0].1, cost[0].2);
    let grown = |i: usize| (cost[i].1 - base_view, cost[i].2 - base_kill);
    let (view_25k, kill_25k) = grown(1);
    let (view_100k, kill_100k) = grown(2);
    assert!(view_100k < 85 * 1024 && kill_100k < 85 * 1024, "{cost:?}");
    assert!(
        view_100k < 5 * view_25k.max(1024) && kill_100k < 5 * kill_25k.max(1024),
        "{cost:?}"
    );
}

/// A server of the test's own whose SCAN never ends: every page has keys
/// and a cursor to go on with; its DUMP answers `payload` (one the target
/// will RESTORE).
fn endless_scan(payload: Vec<u8>) -> FakeResp {
    FakeResp::start(move |args| {
        let (verb, _) = command_words(args);
        match verb.as_str() {
            "SCAN" => {
                let cursor: u64 = String::from_utf8_lossy(&args[1]).parse().unwrap_or(0) + 1;
                let keys: Vec<String> = (0..100).map(|i| format!("session:{cursor}:{i}")).collect();
                let mut out = b"*2\r\n".to_vec();
                out.extend(bulk(cursor.to_string().as_bytes()));
                let refs: Vec<&[u8]> = keys.iter().map(std::string::String::as_bytes).collect();
                out.extend(bulk_array(&refs));
                out
            }
            "PTTL" => b":-1\r\n".to_vec(),
            // Its keys are never there to delete.
            "UNLINK" | "EXISTS" => b":0\r\n".to_vec(),
            "MEMORY" => b":64\r\n".to_vec(),
            "OBJECT" => b":0\r\n".to_vec(),
            "DUMP" => bulk(&payload),
            _ => redis_like(args),
        }
    })
}

#[test]
fn a_scan_that_never_ends_is_stopped_and_nothing_is_deleted() {
    let target = RedisServer::start();
    let payload: Vec<u8> = {
        let mut c = target.client();
        let _: () = redis::cmd("SET")
            .arg("sample")
            .arg("v")
            .query(&mut c)
            .unwrap();
        let p = redis::cmd("DUMP").arg("sample").query(&mut c).unwrap();
        let _: () = redis::cmd("DEL").arg("sample").query(&mut c).unwrap();
        p
    };
    let fake = endless_scan(payload);
    let url = format!("redis://127.0.0.1:{}", fake.port);
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let audit = audit.to_str().unwrap();
    let (report, peak) = run_measuring_rss(&[
        "flush",
        "-o",
        "json",
        "--url",
        &url,
        "--pattern",
        "session:*",
        "--yes",
        "--confirm-destructive",
        &format!("127.0.0.1:{}", fake.port),
        "--audit-log",
        audit,
    ]);
    // Deleting as it scans: stopped at ten times DBSIZE, each batch's
    // keys absent by the server's word, memory bounded.
    let f = &report["flush"];
    assert_eq!(f["outcome"], "stopped", "{f:#}");
    assert_eq!(f["streamed"], true);
    assert!(
        f["reason"].as_str().unwrap().contains("does not end"),
        "{f:#}"
    );
    assert_eq!(f["deleted"], 0);
    assert!(peak < 80 * 1024, "{peak} KiB");
    // Listing first (a dry run, or the prompt's exact count): the list
    // is never finished, and nothing is sent to delete.
    let before = fake.commands().len();
    let run = Cachectl::new()
        .args([
            "flush",
            "-o",
            "json",
            "--url",
            &url,
            "--pattern",
            "session:*",
        ])
        .args(["--dry-run", "--audit-log", audit])
        .run();
    let f = run.json()["flush"].clone();
    assert_eq!(f["outcome"], "stopped", "{f:#}");
    assert!(
        f["reason"].as_str().unwrap().contains("does not end"),
        "{f:#}"
    );
    assert!(!fake.commands()[before..]
        .iter()
        .any(|c| c.starts_with("UNLINK")));
    // And as a copy's source.
    let run = Cachectl::new()
        .args(["warm", "-o", "json", "--url", &target.url(), "--from", &url])
        .args(["--pattern", "session:*", "--yes", "--audit-log", audit])
        .run();
    let w = run.json()["warm"].clone();
    assert_eq!(w["complete"], false, "{w:#}");
    assert!(
        w["reason"].as_str().unwrap().contains("without ending"),
        "{w:#}"
    );
    assert_eq!(run.code(), 3);
    run.assert_within(30);
}

#[test]
fn refusals_are_right_lfu_idle_acl_patterns_and_a_renamed_unlink() {
    // Under an LFU policy there is no idle time to select by.
    let lfu = RedisServer::with(ServerOptions::default().config("maxmemory-policy allkeys-lfu"));
    let run = Cachectl::new()
        .args([
            "flush",
            "--url",
            &lfu.url(),
            "--pattern",
            "*",
            "--idle",
            "1m",
            "--dry-run",
        ])
        .run();
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr()
            .contains("Redis does not keep under maxmemory-policy allkeys-lfu"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().len() < 1000, "{}", run.stderr());

    // A user allowed only cache:* keys may flush them: the preflight asks
    // about a real key, not a placeholder.
    if server_has((7, 0), "ACL DRYRUN") {
        let server = RedisServer::with(ServerOptions::default().password("admin-pass-20"));
        server.cmd(&[
            "ACL",
            "SETUSER",
            "cacher",
            "on",
            ">cacher-pass-20",
            "~cache:*",
            "+@all",
        ]);
        for i in 0..20 {
            server.cmd(&["SET", &format!("cache:{i}"), "v"]);
        }
        let dir = tempfile::tempdir().unwrap();
        let url = format!("redis://cacher:cacher-pass-20@127.0.0.1:{}", server.port);
        let run = flush_consented(&url, "cache:*", &at(&server), dir.path()).run();
        let f = run.json()["flush"].clone();
        assert_eq!(f["outcome"], "applied", "{f:#}");
        assert_eq!(f["deleted"], 20);
    }

    // UNLINK renamed away: blocked, and the advice is not a flush that
    // needs it.
    let renamed = RedisServer::with(ServerOptions::default().config("rename-command UNLINK \"\""));
    renamed.cmd(&["SET", "s:1", "v"]);
    let dir = tempfile::tempdir().unwrap();
    let run = flush_consented(&renamed.url(), "s:*", &at(&renamed), dir.path()).run();
    let f = run.json()["flush"].clone();
    assert_eq!(f["outcome"], "blocked", "{f:#}");
    let reason = f["reason"].as_str().unwrap();
    assert!(
        reason.contains("`UNLINK` is renamed or disabled"),
        "{reason}"
    );
    assert!(!reason.contains("cachectl flush --pattern"), "{reason}");
    assert_eq!(renamed.cmd(&["EXISTS", "s:1"]), redis::Value::Int(1));
}

/// A server that accepts connections and never answers.
fn silent() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    port
}

#[test]
fn a_dry_run_is_bounded_by_the_deadline_against_hung_peers() {
    // Three Sentinels of the test's own name a real primary and twenty
    // replicas that accept and never answer.
    let primary = RedisServer::start();
    let hung: Vec<u16> = (0..20).map(|_| silent()).collect();
    let sentinels: Vec<FakeResp> = (0..3)
        .map(|_| fake_sentinel(primary.port, hung.clone(), 3))
        .collect();
    let list = sentinels
        .iter()
        .map(|s| format!("127.0.0.1:{}", s.port))
        .collect::<Vec<_>>()
        .join(",");
    let run = Cachectl::new()
        .args([
            "failover",
            "-o",
            "json",
            "--sentinel",
            &list,
            "--master",
            MASTER_NAME,
        ])
        .args(["--dry-run", "--timeout", "3s"])
        .run();
    run.assert_within(6);
    let f = run.json()["failover"].clone();
    assert_eq!(f["candidates"].as_array().unwrap().len(), 20, "{f:#}");
    assert!(f["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["fit"] == false));
    assert_eq!(f["outcome"], "refused");

    // A flush whose server hangs part-way ends by --timeout.
    let server = RedisServer::start();
    fill(&server, 0, 20_000);
    let pid = server.pid();
    let dir = tempfile::tempdir().unwrap();
    let run = Cachectl::new()
        .args([
            "flush",
            "-o",
            "json",
            "--url",
            &server.url(),
            "--pattern",
            "k:*",
        ])
        .args([
            "--rate",
            "5000",
            "--timeout",
            "3s",
            "--command-timeout",
            "1s",
            "--yes",
        ])
        .args(["--confirm-destructive", &at(&server), "--audit-log"])
        .arg(dir.path().join("audit.jsonl"))
        .run_while(Duration::from_millis(1200), move |_| {
            let _ = std::process::Command::new("kill")
                .args(["-STOP", &pid.to_string()])
                .status();
        });
    run.assert_within(7);
    let f = run.json()["flush"].clone();
    assert_eq!(f["outcome"], "failed", "{f:#}");
    assert_eq!(run.code(), 3);
    server.signal("CONT");
}

#[test]
fn names_servers_hand_out_are_escaped_wherever_they_are_shown() {
    // A Sentinel that names a primary whose "host" carries escapes.
    let evil = "127.0.0.1\u{1b}]0;pwned\u{7}";
    let rogue = FakeResp::start(move |args| {
        let (verb, sub) = command_words(args);
        match (verb.as_str(), sub.as_str()) {
            ("SENTINEL", "GET-MASTER-ADDR-BY-NAME") => bulk_array(&[evil.as_bytes(), b"6379"]),
            ("SENTINEL", "MASTER") => bulk_array(&[b"name", b"mymaster", b"flags", b"master"]),
            ("SENTINEL", "REPLICAS") => {
                let mut out = b"*1\r\n".to_vec();
                out.extend(bulk_array(&[
                    b"ip",
                    evil.as_bytes(),
                    b"port",
                    b"6380",
                    b"flags",
                    b"slave",
                ]));
                out
            }
            ("SENTINEL", "CKQUORUM") => b"+OK 1 usable Sentinels\r\n".to_vec(),
            _ => redis_like(args),
        }
    });
    let sentinels = format!("127.0.0.1:{}", rogue.port);
    // Through a pipe, and on a terminal (where the plan, its checks and the
    // refusal are written as status lines, and colour is on).
    for (cmd, pty) in [
        (&["diagnose"][..], false),
        (&["failover", "--dry-run"], false),
        (&["diagnose"], true),
        (&["failover"], true),
    ] {
        let run = Cachectl::new()
            .args(cmd)
            .args(["--sentinel", &sentinels, "--master", MASTER_NAME])
            .args(["--connect-timeout", "500ms", "--command-timeout", "500ms"]);
        shown_escaped(run, pty, "\\x1b]0;pwned\\x07");
    }
    // A plan's source name, as the transcript shows it.
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.jsonl"),
        "{\"key\":\"k\",\"value\":\"v\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("plan.yaml"),
        "sources:\n  - name: \"evil\\e]0;pwned\\a\"\n    file: a.jsonl\n",
    )
    .unwrap();
    for pty in [false, true] {
        let run = Cachectl::new()
            .args(["warm", "--url", &server.url(), "--plan"])
            .arg(dir.path().join("plan.yaml"))
            .args(["--dry-run"]);
        shown_escaped(run, pty, "evil\\x1b]0;pwned\\x07");
    }
}

/// Runs `run` through a pipe or on a terminal (answering no): the escape
/// sequence never reaches the output raw, and `escaped` shows instead.
#[track_caller]
fn shown_escaped(run: Cachectl, pty: bool, escaped: &str) {
    let run = if pty {
        run.run_in_pty("no\n")
    } else {
        run.run()
    };
    let all = run.all_output();
    assert!(
        !all.contains("\u{1b}]0;pwned") && !all.contains('\u{7}'),
        "{all}"
    );
    assert!(all.contains(escaped), "{all}");
}

/// `failover` through the set's Sentinels with --yes and consent for `old`,
/// watching up to `wait`, audited in `dir`.
fn failover_consented(set: &SentinelSet, old: &str, wait: &str, dir: &std::path::Path) -> Cachectl {
    Cachectl::new()
        .args(["failover", "-o", "json", "--sentinel", &set.addrs()])
        .args([
            "--master",
            MASTER_NAME,
            "--command-timeout",
            "1s",
            "--wait",
            wait,
        ])
        .args(["--yes", "--confirm-destructive", old, "--audit-log"])
        .arg(dir.join("audit.jsonl"))
}
