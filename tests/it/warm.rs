//! `cachectl warm`: records from a file, existing keys left alone, audited
//! batches, a checkpoint to resume from, OOM and bad lines reported.

use std::time::Duration;

use crate::harness::*;

fn warm(server: &RedisServer, file: &std::path::Path, extra: &[&str]) -> Run {
    Cachectl::new()
        .args(["warm", "-o", "json", "--url", &server.url(), "--file"])
        .arg(file)
        .args(extra)
        .run()
}

fn get(server: &RedisServer, key: &[u8]) -> redis::Value {
    redis::cmd("GET")
        .arg(key)
        .query(&mut server.client())
        .unwrap()
}

const RECORDS: &str = r#"{"key":"a","value":"new","ttl":100}
{"key":"with space\nnewline*?[glob]","value":"2"}
{"key":{"base64":"AP8="},"value":{"base64":"AQI="},"ttl":50}
{"key":"h","type":"hash","value":{"f":"1","g":"2"},"ttl":60}
{"key":"s","type":"set","value":["x","y"]}
{"key":"z","type":"zset","value":{"m":2.5}}
{"key":"l","type":"list","value":["p","q"]}

{"key":"broken", "value":
{"key":"typed","type":"stream","value":"x"}
"#;

#[test]
fn json_lines_of_every_type_leave_existing_keys_alone() {
    let server = RedisServer::start();
    let node = format!("127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("warm.jsonl");
    std::fs::write(&file, RECORDS).unwrap();
    let audit = dir.path().join("audit.jsonl");
    let audit = audit.to_str().unwrap();
    server.cmd(&["SET", "a", "old"]);
    server.cmd(&["SADD", "s", "kept"]);

    // Without a terminal and --yes: refused, nothing written.
    let run = warm(&server, &file, &[]);
    assert_eq!(run.code(), 3, "{}", run.stderr());
    assert!(run.stderr().contains("--yes"), "{}", run.stderr());
    // --dry-run writes nothing either.
    // It reads the whole file as the run would: the records by type and
    // the malformed lines by number.
    let run = warm(&server, &file, &["--dry-run"]);
    let w = run.json()["warm"].clone();
    assert_eq!(w["outcome"], "planned", "{w:#}");
    assert_eq!(run.code(), 0, "{w:#}");
    assert_eq!(w["records"], 7, "{w:#}");
    assert_eq!(w["written"], 0);
    assert_eq!(w["errors"], 2);
    let source = &w["sources"][0];
    assert_eq!(
        source["types"],
        serde_json::json!({"hash": 1, "list": 1, "set": 1, "string": 3, "zset": 1}),
        "{w:#}"
    );
    let bad: Vec<u64> = source["bad_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["line"].as_u64().unwrap())
        .collect();
    assert_eq!(bad, [9, 10], "{w:#}");
    assert_eq!(source["lines"], 10, "{w:#}");
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(2));

    let run = warm(&server, &file, &["--yes", "--audit-log", audit]);
    let w = run.json()["warm"].clone();
    assert_eq!(w["outcome"], "applied", "{w:#}");
    assert_eq!(w["complete"], true);
    assert_eq!(w["records"], 7);
    assert_eq!(w["written"], 5, "{w:#}");
    assert_eq!(w["existing"], 2);
    assert_eq!(w["errors"], 2);
    let bad: Vec<u64> = w["sources"][0]["bad_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["line"].as_u64().unwrap())
        .collect();
    assert_eq!(bad, [9, 10]);
    assert!(w["sources"][0]["bad_lines"][1]["reason"]
        .as_str()
        .unwrap()
        .contains("unknown type \"stream\""));
    // Errors were counted and the rest written: exit 1 (warning).
    assert_eq!(run.code(), 1);
    // Existing keys untouched; the rest exact, TTLs kept.
    assert_eq!(
        get(&server, b"a"),
        redis::Value::BulkString(b"old".to_vec())
    );
    assert_eq!(
        server.cmd(&["SMEMBERS", "s"]),
        redis::Value::Array(vec![redis::Value::BulkString(b"kept".to_vec())])
    );
    assert_eq!(
        get(&server, b"with space\nnewline*?[glob]"),
        redis::Value::BulkString(b"2".to_vec())
    );
    assert_eq!(
        get(&server, &[0, 255]),
        redis::Value::BulkString(vec![1, 2])
    );
    assert_eq!(server.cmd_text(&["HGET", "h", "g"]), "2");
    assert_eq!(server.cmd_text(&["ZSCORE", "z", "m"]), "2.5");
    assert_eq!(server.cmd(&["LLEN", "l"]), redis::Value::Int(2));
    let ttl = |k: &str| match server.cmd(&["TTL", k]) {
        redis::Value::Int(t) => t,
        other => panic!("{other:?}"),
    };
    assert!((55..=60).contains(&ttl("h")), "{}", ttl("h"));
    assert_eq!(ttl("l"), -1);
    // One audited batch, counted.
    let attempts: Vec<serde_json::Value> = audit_records(std::path::Path::new(audit))
        .into_iter()
        .filter(|l| l["phase"] == "attempt")
        .collect();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["origin"], "warm");
    assert_eq!(attempts[0]["count"], 7);

    // --replace is destructive: --yes alone does not overwrite.
    let run = warm(
        &server,
        &file,
        &["--replace", "--yes", "--audit-log", audit],
    );
    assert_eq!(run.json()["warm"]["outcome"], "skipped");
    assert_eq!(run.code(), 3);
    assert_eq!(
        get(&server, b"a"),
        redis::Value::BulkString(b"old".to_vec())
    );
    let run = warm(
        &server,
        &file,
        &[
            "--replace",
            "--yes",
            "--confirm-destructive",
            &node,
            "--audit-log",
            audit,
        ],
    );
    assert_eq!(run.json()["warm"]["written"], 7, "{}", run.stdout());
    assert_eq!(
        get(&server, b"a"),
        redis::Value::BulkString(b"new".to_vec())
    );
    assert_eq!(server.cmd(&["SCARD", "s"]), redis::Value::Int(2));

    // --max-errors 1: the second bad line stops the run, which says so.
    let run = warm(
        &server,
        &file,
        &["--yes", "--max-errors", "1", "--audit-log", audit],
    );
    let w = run.json()["warm"].clone();
    assert_eq!(w["complete"], false);
    assert!(
        w["reason"].as_str().unwrap().contains("--max-errors 1"),
        "{w:#}"
    );
    assert_eq!(run.code(), 3);
}

#[test]
fn csv_with_quotes_and_a_header() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("warm.csv");
    std::fs::write(
        &file,
        "key,value,ttl\nplain,1,30\n\"a,b \"\"q\"\"\",\"x,y\",\nnottl,v\nbad,v,soon\n",
    )
    .unwrap();
    let audit = dir.path().join("audit.jsonl");
    let run = warm(
        &server,
        &file,
        &["--yes", "--audit-log", audit.to_str().unwrap()],
    );
    let w = run.json()["warm"].clone();
    assert_eq!(w["sources"][0]["format"], "csv");
    assert_eq!(
        (w["written"].as_u64(), w["errors"].as_u64()),
        (Some(3), Some(1)),
        "{w:#}"
    );
    assert_eq!(w["sources"][0]["bad_lines"][0]["line"], 5);
    assert_eq!(
        get(&server, b"a,b \"q\""),
        redis::Value::BulkString(b"x,y".to_vec())
    );
    assert_eq!(server.cmd(&["TTL", "nottl"]), redis::Value::Int(-1));
    assert!(matches!(server.cmd(&["TTL", "plain"]), redis::Value::Int(t) if t > 25));
}

fn big_file(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    let file = dir.join("big.jsonl");
    let text: String = (0..n)
        .map(|i| {
            format!(
                "{{\"key\":\"w:{i}\",\"value\":\"{}\",\"ttl\":3600}}\n",
                "v".repeat(16)
            )
        })
        .collect();
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn an_interrupted_warm_resumes_from_its_checkpoint() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = big_file(dir.path(), 6000);
    let ckpt = dir.path().join("warm.ckpt");
    let audit = dir.path().join("audit.jsonl");
    let run = Cachectl::new()
        .args([
            "warm",
            "-o",
            "json",
            "--url",
            &server.url(),
            "--rate",
            "2000",
            "--yes",
        ])
        .arg("--file")
        .arg(&file)
        .arg("--resume")
        .arg(&ckpt)
        .arg("--audit-log")
        .arg(&audit)
        .run_while(Duration::from_millis(1200), interrupt);
    let report = run.json();
    let w = &report["warm"];
    assert_eq!(w["complete"], false, "{w:#}");
    assert_eq!(run.code(), 3);
    let written = w["written"].as_i64().unwrap();
    assert!(written > 0 && written < 6000, "{w:#}");
    assert!(w["reason"].as_str().unwrap().contains("--resume"), "{w:#}");
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(written));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ckpt).unwrap()).unwrap();
    assert_eq!(
        saved["sources"]["file"]["line"].as_i64(),
        Some(written),
        "{saved:#}"
    );

    // The rerun starts after the checkpoint and finishes the job.
    let run = warm(
        &server,
        &file,
        &[
            "--yes",
            "--resume",
            ckpt.to_str().unwrap(),
            "--audit-log",
            audit.to_str().unwrap(),
        ],
    );
    let w = run.json()["warm"].clone();
    assert_eq!(w["complete"], true, "{w:#}");
    assert_eq!(w["sources"][0]["started_at_line"].as_i64(), Some(written));
    assert_eq!(w["written"].as_i64(), Some(6000 - written));
    assert_eq!(w["existing"], 0);
    assert_eq!(run.code(), 0);
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(6000));

    // A checkpoint of another file is refused, not applied.
    let other = dir.path().join("other.jsonl");
    std::fs::write(&other, "{\"key\":\"k\",\"value\":\"v\"}\n").unwrap();
    let run = warm(
        &server,
        &other,
        &["--yes", "--resume", ckpt.to_str().unwrap()],
    );
    assert_eq!(run.code(), 3, "{}", run.stderr());
    assert!(
        run.stderr().contains("remove it to start over"),
        "{}",
        run.stderr()
    );
}

