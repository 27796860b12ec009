//! `cachectl flush`: exactly the matching keys, in audited batches, behind
//! the destructive confirmation.

use std::time::Duration;

use crate::harness::*;

fn seed(server: &RedisServer) {
    let mut c = server.client();
    let mut pipe = redis::pipe();
    for i in 0..1200 {
        pipe.cmd("SET").arg(format!("cache:{i}")).arg("v").ignore();
    }
    for i in 0..50 {
        pipe.cmd("SET").arg(format!("keep:{i}")).arg("v").ignore();
    }
    for key in [
        &b"cache:\xff\xfe"[..],
        b"cache:a b",
        b"cache:line\nbreak",
        b"cache:*glob?",
    ] {
        pipe.cmd("SET").arg(key).arg("v").ignore();
    }
    pipe.query::<()>(&mut c).unwrap();
}

fn flush(server: &RedisServer, extra: &[&str]) -> Run {
    Cachectl::new()
        .args(["flush", "-o", "json", "--url", &server.url()])
        .args(extra)
        .run()
}

#[test]
fn a_pattern_flush_deletes_exactly_what_matched() {
    let server = RedisServer::start();
    seed(&server);
    let node = format!("127.0.0.1:{}", server.port);
    // No terminal, no --yes: refused, nothing deleted.
    let run = flush(&server, &["--pattern", "cache:*"]);
    assert_eq!(run.code(), 3);
    // The refusal names the whole set of flags that would do it.
    assert!(
        run.stderr().contains(&format!(
            "add --yes --confirm-destructive {node}/0 to go ahead"
        )) && run.stderr().contains("--dry-run"),
        "{}",
        run.stderr()
    );
    // --dry-run: the preview, nothing deleted.
    let run = flush(&server, &["--pattern", "cache:*", "--dry-run", "--bytes"]);
    let f = run.json()["flush"].clone();
    assert_eq!(f["outcome"], "planned");
    assert_eq!(f["matched"], 1204);
    assert!(f["bytes"].as_u64().unwrap() > 0);
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(1254));
    // As a table: the result on stdout (count, bytes, a sample), not an
    // incomplete run, and no preview on stderr.
    let run = Cachectl::new()
        .args([
            "flush",
            "--url",
            &server.url(),
            "--pattern",
            "cache:*",
            "--dry-run",
        ])
        .env("COLUMNS", "80")
        .run();
    let out = run.stdout();
    assert_eq!(run.code(), 0, "{}", run.all_output());
    assert!(
        out.starts_with("planned: would delete 1204 keys ("),
        "{out}"
    );
    assert!(!out.contains("INCOMPLETE"), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("    cache:")).count(),
        10,
        "{out}"
    );
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
    assert!(!run.stderr().contains("keys match"), "{}", run.stderr());
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(1254));
    // --yes alone does not delete; with the node named it does.
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let run = flush(
        &server,
        &[
            "--pattern",
            "cache:*",
            "--yes",
            "--audit-log",
            audit.to_str().unwrap(),
        ],
    );
    assert_eq!(run.json()["flush"]["outcome"], "skipped");
    assert_eq!(run.code(), 3);
    let run = flush(
        &server,
        &[
            "--pattern",
            "cache:*",
            "--batch",
            "500",
            "--yes",
            "--confirm-destructive",
            &node,
            "--audit-log",
            audit.to_str().unwrap(),
        ],
    );
    let f = run.json()["flush"].clone();
    assert_eq!(f["outcome"], "applied", "{f:#}");
    assert_eq!(
        (f["matched"].as_u64(), f["deleted"].as_u64()),
        (Some(1204), Some(1204))
    );
    assert_eq!(f["complete"], true);
    assert_eq!(f["remaining"], 0);
    // Without --recheck there is no second SCAN, and the report says so.
    assert!(f.get("matching_now").is_none(), "{f:#}");
    assert!(f["reason"].as_str().unwrap().contains("--recheck"), "{f:#}");
    assert_eq!(f["db"], 0);
    assert_eq!(run.code(), 0);
    // Only keep:* is left; binary, spaced, newline and glob keys went too.
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(50));
    // One audit record per batch of 500, with count and pattern.
    let lines: Vec<serde_json::Value> = audit_records(&audit);
    let attempts: Vec<_> = lines.iter().filter(|l| l["phase"] == "attempt").collect();
    assert_eq!(attempts.len(), 3, "{lines:#?}");
    assert_eq!(attempts[0]["count"], 500);
    assert_eq!(attempts[0]["pattern"], "cache:*");
    assert_eq!(attempts[0]["origin"], "flush");
}

