//! The RDB reader on dumps written by the server under test (every server
//! of the matrix): a keyspace of known composition (every type in its
//! compact and its full encoding, binary keys, TTLs, two databases, a
//! stream with consumer groups and pending entries), SAVEd, read back to
//! exactly that keyspace.

use std::collections::BTreeMap;

use crate::harness::*;

/// Writes the keyspace; what it holds: (db, type) -> keys, and keys with
/// an expiry.
fn keyspace(server: &RedisServer) -> (BTreeMap<(u64, String), u64>, u64) {
    let mut c = server.client();
    let mut want: BTreeMap<(u64, String), u64> = BTreeMap::new();
    let mut add =
        |db: u64, kind: &str, n: u64| *want.entry((db, kind.to_string())).or_default() += n;
    let mut p = redis::pipe();
    for i in 0..50 {
        p.cmd("SET").arg(format!("s:{i}")).arg("short").ignore();
    }
    for i in 0..20 {
        p.cmd("SET").arg(format!("n:{i}")).arg(i * 1000).ignore();
    }
    for i in 0..10 {
        // Compressible (LZF) and not.
        p.cmd("SET")
            .arg(format!("long:{i}"))
            .arg("ab".repeat(1000))
            .ignore();
    }
    p.cmd("SET")
        .arg(&b"bin:\xff\x00\n"[..])
        .arg(&b"\x00\x01"[..])
        .ignore();
    add(0, "string", 81);
    for i in 0..10 {
        p.cmd("HSET")
            .arg(format!("h:{i}"))
            .arg("f")
            .arg("v")
            .arg("g")
            .arg("w")
            .ignore();
    }
    for i in 0..2 {
        for f in 0..600 {
            p.cmd("HSET")
                .arg(format!("bigh:{i}"))
                .arg(format!("f{f}"))
                .arg(f)
                .ignore();
        }
    }
    add(0, "hash", 12);
    for i in 0..5 {
        p.cmd("SADD")
            .arg(format!("is:{i}"))
            .arg(1)
            .arg(2)
            .arg(3)
            .ignore();
        p.cmd("SADD")
            .arg(format!("ss:{i}"))
            .arg("a")
            .arg("b")
            .ignore();
    }
    for m in 0..1000 {
        p.cmd("SADD").arg("bigs").arg(format!("m{m}")).ignore();
    }
    add(0, "set", 11);
    for i in 0..5 {
        p.cmd("ZADD")
            .arg(format!("z:{i}"))
            .arg(1.5)
            .arg("a")
            .arg(2)
            .arg("b")
            .ignore();
    }
    for m in 0..300 {
        p.cmd("ZADD")
            .arg("bigz")
            .arg(m)
            .arg(format!("m{m}"))
            .ignore();
    }
    add(0, "zset", 6);
    for i in 0..5 {
        p.cmd("RPUSH")
            .arg(format!("l:{i}"))
            .arg("a")
            .arg("b")
            .arg("c")
            .ignore();
    }
    for chunk in 0..20 {
        let mut cmd = redis::cmd("RPUSH");
        cmd.arg("bigl");
        for e in 0..1000 {
            cmd.arg(chunk * 1000 + e);
        }
        p.add_command(cmd).ignore();
    }
    add(0, "list", 6);
    for i in 0..100 {
        p.cmd("XADD").arg("st").arg("*").arg("n").arg(i).ignore();
    }
    p.cmd("XGROUP")
        .arg("CREATE")
        .arg("st")
        .arg("g1")
        .arg("0")
        .ignore();
    p.cmd("XGROUP")
        .arg("CREATE")
        .arg("st")
        .arg("g2")
        .arg("$")
        .ignore();
    add(0, "stream", 1);
    for i in 0..30 {
        p.cmd("EXPIRE").arg(format!("s:{i}")).arg(3600).ignore();
    }
    p.cmd("EXPIRE").arg("bigh:0").arg(3600).ignore();
    p.query::<()>(&mut c).unwrap();
    // Pending entries: a consumer reads ten without acknowledging.
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("g1")
        .arg("alice")
        .arg("COUNT")
        .arg(10)
        .arg("STREAMS")
        .arg("st")
        .arg(">")
        .query(&mut c)
        .unwrap();
    let _: () = redis::cmd("SELECT").arg(3).query(&mut c).unwrap();
    for i in 0..7 {
        let _: () = redis::cmd("SET")
            .arg(format!("other:{i}"))
            .arg(i)
            .query(&mut c)
            .unwrap();
    }
    add(3, "string", 7);
    (want, 31)
}