#[test]
fn oom_stops_the_warm_unless_told_to_go_on_and_a_killed_server_is_reported() {
    let server = oom_server(ServerOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let file = big_file(dir.path(), 3000);
    let audit = dir.path().join("audit.jsonl");
    let audit = audit.to_str().unwrap();
    let run = warm(&server, &file, &["--yes", "--audit-log", audit]);
    let w = run.json()["warm"].clone();
    assert_eq!(w["outcome"], "failed", "{w:#}");
    assert_eq!(w["complete"], false);
    assert!(w["oom"].as_u64().unwrap() > 0);
    assert!(
        w["reason"].as_str().unwrap().contains("out of memory"),
        "{w:#}"
    );
    assert_eq!(run.code(), 3);
    let run = warm(
        &server,
        &file,
        &[
            "--yes",
            "--continue-on-oom",
            "--max-errors",
            "100000",
            "--audit-log",
            audit,
        ],
    );
    let w = run.json()["warm"].clone();
    assert_eq!(w["complete"], true, "{w:#}");
    assert_eq!(w["oom"], w["errors"]);
    assert_eq!(run.code(), 1);

    // The server killed mid-run: a failure that says how far it got.
    let mut server = RedisServer::start();
    let url = server.url();
    let run = Cachectl::new()
        .args([
            "warm", "-o", "json", "--url", &url, "--rate", "2000", "--yes",
        ])
        .args(["--audit-log", audit, "--file"])
        .arg(&file)
        .run_while(Duration::from_millis(800), |_| server.kill());
    let report = run.json();
    let w = &report["warm"];
    assert_eq!(w["outcome"], "failed", "{w:#}");
    assert_eq!(w["complete"], false);
    assert!(w["written"].as_u64().unwrap() > 0, "{w:#}");
    assert_eq!(run.code(), 3);
}

#[test]
fn a_replica_is_refused() {
    let primary = RedisServer::start();
    let replica = replica_of(&primary, ServerOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.jsonl");
    std::fs::write(&file, "{\"key\":\"k\",\"value\":\"v\"}\n").unwrap();
    let run = warm(&replica, &file, &["--dry-run"]);
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr()
            .contains(&format!("warm on the primary, 127.0.0.1:{}", primary.port)),
        "{}",
        run.stderr()
    );
}

#[test]
fn interactively_it_asks_once_naming_the_warm() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = big_file(dir.path(), 12000);
    let audit = dir.path().join("audit.jsonl");
    let run = Cachectl::new()
        .args(["warm", "--url", &server.url(), "--audit-log"])
        .arg(&audit)
        .arg("--file")
        .arg(&file)
        .run_in_pty("y\n");
    let screen = run.stdout();
    // One "y" answers for all three batches of 5,000: asked once, naming
    // what it will do (the terminal echoes the answered prompt again).
    assert!(
        screen.contains("warm db 0 from ") && screen.contains("? [y]es / [n]o, skip / [q]uit"),
        "{screen}"
    );
    assert_eq!(run.code(), 0, "{screen}");
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(12000));
}

