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

#[test]
fn a_dump_of_the_server_under_test_reads_back_to_its_keyspace() {
    let server = RedisServer::start();
    let (want, expiring) = keyspace(&server);
    server.cmd(&["SAVE"]);
    let config = |name: &str| -> String {
        let pair: Vec<String> = redis::cmd("CONFIG")
            .arg("GET")
            .arg(name)
            .query(&mut server.client())
            .unwrap();
        pair[1].clone()
    };
    let path = std::path::Path::new(&config("dir")).join(config("dbfilename"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut keys = Vec::new();
    let meta = cachectl::rdb::read(std::io::BufReader::new(file), |e| keys.push(e))
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