/// SAVEs and says where the dump is.
fn saved(server: &RedisServer) -> std::path::PathBuf {
    server.cmd(&["SAVE"]);
    let config = |name: &str| -> String {
        let pair: Vec<String> = redis::cmd("CONFIG")
            .arg("GET")
            .arg(name)
            .query(&mut server.client())
            .unwrap();
        pair[1].clone()
    };
    std::path::Path::new(&config("dir")).join(config("dbfilename"))
}

#[test]
fn a_dump_of_the_server_under_test_reads_back_to_its_keyspace() {
    let server = RedisServer::start();
    let (want, expiring) = keyspace(&server);
    let path = saved(&server);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut keys = Vec::new();
    let meta = cachectl::rdb::read(std::io::BufReader::new(file), |e| keys.push(e.clone()))
        .unwrap_or_else(|e| panic!("{} ({}): {e}", path.display(), server_build().describe()));
    let mut got: BTreeMap<(u64, String), u64> = BTreeMap::new();
    for k in &keys {
        *got.entry((k.db, k.kind.to_string())).or_default() += 1;
    }
    assert_eq!(got, want, "{}", server_build().describe());
    assert_eq!(
        keys.iter().filter(|k| k.expire_ms.is_some()).count() as u64,
        expiring
    );
    let by = |key: &[u8]| keys.iter().find(|k| k.key == key).unwrap();
    assert_eq!(by(b"bigh:0").elements, 600);
    assert_eq!(by(b"h:3").elements, 2);
    assert_eq!(by(b"bigs").elements, 1000);
    assert_eq!(by(b"is:1").encoding, "intset");
    assert_eq!(by(b"bigz").elements, 300);
    assert_eq!(by(b"bigl").elements, 20_000);
    assert_eq!(by(b"st").elements, 100);
    assert_eq!(by(b"long:3").elements, 2000);
    assert_eq!(by(b"n:7").encoding, "int");
    assert_eq!(by(b"bin:\xff\x00\n").elements, 2);
    assert_eq!(meta.checksum, "ok");
    let version = meta
        .aux
        .iter()
        .find(|(k, _)| k == "redis-ver" || k == "valkey-ver")
        .map(|(_, v)| v.as_str());
    assert!(version.is_some(), "{:?}", meta.aux);
}

/// `memory --rdb` on a dump, as JSON; the run.
fn report_of(path: &std::path::Path, extra: &[&str]) -> (Run, serde_json::Value) {
    let run = Cachectl::new()
        .args(["memory", "--rdb"])
        .arg(path)
        .args(["-o", "json"])
        .args(extra)
        .run();
    let json = run.json();
    (run, json)
}

