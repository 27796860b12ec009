//! Sentinel and Cluster targets: discovery, every node diagnosed and named,
//! the topology's own checks.

use std::time::Duration;

use crate::harness::*;

/// (addr, role) of every node of a report, in order.
fn nodes(report: &serde_json::Value) -> Vec<(String, String)> {
    report["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["addr"].as_str().unwrap().to_string(),
                n["role"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn ids(report: &serde_json::Value, prefix: &str) -> Vec<String> {
    problems(report)
        .into_iter()
        .filter(|p| p.starts_with(prefix))
        .collect()
}

fn at(server: &RedisServer) -> String {
    format!("127.0.0.1:{}", server.port)
}

#[test]
fn diagnose_through_the_sentinels_covers_every_node() {
    let set = SentinelSet::start(2, 3);
    let run = Cachectl::new()
        .args(["diagnose", "-o", "json", "--sentinel", &set.addrs()])
        .args(["--master", MASTER_NAME])
        .run();
    let report = run.json();
    assert_eq!(report["topology"], "sentinel", "{report:#}");
    let mut want = vec![(at(&set.primary), "primary".to_string())];
    want.extend(set.replicas.iter().map(|r| (at(r), "replica".to_string())));
    let mut got = nodes(&report);
    got[1..].sort();
    want[1..].sort();
    assert_eq!(got, want, "{report:#}");
    assert!(
        report["target"]
            .as_str()
            .unwrap()
            .starts_with("redis+sentinel://127.0.0.1:"),
        "{}",
        report["target"]
    );
    assert_eq!(
        ids(&report, "sentinel-"),
        Vec::<String>::new(),
        "{report:#}"
    );
    // Every finding names a node of the set.
    let known: Vec<String> = want.iter().map(|w| w.0.clone()).collect();
    for f in report["findings"].as_array().unwrap() {
        assert!(
            known.contains(&f["node"].as_str().unwrap().to_string()),
            "{f:#}"
        );
    }
    // The same through a redis+sentinel:// URL; a replica that just joined
    // (the Sentinels learn of it within 10 s) is found through the primary.
    let late = replica_of(&set.primary, ServerOptions::default());
    // The Sentinels poll INFO every 10 s: they do not know it yet, so only
    // the primary's list can name it.
    for s in &set.sentinels {
        let known: Vec<std::collections::HashMap<String, String>> = redis::cmd("SENTINEL")
            .arg("REPLICAS")
            .arg(MASTER_NAME)
            .query(&mut s.client())
            .unwrap();
        assert!(
            !known.iter().any(|r| r["port"] == late.port.to_string()),
            "a Sentinel already knows the new replica: this run would not show the primary's list is read"
        );
    }
    let url = format!("redis+sentinel://{}/{MASTER_NAME}", set.addrs());
    let run = Cachectl::new()
        .args(["diagnose", "-o", "json", "--url", &url])
        .run();
    let got = nodes(&run.json());
    assert_eq!(got.len(), 4, "{}", run.stderr());
    assert!(got.contains(&(at(&late), "replica".to_string())), "{got:?}");
}

#[test]
fn sentinels_without_quorum_and_a_stopped_replica_are_findings() {
    let mut set = SentinelSet::start(2, 3);
    // A replica frozen: it lags, the Sentinels flag it, it does not answer.
    set.replicas[1].signal("STOP");
    let frozen = at(&set.replicas[1]);
    std::thread::sleep(Duration::from_millis(2500));
    let diagnose = |set: &SentinelSet| {
        Cachectl::new()
            .args(["diagnose", "-o", "json", "--sentinel", &set.addrs()])
            .args(["--master", MASTER_NAME, "--command-timeout", "1s"])
            .run()
    };
    let run = diagnose(&set);
    let report = run.json();
    let lag = expect_finding(&report, "replica-lag", "warning");
    assert_eq!(lag["node"], at(&set.primary), "{lag:#}");
    let down = expect_finding(&report, "sentinel-replica-down", "warning");
    assert!(
        down["message"].as_str().unwrap().contains(&frozen),
        "{down:#}"
    );
    // The frozen node is a finding of its own, not a failed run.
    let hung = expect_finding(&report, "server-unresponsive", "critical");
    assert_eq!(hung["node"], frozen);
    assert_eq!(ids(&report, "sentinel-noquorum"), Vec::<String>::new());
    set.replicas[1].signal("CONT");

    // Two of three Sentinels stopped: no quorum, critical, exit 2.
    set.lose_quorum();
    let run = diagnose(&set);
    let report = run.json();
    let noq = expect_finding(&report, "sentinel-noquorum", "critical");
    assert!(
        noq["message"].as_str().unwrap().contains("NOQUORUM")
            || noq["message"].as_str().unwrap().contains("not a majority"),
        "{noq:#}"
    );
    // Its fix names the Sentinel that answered and the master in use.
    assert_eq!(
        noq["fixes"][0]["commands"][0],
        format!(
            "redis-cli -h 127.0.0.1 -p {} SENTINEL ckquorum {MASTER_NAME}",
            set.sentinels[2].port
        )
    );
    // One of three answering is not a majority: critical, not a warning.
    let minority = expect_finding(&report, "sentinel-minority", "critical");
    assert_eq!(minority["evidence"]["reachable"], 1, "{minority:#}");
    assert_eq!(minority["evidence"]["expected"], 3, "{minority:#}");
    assert_eq!(
        ids(&report, "sentinel-some-unreachable"),
        Vec::<String>::new()
    );
    assert_eq!(run.code(), 2);
    // The primary is still found through the one left.
    assert_eq!(nodes(&report)[0], (at(&set.primary), "primary".to_string()));
}

#[test]
fn diagnose_of_a_cluster_covers_every_node_and_an_uncovered_slot_is_critical() {
    let cluster = Cluster::start(3, 1);
    let seed = &cluster.nodes[0];
    let run = Cachectl::new()
        .args(["diagnose", "-o", "json", "--url", &seed.url()])
        .run();
    let report = run.json();
    assert_eq!(report["topology"], "cluster", "{report:#}");
    let got = nodes(&report);
    assert_eq!(got.len(), 6, "{report:#}");
    assert_eq!(got.iter().filter(|n| n.1 == "primary").count(), 3);
    assert_eq!(got.iter().filter(|n| n.1 == "replica").count(), 3);
    assert_eq!(ids(&report, "cluster-"), Vec::<String>::new(), "{report:#}");
    // Six nodes on one host share its RAM: the maxmemory each is offered
    // is a sixth of the three quarters (the nodes run without maxmemory).
    let unlimited: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "no-maxmemory")
        .collect();
    assert_eq!(unlimited.len(), 6, "{report:#}");
    let total: f64 = seed.info_field("total_system_memory").parse().unwrap();
    for f in unlimited {
        let e = &f["evidence"];
        assert_eq!(e["shared"], ", shared by 6 nodes of this topology", "{f:#}");
        assert_eq!(
            e["suggested_maxmemory"],
            (total * 0.75 / 6.0) as i64,
            "{f:#}"
        );
    }
    // The table groups by node, each with its role.
    let table = Cachectl::new()
        .args(["diagnose", "--url", &seed.url()])
        .run()
        .stdout();
    assert!(table.contains("(cluster: 6 nodes)"), "{table}");
    for (addr, role) in &got {
        assert!(
            table.contains(&format!("{addr} {role}"))
                || table.contains(&format!("{addr} ({role})")),
            "{addr} {role} in\n{table}"
        );
    }

    // clients: every node's, one view with a node column. Three clients
    // named leaky on each of four nodes: 12 in the merged view (one node's
    // list would show 3), and 3 more on each of those nodes than on the
    // other two.
    let baseline = |clients: &serde_json::Value, node: &RedisServer| {
        clients["by_node"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["key"] == at(node).as_str())
            .map(|g| g["count"].as_u64().unwrap())
    };
    let clients_of = || {
        Cachectl::new()
            .args(["clients", "-o", "json", "--url", &seed.url()])
            .run()
            .json()["clients"]
            .clone()
    };
    let before = clients_of();
    let mut leaky = Vec::new();
    for n in &cluster.nodes[..4] {
        for _ in 0..3 {
            let mut c = n.client();
            let _: () = redis::cmd("CLIENT")
                .arg("SETNAME")
                .arg("leaky")
                .query(&mut c)
                .unwrap();
            leaky.push(c);
        }
    }
    let clients = clients_of();
    assert_eq!(
        clients["by_node"].as_array().unwrap().len(),
        6,
        "{clients:#}"
    );
    let leaky_group = clients["by_name"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "leaky")
        .map(|g| g["count"].as_u64().unwrap());
    assert_eq!(leaky_group, Some(12), "{clients:#}");
    for (i, n) in cluster.nodes.iter().enumerate() {
        let more = if i < 4 { 3 } else { 0 };
        assert_eq!(
            baseline(&clients, n),
            baseline(&before, n).map(|c| c + more),
            "{}",
            at(n)
        );
    }
    // slowlog: two nodes logging everything, grouped with their names.
    let (a, b) = (&cluster.nodes[1], &cluster.nodes[2]);
    for n in [a, b] {
        n.cmd(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
        n.cmd(&["SLOWLOG", "RESET"]);
        n.cmd(&["ECHO", "marker"]);
    }
    let run = Cachectl::new()
        .args(["slowlog", "-o", "json", "--url", &seed.url()])
        .run();
    let slow = run.json()["slowlog"].clone();
    let echo = slow["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["command"] == "echo")
        .unwrap_or_else(|| panic!("{slow:#}"))
        .clone();
    let mut on: Vec<String> = echo["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    on.sort();
    let mut want = vec![at(a), at(b)];
    want.sort();
    assert_eq!((echo["count"].as_u64(), on), (Some(2), want), "{echo:#}");

    // latency: every node sampled at once, each with its own figures.
    let run = Cachectl::new()
        .args([
            "latency",
            "-o",
            "json",
            "--count",
            "20",
            "--url",
            &seed.url(),
        ])
        .run();
    let lat = run.json()["latency"].clone();
    let sampled: Vec<(String, u64)> = lat["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["node"].as_str().unwrap().to_string(),
                n["samples"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(sampled.len(), 6, "{lat:#}");
    assert!(sampled.iter().all(|(_, n)| *n == 20), "{lat:#}");

    // --fix walks every node's findings on that node: the safe fix for the
    // latency monitor is applied on all six, each audited on its node.
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let run = Cachectl::new()
        .args([
            "diagnose",
            "-o",
            "json",
            "--fix",
            "--yes",
            "--url",
            &seed.url(),
        ])
        .arg("--audit-log")
        .arg(&audit)
        .run();
    let report = run.json();
    for n in &cluster.nodes {
        assert_eq!(
            n.cmd_text(&["CONFIG", "GET", "latency-monitor-threshold"]),
            "100",
            "{}: {report:#}",
            at(n)
        );
    }
    let fixed: std::collections::BTreeSet<String> = audit_records(&audit)
        .iter()
        .filter(|r| {
            r["phase"] == "ok" && r["command"] == "CONFIG SET latency-monitor-threshold 100"
        })
        .map(|r| r["node"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fixed.len(), 6, "{fixed:?}");
    assert!(
        !report["after"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "latency-monitor-off"),
        "{:#}",
        report["after"]
    );

    // clients kill: a Cluster's clients are on every node.
    let run = Cachectl::new()
        .args(["clients", "kill", "--name", "leaky", "-o", "json", "--yes"])
        .args([
            "--url",
            &seed.url(),
            "--confirm-destructive",
            &at(seed),
            "--audit-log",
        ])
        .arg(&audit)
        .run();
    let k = run.json()["kill"].clone();
    assert_eq!(
        (k["matched"].as_array().unwrap().len(), k["killed"].as_u64()),
        (12, Some(12)),
        "{k:#}"
    );
    let on: std::collections::BTreeSet<&str> = k["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["node"].as_str().unwrap())
        .collect();
    assert_eq!(on.len(), 4, "{k:#}");
    for n in &cluster.nodes {
        assert!(
            !n.cmd_text(&["CLIENT", "LIST"]).contains("name=leaky"),
            "{}",
            at(n)
        );
    }
    drop(leaky);

    // The seed stops serving slot 0: uncovered, the Cluster fails.
    let owner = cluster
        .with_role("master")
        .into_iter()
        .find(|n| {
            n.cmd_text(&["CLUSTER", "NODES"])
                .lines()
                .any(|l| l.contains("myself") && l.contains(" 0-"))
        })
        .expect("the owner of slot 0");
    owner.cmd(&["CLUSTER", "DELSLOTS", "0"]);
    let run = Cachectl::new()
        .args(["diagnose", "-o", "json", "--url", &owner.url()])
        .run();
    let report = run.json();
    let f = expect_finding(&report, "cluster-slots-uncovered", "critical");
    assert_eq!(f["evidence"]["uncovered"], 1, "{f:#}");
    expect_finding(&report, "cluster-state-fail", "critical");
    assert_eq!(run.code(), 2);

    // Through any other node, whose own view still has slot 0 served: the
    // owner's view is read too, and the verdict is the same, naming it.
    let failed = at(owner);
    for other in cluster.nodes.iter().filter(|n| n.port != owner.port) {
        let run = Cachectl::new()
            .args(["diagnose", "-o", "json", "--url", &other.url()])
            .run();
        let report = run.json();
        let down = expect_finding(&report, "cluster-state-fail", "critical");
        let failing = down["evidence"]["failing"].to_string();
        assert!(
            failing.contains(&format!("{failed} says cluster_state:fail")),
            "through {}: {down:#}",
            at(other)
        );
        let free = expect_finding(&report, "cluster-slots-uncovered", "critical");
        assert_eq!(
            free["evidence"]["by"],
            serde_json::json!([format!("{failed} sees 1 slots unassigned (0)")]),
            "{free:#}"
        );
        let split = expect_finding(&report, "cluster-split-slots", "critical");
        assert_eq!(split["evidence"]["slots"], 1, "{split:#}");
        let said = split["evidence"]["splits"][0].as_str().unwrap();
        assert!(
            said.starts_with("slots 0: ")
                && said.contains(&format!("{failed} see no owner"))
                && said.contains(&format!("see {failed}")),
            "{said}"
        );
        // The fix names the node asked, ready to paste.
        assert_eq!(
            free["fixes"][0]["commands"][0],
            format!("redis-cli --cluster check {}", at(other))
        );
        assert_eq!(run.code(), 2);
    }
}

#[test]
fn memory_keys_and_flush_cover_every_shard_exactly() {
    let cluster = Cluster::start(3, 1);
    let pairs: Vec<(String, String)> = (0..900)
        .map(|i| (format!("session:{i}"), "v".to_string()))
        .chain((0..300).map(|i| (format!("keep:{i}"), "v".to_string())))
        .collect();
    cluster.set_all(&pairs);
    let primaries = cluster.with_role("master");
    let dbsize = |n: &RedisServer| match n.cmd(&["DBSIZE"]) {
        redis::Value::Int(k) => k,
        other => panic!("{other:?}"),
    };
    assert_eq!(primaries.iter().map(|p| dbsize(p)).sum::<i64>(), 1200);
    // Through a replica: any node names the Cluster.
    let replica = cluster.with_role("slave")[0];
    let run = Cachectl::new()
        .args(["memory", "--keys", "-o", "json", "--url", &replica.url()])
        .run();
    let report = run.json();
    let keyspace = &report["keyspace"];
    assert_eq!(keyspace["scanned_keys"], 1200, "{keyspace:#}");
    assert_eq!(
        keyspace["nodes"].as_array().unwrap().len(),
        3,
        "{keyspace:#}"
    );
    let group = |p: &str| {
        keyspace["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["pattern"] == p)
            .map(|g| g["keys"].as_u64().unwrap())
    };
    assert_eq!(
        (group("session:*"), group("keep:*")),
        (Some(900), Some(300))
    );
    // Every primary at once, each at its own --rate: about 400 keys a
    // primary at 400 keys a second is about a second; one after another
    // would be three.
    let started = std::time::Instant::now();
    let run = Cachectl::new()
        .args([
            "memory",
            "--keys",
            "--rate",
            "400",
            "-o",
            "json",
            "--url",
            &replica.url(),
        ])
        .run();
    let took = started.elapsed();
    assert_eq!(run.json()["keyspace"]["scanned_keys"], 1200);
    assert!(
        took < std::time::Duration::from_millis(2500),
        "the primaries were scanned one after another: {took:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let run = Cachectl::new()
        .args([
            "flush",
            "-o",
            "json",
            "--url",
            &replica.url(),
            "--pattern",
            "session:*",
        ])
        .args([
            "--yes",
            "--confirm-destructive",
            &at(replica),
            "--audit-log",
        ])
        .arg(dir.path().join("audit.jsonl"))
        .run();
    let f = run.json()["flush"].clone();
    assert_eq!(
        (f["matched"].as_u64(), f["deleted"].as_u64()),
        (Some(900), Some(900)),
        "{f:#}"
    );
    assert_eq!(f["nodes"].as_array().unwrap().len(), 3);
    let per_node: u64 = f["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["deleted"].as_u64().unwrap())
        .sum();
    assert_eq!(per_node, 900);
    assert_eq!(f["complete"], true);
    assert_eq!(run.code(), 0);
    assert_eq!(
        primaries.iter().map(|p| dbsize(p)).sum::<i64>(),
        300,
        "only keep:* is left"
    );

    // warm: each record to the primary serving its slot.
    let file = dir.path().join("w.jsonl");
    let text: String = (0..500)
        .map(|i| format!("{{\"key\":\"warm:{i}\",\"value\":\"v\",\"ttl\":600}}\n"))
        .collect();
    std::fs::write(&file, text).unwrap();
    let run = Cachectl::new()
        .args([
            "warm",
            "-o",
            "json",
            "--yes",
            "--url",
            &replica.url(),
            "--audit-log",
        ])
        .arg(dir.path().join("audit.jsonl"))
        .arg("--file")
        .arg(&file)
        .run();
    let w = run.json()["warm"].clone();
    assert_eq!(
        (w["written"].as_u64(), w["errors"].as_u64()),
        (Some(500), Some(0)),
        "{w:#}"
    );
    assert_eq!(
        (w["keys_before"].as_u64(), w["keys_after"].as_u64()),
        (Some(300), Some(800))
    );
    assert_eq!(run.code(), 0);
    assert_eq!(primaries.iter().map(|p| dbsize(p)).sum::<i64>(), 800);
}

#[test]
fn sentinels_with_a_password_are_asked_with_theirs() {
    let set = SentinelSet::start_with(1, 3, Some("s3cret-sentinel"));
    let diagnose = |with_password: bool| {
        let mut cmd = Cachectl::new()
            .args(["diagnose", "-o", "json", "--sentinel", &set.addrs()])
            .args(["--master", MASTER_NAME]);
        if with_password {
            cmd = cmd.env("CACHECTL_SENTINEL_PASSWORD", "s3cret-sentinel");
        }
        cmd.run()
    };
    let run = diagnose(true);
    let report = run.json();
    assert_eq!(nodes(&report).len(), 2, "{report:#}");
    assert_eq!(
        ids(&report, "sentinel-"),
        Vec::<String>::new(),
        "{report:#}"
    );
    assert!(!run.all_output().contains("s3cret-sentinel"));
    // Without it: no Sentinel answers, no primary, critical.
    let run = diagnose(false);
    let report = run.json();
    let none = expect_finding(&report, "sentinel-unreachable-all", "critical");
    assert!(
        none["message"].as_str().unwrap().contains("auth"),
        "{none:#}"
    );
    let failed = expect_finding(&report, "connection-failed", "critical");
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("no Sentinel named a primary"),
        "{failed:#}"
    );
    assert_eq!(run.code(), 2);
}

#[test]
fn sentinels_and_nodes_over_tls() {
    if !server_has_tls() {
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key, client_cert, client_key) = make_certs(certs.path());
    let tls = |opts: ServerOptions| {
        let mut opts = opts.config("tls-replication yes");
        opts.tls = Some((cert.clone(), key.clone(), ca.clone()));
        RedisServer::with(opts)
    };
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    // redis-cli over TLS, for the set-up only.
    let cli = |port: u16, args: &[&str]| -> String {
        let out = std::process::Command::new("redis-cli")
            .args([
                "--tls",
                "--cacert",
                &path(&ca),
                "--cert",
                &path(&client_cert),
            ])
            .args(["--key", &path(&client_key), "-p", &port.to_string()])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let primary = tls(ServerOptions::default());
    let replica =
        tls(ServerOptions::default().config(&format!("replicaof 127.0.0.1 {}", primary.port)));
    wait_until("the replica syncs over TLS", || {
        cli(replica.port, &["INFO", "replication"]).contains("master_link_status:up")
    });
    let sentinels: Vec<RedisServer> = (0..3)
        .map(|_| {
            tls(ServerOptions::default()
                .config(&format!(
                    "sentinel monitor {MASTER_NAME} 127.0.0.1 {} 2",
                    primary.port
                ))
                .config(&format!(
                    "sentinel down-after-milliseconds {MASTER_NAME} 1000"
                ))
                .arg("--sentinel"))
        })
        .collect();
    for s in &sentinels {
        wait_until("the Sentinels know each other over TLS", || {
            cli(s.port, &["SENTINEL", "SENTINELS", MASTER_NAME])
                .lines()
                .filter(|l| *l == "name")
                .count()
                == 2
        });
    }
    let hosts: Vec<String> = sentinels
        .iter()
        .map(|s| format!("127.0.0.1:{}", s.port))
        .collect();
    let url = format!("rediss+sentinel://{}/{MASTER_NAME}", hosts.join(","));
    let run = Cachectl::new()
        .args(["diagnose", "-o", "json", "--url", &url])
        .args(["--tls-ca", &path(&ca), "--tls-cert", &path(&client_cert)])
        .args(["--tls-key", &path(&client_key)])
        .run();
    let report = run.json();
    assert_eq!(report["topology"], "sentinel", "{report:#}");
    let got = nodes(&report);
    assert_eq!(got[0], (at(&primary), "primary".to_string()), "{report:#}");
    assert!(
        got.contains(&(at(&replica), "replica".to_string())),
        "{got:?}"
    );
    assert_eq!(
        ids(&report, "sentinel-unreachable"),
        Vec::<String>::new(),
        "{report:#}"
    );
    assert!(report["target"]
        .as_str()
        .unwrap()
        .starts_with("rediss+sentinel://"));
}

#[test]
fn two_nodes_that_each_say_primary_are_critical() {
    let set = SentinelSet::start(2, 3);
    // A replica promoted by hand, behind the Sentinels' back.
    set.replicas[0].cmd(&["REPLICAOF", "NO", "ONE"]);
    let run = Cachectl::new()
        .args(["diagnose", "-o", "json", "--sentinel", &set.addrs()])
        .args(["--master", MASTER_NAME, "--only", "sentinel"])
        .run();
    let report = run.json();
    let f = expect_finding(&report, "sentinel-two-primaries", "critical");
    let claimants: Vec<String> = f["evidence"]["claimants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let mut expected = vec![at(&set.primary), at(&set.replicas[0])];
    expected.sort();
    let mut got = claimants.clone();
    got.sort();
    assert_eq!(got, expected, "{f:#}");
    assert_eq!(f["evidence"]["primary"], at(&set.primary));
    assert_eq!(run.code(), 2);
}

#[test]
fn a_cluster_flush_is_preflighted_on_every_primary_before_any_deletes() {
    if !server_has((7, 0), "ACL DRYRUN") {
        return;
    }
    let cluster = Cluster::start(3, 0);
    let pairs: Vec<(String, String)> = (0..300)
        .map(|i| (format!("session:{i}"), "v".to_string()))
        .collect();
    cluster.set_all(&pairs);
    let primaries = cluster.with_role("master");
    let seed = primaries[0];
    // One primary's default user may not UNLINK: the flush must stop
    // before deleting anywhere, naming that node, not half-way through.
    let barred = primaries[2];
    barred.cmd(&["ACL", "SETUSER", "default", "-unlink"]);
    let dbsize = |n: &RedisServer| match n.cmd(&["DBSIZE"]) {
        redis::Value::Int(k) => k,
        other => panic!("{other:?}"),
    };
    let before: Vec<i64> = primaries.iter().map(|p| dbsize(p)).collect();
    let dir = tempfile::tempdir().unwrap();
    let run = Cachectl::new()
        .args([
            "flush",
            "-o",
            "json",
            "--url",
            &seed.url(),
            "--pattern",
            "session:*",
        ])
        .args(["--yes", "--confirm-destructive", &at(seed), "--audit-log"])
        .arg(dir.path().join("audit.jsonl"))
        .run();
    let f = run.json()["flush"].clone();
    assert_eq!(f["outcome"], "blocked", "{f:#}");
    let reason = f["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(&format!("{}: ", at(barred))) && reason.contains("UNLINK"),
        "{reason}"
    );
    let after: Vec<i64> = primaries.iter().map(|p| dbsize(p)).collect();
    assert_eq!(before, after);
    assert_eq!(run.code(), 3);
}
