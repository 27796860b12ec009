//! `cachectl hotkeys`: a load that reads one key far more than the others,
//! found by each method the server allows (MONITOR sample, OBJECT FREQ
//! under LFU, CLUSTER SLOT-STATS), with reads and writes told apart.

use std::time::Duration;

use crate::harness::*;

/// Waits until `server` has a MONITOR client (cachectl's sample began).
fn monitored(server: &RedisServer) {
    wait_until("cachectl's MONITOR is connected", || {
        server
            .cmd_text(&["CLIENT", "LIST"])
            .lines()
            .any(|l| l.contains("cmd=monitor"))
    });
}

/// The load: `hot` written once and read `reads` times, `counter:x`
/// incremented 100 times (INCR is a write), 100 other keys written once
/// and read once.
fn load(server: &RedisServer, hot: &str, reads: usize) {
    let mut c = server.client();
    let mut pipe = redis::pipe();
    pipe.cmd("SET").arg(hot).arg("v").ignore();
    for i in 0..100 {
        pipe.cmd("SET").arg(format!("user:{i}")).arg("v").ignore();
        pipe.cmd("GET").arg(format!("user:{i}")).ignore();
        pipe.cmd("INCR").arg("counter:x").ignore();
    }
    for _ in 0..reads {
        pipe.cmd("GET").arg(hot).ignore();
    }
    pipe.query::<()>(&mut c).unwrap();
}

fn hotkeys(url: &str, extra: &[&str]) -> Cachectl {
    Cachectl::new()
        .args(["hotkeys", "-o", "json", "--url", url])
        .args(extra)
}

#[test]
fn a_monitor_sample_finds_the_key_read_most_and_tells_reads_from_writes() {
    let server = RedisServer::start();
    let run = hotkeys(&server.url(), &["--sample", "3s", "--top", "200"]).run_while(
        Duration::ZERO,
        |_| {
            monitored(&server);
            load(&server, "hot:item:1", 2000);
        },
    );
    let report = run.json();
    let h = &report["hotkeys"];
    let keys = h["keys"].as_array().unwrap();
    assert_eq!(keys[0]["key"], "hot:item:1", "{h:#}");
    assert_eq!(keys[0]["reads"], 2000);
    assert_eq!(keys[0]["writes"], 1);
    assert_eq!(keys[0]["method"], "monitor");
    assert_eq!(keys[0]["node"], format!("127.0.0.1:{}", server.port));
    let counter = keys.iter().find(|k| k["key"] == "counter:x").unwrap();
    assert_eq!(
        (&counter["reads"], &counter["writes"]),
        (&0.into(), &100.into())
    );
    let user = keys.iter().find(|k| k["key"] == "user:7").unwrap();
    assert_eq!((&user["reads"], &user["writes"]), (&1.into(), &1.into()));
    // 2,001 of 2,301 commands: the hot key's share.
    let share = keys[0]["share"].as_f64().unwrap();
    assert!((share - 2001.0 / 2301.0).abs() < 1e-9, "{share}");
    let patterns = h["patterns"].as_array().unwrap();
    let user = patterns.iter().find(|p| p["pattern"] == "user:*").unwrap();
    assert_eq!(
        (&user["reads"], &user["writes"]),
        (&100.into(), &100.into())
    );
    let node = &h["nodes"][0];
    assert_eq!(node["method"], "monitor");
    assert_eq!(node["reads"], 2100);
    assert_eq!(node["writes"], 201);
    assert!(node["lines"].as_u64().unwrap() >= 2301, "{node:#}");
    expect_finding(&report, "hot-key", "warning");
    assert_eq!(run.code(), 1);
    // The cost was said before the sample began.
    assert!(
        run.stderr().contains("MONITOR for 3s") && run.stderr().contains("half its throughput"),
        "{}",
        run.stderr()
    );
    // The MONITOR connection is gone with the run.
    assert!(!server.cmd_text(&["CLIENT", "LIST"]).contains("cmd=monitor"));
}

#[test]
fn the_caps_end_a_sample_and_say_so() {
    let server = RedisServer::start();
    let run = hotkeys(&server.url(), &["--sample", "20s", "--max-lines", "500"]).run_while(
        Duration::ZERO,
        |_| {
            monitored(&server);
            load(&server, "hot", 2000);
        },
    );
    let report = run.json();
    let node = &report["hotkeys"]["nodes"][0];
    assert_eq!(node["lines"], 500, "{node:#}");
    assert_eq!(node["capped"], "the cap of 500 lines was reached");
    assert!(run.elapsed < Duration::from_secs(15), "{:?}", run.elapsed);
    expect_finding(&report, "hotkeys-sample-cut", "info");
}

#[test]
fn nothing_measured_is_unknown_and_a_refused_monitor_says_why() {
    let server = RedisServer::start();
    let run = hotkeys(&server.url(), &[]).run();
    let report = run.json();
    let node = &report["hotkeys"]["nodes"][0];
    assert!(node["method"].is_null(), "{node:#}");
    assert!(
        node["reason"].as_str().unwrap().contains("--sample 10s"),
        "{node:#}"
    );
    assert_eq!(report["hotkeys"]["measured"], false);
    expect_finding(&report, "hotkeys-unmeasured", "unknown");
    assert_eq!(run.code(), 3);

    // A user whose ACL leaves MONITOR out.
    server.cmd(&[
        "ACL", "SETUSER", "app", "on", ">apppw", "~*", "+@all", "-monitor",
    ]);
    let url = format!("redis://app:apppw@127.0.0.1:{}", server.port);
    let run = hotkeys(&url, &["--sample", "1s"]).run();
    let report = run.json();
    let node = &report["hotkeys"]["nodes"][0];
    assert!(node["method"].is_null(), "{node:#}");
    let reason = node["reason"].as_str().unwrap();
    assert!(
        reason.contains("MONITOR could not run: MONITOR was refused: NOPERM"),
        "{reason}"
    );
    assert!(!run.all_output().contains("apppw"));
    assert_eq!(run.code(), 3);
}