#[test]
fn memory_rdb_reports_the_keyspace_that_made_the_dump() {
    let server = RedisServer::start();
    let (want, expiring) = keyspace(&server);
    let path = saved(&server);
    let (run, doc) = report_of(&path, &[]);
    let k = &doc["keyspace"];
    let total: u64 = want.values().sum();
    assert_eq!(k["source"], "rdb");
    assert_eq!(k["total_keys"], total);
    assert_eq!(k["scanned_keys"], total);
    assert_eq!(k["partial"], false);
    assert_eq!(k["no_ttl_keys"], total - expiring);
    let d = &k["dump"];
    assert_eq!(d["checksum"], "ok");
    assert!(d["rdb_version"].as_u64().unwrap() >= 9, "{d}");
    assert!(
        d["server_version"].is_string() && d["created"].is_string(),
        "{d}"
    );
    assert!(d["used_mem"].as_u64().unwrap() > 0);
    let in_db0: u64 = want
        .iter()
        .filter(|((db, _), _)| *db == 0)
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        d["databases"],
        serde_json::json!([
            {"db": 0, "keys": in_db0, "expires": expiring},
            {"db": 3, "keys": 7, "expires": 0},
        ])
    );
    // Keys per type, over the databases.
    let mut types: BTreeMap<String, u64> = BTreeMap::new();
    for ((_, t), n) in &want {
        *types.entry(t.clone()).or_default() += n;
    }
    for (t, n) in &types {
        assert_eq!(k["types"][t]["keys"], *n, "{t}: {}", k["types"]);
    }
    // Keys per pattern, and without a TTL.
    let pattern = |p: &str| {
        k["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["pattern"] == p)
            .unwrap_or_else(|| panic!("no pattern {p} in {}", k["patterns"]))
            .clone()
    };
    let s = pattern("s:*");
    assert_eq!(
        (s["keys"].as_u64(), s["no_ttl_keys"].as_u64()),
        (Some(50), Some(20))
    );
    assert_eq!(pattern("n:*")["keys"], 20);
    assert_eq!(pattern("long:*")["keys"], 10);
    assert_eq!(pattern("other:*")["keys"], 7);
    let bigh = pattern("bigh:*");
    assert_eq!(
        (bigh["keys"].as_u64(), bigh["no_ttl_keys"].as_u64()),
        (Some(2), Some(1))
    );
    // The keyspace runbook's verdict, as memory --keys gives it: keys
    // without a TTL are a warning.
    let ids: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"keys-without-ttl"), "{ids:?}");
    assert_eq!(doc["status"], "warning");
    assert_eq!(run.code(), 1);
    // Nothing of the server was asked: the checks that need it are said so.
    assert_eq!(doc["unavailable"][0]["kind"], "offline");
    // Only some keys: a pattern and a type.
    let (_, only) = report_of(&path, &["--pattern", "big*", "--type", "hash"]);
    assert_eq!(only["keyspace"]["scanned_keys"], 2);
    assert_eq!(only["keyspace"]["total_keys"], total);
}