#[test]
fn keys_written_during_a_flush_are_left_alone_and_an_interrupted_one_says_so() {
    let server = RedisServer::start();
    seed(&server);
    let node = format!("127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    // A writer racing the flush, which runs at 1,000 keys a second.
    let url = server.url();
    let writer = std::thread::spawn(move || {
        let mut c = redis::Client::open(url).unwrap().get_connection().unwrap();
        for i in 0..20 {
            let _: () = redis::cmd("SET")
                .arg(format!("cache:new:{i}"))
                .arg("v")
                .query(&mut c)
                .unwrap();
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let run = flush(
        &server,
        &[
            "--pattern",
            "cache:*",
            "--rate",
            "1000",
            "--recheck",
            "--yes",
            "--confirm-destructive",
            &node,
            "--audit-log",
            audit.to_str().unwrap(),
        ],
    );
    writer.join().unwrap();
    let f = run.json()["flush"].clone();
    assert_eq!(f["deleted"], f["matched"], "{f:#}");
    assert_eq!(f["complete"], true);
    let new_keys: i64 = redis::cmd("EVAL")
        .arg("return #redis.call('KEYS', 'cache:new:*')")
        .arg(0)
        .query(&mut server.client())
        .unwrap();
    let matched = f["matched"].as_i64().unwrap();
    // What the writer wrote after the preview survived, and is reported.
    assert_eq!(f["matching_now"].as_i64().unwrap(), new_keys);
    assert!(
        matched >= 1204 && matched - 1204 + new_keys == 20,
        "{matched} {new_keys}"
    );

    // Interrupted: counts what it deleted, incomplete, non-zero; a rerun finishes.
    seed(&server);
    let run = Cachectl::new()
        .args([
            "flush",
            "-o",
            "json",
            "--url",
            &server.url(),
            "--pattern",
            "cache:*",
            "--rate",
            "400",
        ])
        .args([
            "--yes",
            "--confirm-destructive",
            &node,
            "--audit-log",
            audit.to_str().unwrap(),
        ])
        .run_while(Duration::from_millis(1500), interrupt);
    let report = run.json();
    let f = &report["flush"];
    assert_eq!(f["complete"], false, "{f:#}");
    let deleted = f["deleted"].as_i64().unwrap();
    assert!(
        deleted > 0 && deleted < f["matched"].as_i64().unwrap(),
        "{f:#}"
    );
    assert_eq!(run.code(), 3);
    let run = flush(
        &server,
        &[
            "--pattern",
            "cache:*",
            "--yes",
            "--confirm-destructive",
            &node,
            "--audit-log",
            audit.to_str().unwrap(),
        ],
    );
    assert_eq!(run.json()["flush"]["complete"], true);
    // The writer's keys matched when these runs started: gone too.
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(50));
}

#[test]
fn whole_databases_renamed_commands_and_replicas() {
    let server = RedisServer::with(ServerOptions::default().config("rename-command FLUSHDB \"\""));
    seed(&server);
    let node = format!("127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let run = flush(
        &server,
        &[
            "--whole-db",
            "--yes",
            "--confirm-destructive",
            &node,
            "--audit-log",
            audit.to_str().unwrap(),
        ],
    );
    let f = run.json()["flush"].clone();
    assert_eq!(f["outcome"], "blocked", "{f:#}");
    assert!(
        f["reason"]
            .as_str()
            .unwrap()
            .contains("--pattern '*' --db 0"),
        "{f:#}"
    );
    assert_eq!(run.code(), 3);
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(1254));
    // FLUSHALL works on this server, and counts every database.
    let mut c = server.client();
    redis::pipe()
        .cmd("SELECT")
        .arg(2)
        .ignore()
        .cmd("MSET")
        .arg(&["a", "1", "b", "2", "c", "3"])
        .ignore()
        .query::<()>(&mut c)
        .unwrap();
    let run = flush(
        &server,
        &[
            "--all",
            "--yes",
            "--confirm-destructive",
            &node,
            "--audit-log",
            audit.to_str().unwrap(),
        ],
    );
    let f = run.json()["flush"].clone();
    assert_eq!(f["outcome"], "applied", "{f:#}");
    assert_eq!(f["matched"], 1257, "{f:#}");
    assert_eq!(f["deleted"], 1257);
    wait_until("FLUSHALL ASYNC done", || {
        server.cmd(&["DBSIZE"]) == redis::Value::Int(0)
            && redis::cmd("SELECT")
                .arg(2)
                .query::<()>(&mut c)
                .and_then(|()| redis::cmd("DBSIZE").query::<i64>(&mut c))
                .is_ok_and(|n| n == 0)
    });

    let primary = RedisServer::start();
    let replica = replica_of(&primary, ServerOptions::default());
    let run = flush(&replica, &["--pattern", "x*", "--dry-run"]);
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr()
            .contains(&format!("flush on the primary, 127.0.0.1:{}", primary.port)),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_server_killed_mid_flush_is_reported_as_incomplete_and_a_rerun_finishes() {
    // Every write reaches the AOF before its reply, so what the server
    // acknowledged survives the SIGKILL.
    let mut server = RedisServer::with(
        ServerOptions::default()
            .config("appendonly yes")
            .config("appendfsync always"),
    );
    seed(&server);
    let node = format!("127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let url = server.url();
    let run = Cachectl::new()
        .args(["flush", "-o", "json", "--url", &url])
        .args(["--pattern", "cache:*", "--rate", "500", "--yes"])
        .args(["--confirm-destructive", &node, "--audit-log"])
        .arg(&audit)
        .run_while(Duration::from_millis(1200), |_| server.kill());
    let report = run.json();
    let f = &report["flush"];
    assert_eq!(f["outcome"], "failed", "{f:#}");
    assert_eq!(f["complete"], false);
    let deleted = f["deleted"].as_u64().unwrap();
    assert!((500..1204).contains(&deleted), "{f:#}");
    assert!(
        f["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("{deleted} of 1204 deleted")),
        "{f:#}"
    );
    assert_eq!(run.code(), 3);

    // Restarted with its data: the acknowledged deletions held (a batch
    // taken but never answered may have too), and a rerun deletes the rest.
    server.restart();
    let left = match server.cmd(&["DBSIZE"]) {
        redis::Value::Int(n) => n as u64,
        other => panic!("{other:?}"),
    };
    assert!(
        left <= 1254 - deleted,
        "{left} keys after {deleted} deleted"
    );
    let run = Cachectl::new()
        .args(["flush", "-o", "json", "--url", &url])
        .args(["--pattern", "cache:*", "--yes"])
        .args(["--confirm-destructive", &node, "--audit-log"])
        .arg(&audit)
        .run();
    let f = run.json()["flush"].clone();
    assert_eq!(f["complete"], true, "{f:#}");
    assert_eq!(f["deleted"].as_u64(), Some(left - 50), "{f:#}");
    assert_eq!(run.code(), 0);
    assert_eq!(
        server.cmd(&["DBSIZE"]),
        redis::Value::Int(50),
        "only keep:* is left"
    );
}

#[test]
fn an_interrupted_flush_resumes_from_its_file_to_the_totals_of_one_run() {
    let server = RedisServer::start();
    // 30,000 matching keys: six SCAN pages, so the rerun starts mid-scan.
    server.cmd(&["DEBUG", "POPULATE", "30000", "cache"]);
    server.cmd(&["DEBUG", "POPULATE", "500", "keep"]);
    let node = format!("127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let file = dir.path().join("flush.resume");
    let args = |rate: &'static str| {
        let mut a: Vec<String> = ["flush", "-o", "json", "--url", &server.url()]
            .into_iter()
            .map(String::from)
            .collect();
        a.extend(["--pattern", "cache:*", "--yes", "--rate", rate].map(String::from));
        a.extend([
            "--confirm-destructive".into(),
            node.clone(),
            "--audit-log".into(),
        ]);
        a.push(audit.to_str().unwrap().into());
        a.extend(["--resume".into(), file.to_str().unwrap().into()]);
        a
    };
    // 30,000 keys at 10,000 a second: interrupted after about a third.
    let run = Cachectl::new()
        .args(args("10000"))
        .run_while(Duration::from_millis(1500), interrupt);
    let first = run.json()["flush"].clone();
    assert_eq!(run.code(), 3, "{first:#}");
    assert_eq!(first["outcome"], "failed");
    assert_eq!(first["streamed"], true);
    assert_eq!(first["resume"]["finished"], false, "{first:#}");
    let deleted = first["deleted"].as_u64().unwrap();
    assert!((1..30_000).contains(&deleted), "{first:#}");
    assert!(
        first["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("run it again with --resume {}", file.display())),
        "{first:#}"
    );
    assert!(file.exists());
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let place = &saved["nodes"][&node];
    assert_ne!(
        place["cursor"], 0,
        "the place moved past whole pages: {saved:#}"
    );
    let deleted_by_file = saved["totals"][&node]["deleted"].as_u64().unwrap();
    assert!(deleted_by_file <= deleted, "{saved:#}");

    // The rerun goes on: its totals are the whole flush's.
    let run = Cachectl::new().args(args("1000000")).run();
    let last = run.json()["flush"].clone();
    assert_eq!(run.code(), 0, "{last:#}");
    assert_eq!(last["outcome"], "applied");
    assert_eq!(last["complete"], true);
    assert_eq!(last["resume"]["resumed"], true);
    assert_eq!(last["resume"]["finished"], true);
    assert_eq!(last["matched"], 30_000, "{last:#}");
    assert_eq!(last["deleted"], 30_000, "{last:#}");
    assert_eq!(last["remaining"], 0);
    assert!(!file.exists(), "a finished flush removes its file");
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(500));

    // A file of another flush is refused before anything is deleted.
    std::fs::write(&file, serde_json::to_vec(&saved).unwrap()).unwrap();
    let mut other = args("1000000");
    let at = other.iter().position(|a| a == "cache:*").unwrap();
    other[at] = "keep:*".into();
    let run = Cachectl::new().args(other).run();
    assert_eq!(run.code(), 3, "{}", run.stderr());
    assert!(
        run.stderr().contains(
            "resumes a scan of db 0, keys matching cache:*, not of db 0, keys matching keep:*"
        ),
        "{}",
        run.stderr()
    );
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(500));
}

#[test]
fn asked_at_the_prompt_with_resume_it_names_the_database_and_deletes_as_it_scans() {
    let server = RedisServer::start();
    seed(&server);
    let node = format!("127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("flush.resume");
    let run = Cachectl::new()
        .args(["flush", "--url", &server.url(), "--pattern", "cache:*"])
        .args(["--audit-log"])
        .arg(dir.path().join("audit.jsonl"))
        .arg("--resume")
        .arg(&file)
        .run_in_pty(&format!("y\n{node}/0\n"));
    let screen = run.stdout();
    assert!(screen.contains("as the scan finds"), "{screen}");
    assert!(
        screen.contains(&format!("Type the node ({node}/0) to confirm")),
        "{screen}"
    );
    assert!(
        screen.contains("applied: deleted 1204 of 1204 keys"),
        "{screen}"
    );
    assert_eq!(run.code(), 0, "{screen}");
    assert!(!file.exists());
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(50));
}