#[test]
fn under_an_lfu_policy_object_freq_ranks_the_keys_without_sampling() {
    let server = RedisServer::start();
    server.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]);
    server.cmd(&["CONFIG", "SET", "lfu-log-factor", "0"]);
    load(&server, "hot:item:1", 3000);
    let run = hotkeys(&server.url(), &["--top", "5"]).run();
    let report = run.json();
    let h = &report["hotkeys"];
    assert_eq!(h["nodes"][0]["method"], "object-freq", "{h:#}");
    assert_eq!(h["nodes"][0]["keys_seen"], 102);
    let keys = h["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 5);
    assert_eq!(keys[0]["key"], "hot:item:1", "{h:#}");
    assert_eq!(keys[0]["method"], "object-freq");
    assert!(keys[0]["reads"].is_null());
    // lfu-log-factor 0: the counter counts every access, to its 255 cap.
    assert_eq!(keys[0]["freq"], 255);
    assert_eq!(keys[1]["key"], "counter:x");
    // A frequency is no count of commands: no hot-key finding from it.
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["id"] != "hot-key"));
    assert_eq!(run.code(), 0, "{}", run.stderr());
}

#[test]
fn a_cluster_is_measured_node_by_node_at_once_with_its_hot_slots() {
    let cluster = Cluster::start(3, 0);
    let build = server_build();
    let slot_stats = build.flavour == "valkey" || build.version >= (8, 2, 0);
    if slot_stats {
        for n in &cluster.nodes {
            // Redis 8.2 has no CPU figures per slot: the setting is Valkey's.
            let _: redis::RedisResult<()> = redis::cmd("CONFIG")
                .arg("SET")
                .arg("cluster-slot-stats-enabled")
                .arg("yes")
                .query(&mut n.client());
        }
    }
    let hot = "hot:item:1";
    let slot = match cluster.nodes[0].cmd(&["CLUSTER", "KEYSLOT", hot]) {
        redis::Value::Int(s) => s as u64,
        other => panic!("{other:?}"),
    };
    let owner = cluster
        .nodes
        .iter()
        .find(|n| {
            redis::cmd("GET")
                .arg(hot)
                .query::<Option<String>>(&mut n.client())
                .is_ok()
        })
        .unwrap();
    let run = hotkeys(&cluster.nodes[0].url(), &["--sample", "3s", "--top", "3"])
        .args(["--cluster"])
        .run_while(Duration::ZERO, |_| {
            for n in &cluster.nodes {
                monitored(n);
            }
            let mut c = owner.client();
            for _ in 0..1500 {
                let _: Option<String> = redis::cmd("GET").arg(hot).query(&mut c).unwrap();
            }
        });
    let report = run.json();
    let h = &report["hotkeys"];
    let nodes = h["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3, "{h:#}");
    assert!(nodes.iter().all(|n| n["method"] == "monitor"), "{h:#}");
    assert_eq!(h["keys"][0]["key"], hot, "{h:#}");
    assert_eq!(h["keys"][0]["reads"], 1500);
    assert_eq!(h["keys"][0]["node"], format!("127.0.0.1:{}", owner.port));
    let said = nodes[0]["slot_stats"].as_str().unwrap();
    if slot_stats {
        let slots = h["slots"].as_array().unwrap();
        let top = slots
            .iter()
            .find(|s| s["node"] == format!("127.0.0.1:{}", owner.port))
            .unwrap();
        assert_eq!(top["slot"], slot, "{h:#}");
        if build.flavour == "valkey" {
            assert_eq!(said, "by CPU time");
            assert!(top["cpu_usec"].as_u64().unwrap() > 0, "{top:#}");
        }
    } else {
        assert!(said.starts_with("not available"), "{said}");
    }
    assert_eq!(run.code(), 1, "{}", run.stderr());
}

#[test]
fn memory_keys_has_a_hot_keys_section_under_lfu() {
    let server = RedisServer::start();
    load(&server, "hot:item:1", 1000);
    let run = Cachectl::new()
        .args(["memory", "-o", "json", "--url", &server.url(), "--keys"])
        .run();
    let k = run.json()["keyspace"].clone();
    assert!(k.get("hot_keys").is_none(), "no LFU, no frequencies: {k:#}");

    server.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]);
    server.cmd(&["CONFIG", "SET", "lfu-log-factor", "0"]);
    server.cmd(&["FLUSHALL"]);
    load(&server, "hot:item:1", 1000);
    let run = Cachectl::new()
        .args([
            "memory",
            "-o",
            "json",
            "--url",
            &server.url(),
            "--keys",
            "--top",
            "3",
        ])
        .run();
    let k = run.json()["keyspace"].clone();
    let hot = k["hot_keys"].as_array().unwrap();
    assert_eq!(hot.len(), 3, "{k:#}");
    assert_eq!(hot[0]["key"], "hot:item:1");
    assert_eq!(hot[0]["freq"], 255);
    assert_eq!(hot[1]["key"], "counter:x");
    assert_eq!(k["scanned_keys"], 102);
}