/// A keyspace of many shapes and sizes, as a cache holds: strings of every
/// encoding with and without TTLs, hashes, sets, sorted sets and lists in
/// their compact and full encodings, streams with a consumer group.
fn mixed_keyspace(server: &RedisServer) {
    let mut c = server.client();
    let mut p = redis::pipe();
    let mut n = 7u64;
    let mut next = |m: u64| {
        n = n
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (n >> 33) % m
    };
    for i in 0..600 {
        p.cmd("SET")
            .arg(format!("session:{i}"))
            .arg("s".repeat(5 + next(36) as usize));
        match next(3) {
            0 => p.arg("EX").arg(600),
            1 => p.arg("EX").arg(86_400),
            _ => &mut p,
        }
        .ignore();
    }
    for i in 0..200 {
        p.cmd("SET")
            .arg(format!("page:{i:05}"))
            .arg(format!("<html>{}", "x".repeat(50 + next(3000) as usize)))
            .ignore();
        p.cmd("SET")
            .arg(format!("counter:{i}"))
            .arg(next(1_000_000_000))
            .ignore();
    }
    for i in 0..150 {
        let mut cmd = redis::cmd("HSET");
        cmd.arg(format!("user:{i}"));
        for f in 0..=next(20) {
            cmd.arg(format!("f{f}"))
                .arg("v".repeat(1 + next(30) as usize));
        }
        p.add_command(cmd).ignore();
    }
    for i in 0..3 {
        let mut cmd = redis::cmd("HSET");
        cmd.arg(format!("bighash:{i}"));
        for f in 0..2000 {
            cmd.arg(format!("field:{f}"))
                .arg(format!("value-{f}").repeat(1 + next(3) as usize));
        }
        p.add_command(cmd).ignore();
    }
    for i in 0..80 {
        let mut tags = redis::cmd("SADD");
        tags.arg(format!("tags:{i}"));
        for m in 0..=next(50) {
            tags.arg(format!("t{m}"));
        }
        p.add_command(tags).ignore();
        let mut ids = redis::cmd("SADD");
        ids.arg(format!("ids:{i}"));
        for m in 0..=next(200) {
            ids.arg(m);
        }
        p.add_command(ids).ignore();
        let mut rank = redis::cmd("ZADD");
        rank.arg(format!("rank:{i}"));
        for m in 0..=next(60) {
            rank.arg(m).arg(format!("p{m}"));
        }
        p.add_command(rank).ignore();
        let mut queue = redis::cmd("RPUSH");
        queue.arg(format!("queue:{i}"));
        for m in 0..=next(100) {
            queue.arg(format!("job-{m}"));
        }
        p.add_command(queue).ignore();
    }
    for i in 0..2 {
        let mut set = redis::cmd("SADD");
        set.arg(format!("bigset:{i}"));
        let mut board = redis::cmd("ZADD");
        board.arg(format!("board:{i}"));
        for m in 0..3000 {
            set.arg(format!("member:{m}"));
            board.arg(next(1_000_000)).arg(format!("player:{m}"));
        }
        p.add_command(set).ignore();
        p.add_command(board).ignore();
        let mut log = redis::cmd("RPUSH");
        log.arg(format!("log:{i}"));
        for m in 0..6000 {
            log.arg(format!("entry {m} {}", "y".repeat(10 + next(80) as usize)));
        }
        p.add_command(log).ignore();
        for m in 0..3000 {
            p.cmd("XADD")
                .arg(format!("events:{i}"))
                .arg("*")
                .arg("type")
                .arg("click")
                .arg("n")
                .arg(m)
                .ignore();
        }
    }
    p.query::<()>(&mut c).unwrap();
    let _: () = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg("events:0")
        .arg("workers")
        .arg("0")
        .query(&mut c)
        .unwrap();
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("workers")
        .arg("w1")
        .arg("COUNT")
        .arg(20)
        .arg("STREAMS")
        .arg("events:0")
        .arg(">")
        .query(&mut c)
        .unwrap();
    // A stream written as events come, its IDs 1 ms to 4 s apart (a
    // pipeline's share a millisecond), read by two consumers: its radix
    // trees part early and take many more nodes.
    let mut ms = 1_700_000_000_000_u64;
    let mut p = redis::pipe();
    for m in 0..1500 {
        ms += 1 + next(4000);
        p.cmd("XADD")
            .arg("events:live")
            .arg(format!("{ms}-0"))
            .arg("n")
            .arg(m)
            .ignore();
    }
    p.cmd("XGROUP")
        .arg("CREATE")
        .arg("events:live")
        .arg("workers")
        .arg("0")
        .ignore();
    for (consumer, count) in [("w1", 600), ("w2", 500)] {
        p.cmd("XREADGROUP")
            .arg("GROUP")
            .arg("workers")
            .arg(consumer)
            .arg("COUNT")
            .arg(count)
            .arg("STREAMS")
            .arg("events:live")
            .arg(">")
            .ignore();
    }
    p.query::<()>(&mut c).unwrap();
}