#[test]
fn from_another_redis_with_dump_and_restore() {
    let source = RedisServer::start();
    let target = RedisServer::start();
    let node = format!("127.0.0.1:{}", target.port);
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let audit = audit.to_str().unwrap();
    let mut c = source.client();
    let mut pipe = redis::pipe();
    for i in 0..2500 {
        pipe.cmd("SET")
            .arg(format!("cache:{i}"))
            .arg(i)
            .arg("EX")
            .arg(600)
            .ignore();
    }
    pipe.cmd("HSET").arg("cache:h").arg("f").arg("v").ignore();
    pipe.cmd("ZADD").arg("cache:z").arg(1.5).arg("m").ignore();
    pipe.cmd("RPUSH").arg("cache:l").arg("a").arg("b").ignore();
    pipe.cmd("SET")
        .arg(&b"cache:\xff bin\nkey"[..])
        .arg("b")
        .ignore();
    pipe.cmd("SET").arg("other").arg("x").ignore();
    pipe.query::<()>(&mut c).unwrap();
    target.cmd(&["SET", "cache:0", "kept"]);

    let from = source.url();
    let run = Cachectl::new()
        .args([
            "warm",
            "-o",
            "json",
            "--url",
            &target.url(),
            "--from",
            &from,
        ])
        .args(["--pattern", "cache:*", "--yes", "--audit-log", audit])
        .run();
    let w = run.json()["warm"].clone();
    assert_eq!(w["sources"][0]["format"], "redis", "{w:#}");
    assert_eq!(w["complete"], true);
    assert_eq!(w["records"], 2504);
    assert_eq!(
        (w["written"].as_u64(), w["existing"].as_u64()),
        (Some(2503), Some(1))
    );
    assert_eq!(run.code(), 0);
    // Exactly the matching keys, types and TTLs kept, the existing one untouched.
    assert_eq!(target.cmd(&["DBSIZE"]), redis::Value::Int(2504));
    assert_eq!(target.cmd_text(&["GET", "cache:0"]), "kept");
    assert_eq!(target.cmd_text(&["GET", "cache:2499"]), "2499");
    assert!(
        matches!(target.cmd(&["TTL", "cache:7"]), redis::Value::Int(t) if (590..=600).contains(&t))
    );
    assert_eq!(target.cmd(&["TTL", "cache:h"]), redis::Value::Int(-1));
    assert_eq!(target.cmd_text(&["ZSCORE", "cache:z", "m"]), "1.5");
    assert_eq!(target.cmd(&["LLEN", "cache:l"]), redis::Value::Int(2));
    let bin: redis::Value = redis::cmd("GET")
        .arg(&b"cache:\xff bin\nkey"[..])
        .query(&mut target.client())
        .unwrap();
    assert_eq!(bin, redis::Value::BulkString(b"b".to_vec()));
    assert_eq!(target.cmd(&["EXISTS", "other"]), redis::Value::Int(0));

    // --replace restores over the existing key, with the node named.
    let run = Cachectl::new()
        .args([
            "warm",
            "-o",
            "json",
            "--url",
            &target.url(),
            "--from",
            &from,
        ])
        .args(["--pattern", "cache:0", "--replace", "--yes"])
        .args(["--confirm-destructive", &node, "--audit-log", audit])
        .run();
    assert_eq!(run.json()["warm"]["written"], 1, "{}", run.stdout());
    assert_eq!(target.cmd_text(&["GET", "cache:0"]), "0");

    // --type copies the keys of one type only (SCAN TYPE on the source).
    let third = RedisServer::start();
    let run = Cachectl::new()
        .args(["warm", "-o", "json", "--url", &third.url(), "--from", &from])
        .args(["--pattern", "cache:*", "--type", "zset", "--yes"])
        .args(["--audit-log", audit])
        .run();
    assert_eq!(run.json()["warm"]["written"], 1, "{}", run.stdout());
    assert_eq!(third.cmd(&["DBSIZE"]), redis::Value::Int(1));
    assert_eq!(third.cmd_text(&["ZSCORE", "cache:z", "m"]), "1.5");
    // A key filter without --from has nothing to filter.
    let run = Cachectl::new()
        .args(["warm", "--url", &third.url(), "--file", "x.jsonl"])
        .args(["--type", "hash", "--dry-run"])
        .run();
    assert_eq!(run.code(), 3);
    assert!(run.stderr().contains("need --from"), "{}", run.stderr());

    // The target as its own source is refused.
    let run = Cachectl::new()
        .args([
            "warm",
            "--url",
            &target.url(),
            "--from",
            &target.url(),
            "--yes",
        ])
        .run();
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr().contains("names the target itself"),
        "{}",
        run.stderr()
    );
}