#[test]
#[allow(clippy::print_stderr)] // the figures, for the matrix's log
fn the_estimate_agrees_with_memory_usage_within_a_tenth_overall_and_per_type() {
    let server = RedisServer::start();
    mixed_keyspace(&server);
    // MEMORY USAGE of every key, every element counted, by type.
    let mut c = server.client();
    let keys: Vec<Vec<u8>> = redis::cmd("KEYS").arg("*").query(&mut c).unwrap();
    let mut p = redis::pipe();
    for k in &keys {
        p.cmd("TYPE")
            .arg(k)
            .cmd("MEMORY")
            .arg("USAGE")
            .arg(k)
            .arg("SAMPLES")
            .arg(0);
    }
    let answers: Vec<redis::Value> = p.query(&mut c).unwrap();
    let mut live: BTreeMap<String, u64> = BTreeMap::new();
    for pair in answers.chunks(2) {
        let kind: String = redis::from_redis_value(pair[0].clone()).unwrap();
        let bytes: u64 = redis::from_redis_value(pair[1].clone()).unwrap();
        *live.entry(kind).or_default() += bytes;
    }
    assert_eq!(live.len(), 6, "{live:?}");
    // The allocator is the server's build's, which a dump does not say.
    let allocator = server.info_field("mem_allocator");
    let told: &[&str] = if allocator.starts_with("libc") {
        &["--allocator", "libc"]
    } else {
        &[]
    };
    let (_, doc) = report_of(&saved(&server), told);
    let k = &doc["keyspace"];
    let mut off = Vec::new();
    for (kind, bytes) in &live {
        let estimated = k["types"][kind]["bytes"].as_u64().unwrap() as f64;
        let error = (estimated - *bytes as f64) / *bytes as f64;
        off.push(format!("{kind} {:+.1}%", error * 100.0));
        assert!(
            error.abs() <= 0.10,
            "{kind}: estimated {estimated}, MEMORY USAGE {bytes} ({}, {allocator}): {off:?}",
            server_build().describe()
        );
    }
    let all: u64 = live.values().sum();
    let error = (k["total_bytes"].as_u64().unwrap() as f64 - all as f64) / all as f64;
    assert!(
        error.abs() <= 0.10,
        "overall {:+.1}%: {off:?}",
        error * 100.0
    );
    eprintln!(
        "estimate against MEMORY USAGE ({}, {allocator}): {off:?}, overall {:+.1}%",
        server_build().describe(),
        error * 100.0
    );
}

#[test]
fn a_cut_or_corrupt_dump_reports_what_was_read_marked_partial_with_the_offset() {
    let server = RedisServer::start();
    let (want, _) = keyspace(&server);
    let whole = std::fs::read(saved(&server)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Cut before its end: the last key is cut short (the end marker and
    // the checksum are 9 bytes).
    let cut = dir.path().join("cut.rdb");
    std::fs::write(&cut, &whole[..whole.len() - 20]).unwrap();
    let (run, doc) = report_of(&cut, &[]);
    let k = &doc["keyspace"];
    assert_eq!(k["partial"], true);
    let read = k["scanned_keys"].as_u64().unwrap();
    assert!(read > 0 && read < want.values().sum::<u64>(), "{read}");
    let error = k["dump"]["error"].as_str().unwrap();
    assert!(
        error.starts_with("at byte ") && error.contains("truncated"),
        "{error}"
    );
    assert_eq!(k["dump"]["checksum"], "unchecked");
    // A partial read is never OK: the scan-partial check says so, and why
    // (the dump's cut, not a scan's deadline).
    assert_ne!(run.code(), 0);
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "scan-partial")
        .unwrap();
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("after {read} keys read from the dump"))
            && message.contains("truncated"),
        "{message}"
    );
    // One bit flipped in a value: the checksum catches it at the end.
    let mut flipped = whole.clone();
    let at = whole.len() / 2;
    flipped[at] ^= 0x01;
    let bad = dir.path().join("flipped.rdb");
    std::fs::write(&bad, &flipped).unwrap();
    let (run, doc) = report_of(&bad, &[]);
    let error = doc["keyspace"]["dump"]["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(error.starts_with("at byte "), "{error}");
    assert_eq!(doc["keyspace"]["partial"], true);
    assert_ne!(run.code(), 0);
    // Not a dump at all: an error, not a report.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello\n").unwrap();
    let run = Cachectl::new().args(["memory", "--rdb"]).arg(&text).run();
    assert_eq!(run.code(), 3);
    assert!(run.stderr().contains("not an RDB file"), "{}", run.stderr());
}

#[test]
fn a_dump_on_standard_input_is_read_as_it_streams_and_ctrl_c_reports_so_far() {
    let server = RedisServer::start();
    let (want, _) = keyspace(&server);
    let whole = std::fs::read(saved(&server)).unwrap();
    let run = Cachectl::new()
        .args(["memory", "--rdb", "-", "-o", "json"])
        .stdin_bytes(whole.clone())
        .run();
    let doc = run.json();
    assert_eq!(doc["keyspace"]["total_keys"], want.values().sum::<u64>());
    assert_eq!(doc["keyspace"]["dump"]["checksum"], "ok");
    assert_eq!(doc["target"], "rdb:-");
    // A pipe that stalls after part of the dump: Ctrl-C ends the wait with
    // the report so far.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cachectl"))
        .args(["memory", "--rdb", "-", "-o", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, &whole[..whole.len() / 2]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let k = &doc["keyspace"];
    assert_eq!(k["partial"], true);
    assert!(k["stopped_because"].as_str().unwrap().contains("Ctrl-C"));
    assert!(k["scanned_keys"].as_u64().unwrap() > 0);
}

#[test]
fn rdb_from_takes_the_dump_of_a_replica_and_refuses_a_primary_unless_told() {
    let primary = RedisServer::start();
    let (want, expiring) = keyspace(&primary);
    let total: u64 = want.values().sum();
    let replica = RedisServer::with(
        ServerOptions::default().config(&format!("replicaof 127.0.0.1 {}", primary.port)),
    );
    wait_until("the replica is in sync", || {
        replica.info_field("master_link_status") == "up"
            && replica.cmd_text(&["DBSIZE"]) == primary.cmd_text(&["DBSIZE"])
    });
    let from = |server: &RedisServer, extra: &[&str]| {
        Cachectl::new()
            .args(["memory", "--rdb-from", &server.url(), "-o", "json"])
            .args(extra)
            .run()
    };
    let run = from(&replica, &[]);
    let doc = run.json();
    let k = &doc["keyspace"];
    // DBSIZE counts the database the URL names; the dump holds them all.
    assert_eq!(k["total_keys"], total, "{}", run.stderr());
    assert_eq!(k["no_ttl_keys"], total - expiring);
    assert_eq!(k["dump"]["checksum"], "ok");
    assert!(
        k["dump"]["from"].as_str().unwrap().contains("role slave"),
        "{}",
        k["dump"]
    );
    // The allocator is the server's, from INFO.
    let allocator = replica.info_field("mem_allocator");
    let model = k["dump"]["memory_model"]["allocator"].as_str().unwrap();
    assert_eq!(
        allocator.starts_with("libc"),
        model == "libc",
        "{allocator} {model}"
    );
    // A primary is refused, with the reason, unless told.
    let run = from(&primary, &[]);
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr().contains("is a primary") && run.stderr().contains("--allow-primary"),
        "{}",
        run.stderr()
    );
    let run = from(&primary, &["--allow-primary"]);
    assert_eq!(
        run.json()["keyspace"]["total_keys"],
        total,
        "{}",
        run.stderr()
    );
    // A user without SYNC (as a managed service's): the refusal says what
    // to do instead.
    replica.cmd(&[
        "ACL", "SETUSER", "reader", "on", ">pw", "~*", "+@read", "+info",
    ]);
    let url = format!("redis://reader:pw@127.0.0.1:{}", replica.port);
    let run = Cachectl::new().args(["memory", "--rdb-from", &url]).run();
    assert_eq!(run.code(), 3, "{}", run.stderr());
    assert!(
        run.stderr().contains("refused the replication handshake")
            && run.stderr().contains("--rdb FILE"),
        "{}",
        run.stderr()
    );
    assert!(!run.all_output().contains("pw@"), "{}", run.all_output());
    // A wrong password is no incident (exit 3, as diagnose's auth-failed);
    // a port where nothing listens is one: critical, exit 2, as diagnose's
    // connection-refused.
    let url = format!("redis://reader:s3cr3t-xyz@127.0.0.1:{}", replica.port);
    let run = Cachectl::new().args(["memory", "--rdb-from", &url]).run();
    assert_eq!(run.code(), 3, "{}", run.stderr());
    assert!(!run.all_output().contains("s3cr3t"), "{}", run.all_output());
    let url = format!("redis://127.0.0.1:{}", free_port());
    let run = Cachectl::new().args(["memory", "--rdb-from", &url]).run();
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("cannot connect"), "{}", run.stderr());
}

/// A dump of a real Redis 8.10 (RDB 15), recorded by scripts/rdb-newer
/// with what that server said of each key: hash templates, arrays, a
/// stream with idempotent producers and one with a NACKed entry, hash
/// field TTLs, module key metadata, two databases. No server of the matrix
/// writes these; RDB 13 and 14 on their own are written from the format in
/// src/rdb/tests.rs.
#[test]
fn a_redis_8_10_dump_reads_to_what_its_server_said_of_each_key() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rdb");
    let facts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("redis-8.10.json")).unwrap())
            .unwrap();
    let (run, doc) = report_of(&dir.join("redis-8.10.rdb"), &[]);
    let k = &doc["keyspace"];
    let d = &k["dump"];
    assert_eq!(
        (d["rdb_version"].as_u64(), d["server_version"].as_str()),
        (Some(15), Some("8.10.2"))
    );
    assert_eq!(d["checksum"], "ok");
    // The dump is named as a dump, not as a server's socket.
    let named = format!("rdb:{}", dir.join("redis-8.10.rdb").display());
    assert_eq!(doc["nodes"][0]["addr"], *named, "{}", doc["nodes"]);
    assert_eq!(k["partial"], false);
    assert_eq!(k["total_keys"], facts["keys"]);
    assert_eq!(
        k["no_ttl_keys"].as_u64().unwrap(),
        facts["keys"].as_u64().unwrap() - facts["with_ttl"].as_u64().unwrap()
    );
    for (db, n) in facts["databases"].as_object().unwrap() {
        let got = d["databases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["db"].as_u64() == db.parse().ok())
            .unwrap_or_else(|| panic!("no db {db} in {}", d["databases"]));
        assert_eq!(got["keys"], *n, "db {db}");
    }
    for (t, n) in facts["types"].as_object().unwrap() {
        assert_eq!(k["types"][t]["keys"], *n, "{t}: {}", k["types"]);
    }
    // Each encoding as OBJECT ENCODING named it, over the patterns.
    let mut encodings: BTreeMap<String, u64> = BTreeMap::new();
    for p in k["patterns"].as_array().unwrap() {
        let kind = p["types"]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap()
            .clone();
        for (e, n) in p["encodings"].as_object().unwrap() {
            *encodings.entry(format!("{kind}/{e}")).or_default() += n.as_u64().unwrap();
        }
    }
    let want: BTreeMap<String, u64> = facts["encodings"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(e, n)| (e.clone(), n.as_u64().unwrap()))
        .collect();
    assert_eq!(encodings, want);
    assert_eq!(d["key_meta"], facts["key_meta"]);
    // The checked-in dump holds two templates (the server chose them: see
    // scripts/rdb-newer); a reader that skipped opcode 242 counts none.
    assert_eq!(d["hash_templates"], 2, "{d}");
    // Sized by Redis 8.10's own accounting, within a tenth of what its
    // server said per type and overall. Its two streams (one of
    // idempotent producers, one with a NACKed entry) were written one XADD
    // at a time, their IDs a millisecond or more apart, which makes their
    // radix trees larger than a piped stream's: sized node by node.
    assert_eq!(d["memory_model"]["family"], "redis8.10", "{d}");
    let mut all = 0;
    for (t, usage) in facts["memory_usage"].as_object().unwrap() {
        let (estimated, usage) = (
            k["types"][t]["bytes"].as_u64().unwrap(),
            usage.as_u64().unwrap(),
        );
        let error = (estimated as f64 - usage as f64) / usage as f64;
        assert!(
            error.abs() <= 0.10,
            "{t}: estimated {estimated}, MEMORY USAGE {usage}"
        );
        all += usage;
    }
    let error = (k["total_bytes"].as_u64().unwrap() as f64 - all as f64) / all as f64;
    assert!(error.abs() <= 0.10, "overall {:+.1}%", error * 100.0);
    assert!(run.code() <= 1, "{}", run.all_output());
}
