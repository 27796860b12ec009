//! `cachectl failover` on real topologies: through the Sentinels, on a
//! primary with replicas, in a Cluster; refused without quorum or a fit
//! replica, asked like any destructive write, verified and audited.

use std::time::Duration;

use crate::harness::*;

fn at(server: &RedisServer) -> String {
    format!("127.0.0.1:{}", server.port)
}

fn role_of(server: &RedisServer) -> (String, String) {
    let info = |f: &str| server.info_field(f);
    match info("role").as_str() {
        "slave" => (
            "slave".into(),
            format!("{}:{}", info("master_host"), info("master_port")),
        ),
        r => (r.to_string(), String::new()),
    }
}

/// `cachectl failover -o json --url NODE --audit-log AUDIT EXTRA...`.
fn failover_json(node: &RedisServer, audit: &std::path::Path, extra: &[&str]) -> Run {
    Cachectl::new()
        .args([
            "failover",
            "-o",
            "json",
            "--url",
            &node.url(),
            "--audit-log",
        ])
        .arg(audit)
        .args(extra)
        .run()
}

fn master_by(sentinel: &RedisServer) -> String {
    let (h, p): (String, u16) = redis::cmd("SENTINEL")
        .arg("GET-MASTER-ADDR-BY-NAME")
        .arg(MASTER_NAME)
        .query(&mut sentinel.client())
        .unwrap();
    format!("{h}:{p}")
}

#[test]
fn through_the_sentinels_checked_verified_and_refused_without_quorum() {
    let mut set = SentinelSet::start(2, 3);
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let old = at(&set.primary);
    let failover = |set: &SentinelSet, extra: &[&str]| {
        Cachectl::new()
            .args(["failover", "-o", "json", "--sentinel", &set.addrs()])
            .args(["--master", MASTER_NAME, "--command-timeout", "1s"])
            .arg("--audit-log")
            .arg(&audit)
            .args(extra)
            .run()
    };
    // Without a terminal or --yes: refused, naming the flags.
    let run = Cachectl::new()
        .args([
            "failover",
            "--sentinel",
            &set.addrs(),
            "--master",
            MASTER_NAME,
        ])
        .run();
    assert_eq!(run.code(), 3, "{}", run.all_output());
    assert!(run.stderr().contains("--yes"), "{}", run.stderr());
    // --yes alone does not consent to a destructive write.
    let run = failover(&set, &["--yes"]);
    let f = run.json()["failover"].clone();
    assert_eq!(f["outcome"], "skipped", "{f:#}");
    assert!(f["reason"]
        .as_str()
        .unwrap()
        .contains(&format!("--confirm-destructive {old}")));
    assert_eq!(run.code(), 3);

    // A frozen replica is not fit; the other is promoted.
    set.replicas[1].signal("STOP");
    let frozen = at(&set.replicas[1]);
    let healthy = at(&set.replicas[0]);
    wait_until("the Sentinels flag the frozen replica down", || {
        let replicas: Vec<std::collections::HashMap<String, String>> = redis::cmd("SENTINEL")
            .arg("REPLICAS")
            .arg(MASTER_NAME)
            .query(&mut set.sentinels[0].client())
            .unwrap();
        replicas
            .iter()
            .any(|r| r["port"] == set.replicas[1].port.to_string() && r["flags"].contains("s_down"))
    });
    // The frozen replica wakes once the failover is under way: the watch
    // waits for it to answer and follow (a node that does not answer never
    // counts as agreeing).
    let frozen_pid = set.replicas[1].pid();
    let run = Cachectl::new()
        .args(["failover", "-o", "json", "--sentinel", &set.addrs()])
        .args(["--master", MASTER_NAME, "--command-timeout", "1s"])
        .arg("--audit-log")
        .arg(&audit)
        .args(["--yes", "--confirm-destructive", &old, "--wait", "30s"])
        .run_while(Duration::from_millis(100), |_| {
            // Woken once the healthy replica is promoted (woken earlier, the
            // Sentinels might choose it after all).
            let deadline = std::time::Instant::now() + Duration::from_secs(25);
            while std::time::Instant::now() < deadline {
                // A connection refused or slow mid-failover is asked again.
                let Some(mut c) = set.replicas[0].client_opt() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                let role: redis::RedisResult<Vec<redis::Value>> = redis::cmd("ROLE").query(&mut c);
                if matches!(role.as_deref().map(|r| r.first()),
                    Ok(Some(redis::Value::BulkString(b))) if b == b"master")
                {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = std::process::Command::new("kill")
                .args(["-CONT", &frozen_pid.to_string()])
                .status();
        });
    let f = run.json()["failover"].clone();
    assert_eq!(f["outcome"], "applied", "{f:#}");
    assert_eq!(f["expected"], healthy.as_str());
    assert_eq!(f["new_primary"], healthy.as_str(), "{f:#}");
    let frozen_c = f["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["addr"] == frozen.as_str())
        .unwrap()
        .clone();
    assert_eq!(frozen_c["fit"], false, "{frozen_c:#}");
    let t = &f["timeline"];
    let (promoted, agreed) = (
        t["promoted_after_ms"].as_u64().unwrap(),
        t["agreed_after_ms"].as_u64().unwrap(),
    );
    assert!(promoted <= agreed, "{t:#}");
    assert!(t["probe_writes"].as_u64().unwrap() >= 1, "{t:#}");
    assert_eq!(run.code(), 0);
    // Every Sentinel and the old primary agree.
    for s in &set.sentinels {
        assert_eq!(master_by(s), healthy);
    }
    wait_until("the old primary follows the new one", || {
        role_of(&set.primary) == ("slave".into(), healthy.clone())
    });
    let records = audit_records(&audit);
    assert!(
        records.iter().any(
            |r| r["command"] == format!("SENTINEL FAILOVER {MASTER_NAME}") && r["phase"] == "ok"
        ),
        "{records:#?}"
    );
    set.replicas[1].signal("CONT");

    // Two Sentinels gone: no quorum, refused, nothing changed.
    set.lose_quorum();
    let run = failover(&set, &["--yes", "--confirm-destructive", &healthy]);
    let f = run.json()["failover"].clone();
    assert_eq!(f["outcome"], "refused", "{f:#}");
    assert!(f["reason"].as_str().unwrap().contains("NOQUORUM"), "{f:#}");
    assert_eq!(run.code(), 2);
    assert_eq!(master_by(&set.sentinels[2]), healthy);
}

#[test]
fn a_primary_with_replicas_hands_over_to_the_one_named() {
    let primary = RedisServer::start();
    let r1 = replica_of(&primary, ServerOptions::default());
    let r2 = replica_of(&primary, ServerOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let failover = |extra: &[&str]| failover_json(&primary, &audit, extra);
    // A dry run plans FAILOVER TO (every server of the matrix is 6.2 or
    // later), changes nothing.
    let run = failover(&["--dry-run", "--to", &at(&r2)]);
    let f = run.json()["failover"].clone();
    assert_eq!(f["outcome"], "planned", "{f:#}");
    assert_eq!(f["topology"], "replication");
    assert_eq!(
        f["steps"][0]["command"],
        serde_json::json!([
            "FAILOVER",
            "TO",
            "127.0.0.1",
            r2.port.to_string(),
            "TIMEOUT",
            "10000"
        ]),
        "{f:#}"
    );
    assert_eq!(role_of(&primary).0, "master");

    // A frozen replica named with --to: refused, exit 2.
    r1.signal("STOP");
    let run = failover(&[
        "--yes",
        "--confirm-destructive",
        &at(&primary),
        "--to",
        &at(&r1),
        "--command-timeout",
        "1s",
    ]);
    let f = run.json()["failover"].clone();
    assert_eq!(f["outcome"], "refused", "{f:#}");
    assert!(
        f["reason"].as_str().unwrap().contains("does not answer"),
        "{f:#}"
    );
    assert_eq!(run.code(), 2);
    r1.signal("CONT");

    // With --app, the application's readiness before and after.
    let app = crate::app_server::AppServer::start();
    app.route_fn("/health/ready", |n| {
        crate::app_server::Reply::json(if n == 0 { 200 } else { 503 }, "{}")
    });
    let run = failover(&[
        "--yes",
        "--confirm-destructive",
        &at(&primary),
        "--to",
        &at(&r2),
        "--app",
        &app.url(),
    ]);
    let f = run.json()["failover"].clone();
    assert_eq!(f["outcome"], "applied", "{f:#}");
    assert_eq!(
        (f["app_before"].as_str(), f["app_after"].as_str()),
        (Some("200"), Some("503"))
    );
    assert_eq!(f["new_primary"], at(&r2).as_str());
    assert_eq!(run.code(), 0);
    assert_eq!(role_of(&r2).0, "master");
    wait_until("the others follow the new primary", || {
        role_of(&primary) == ("slave".into(), at(&r2)) && role_of(&r1) == ("slave".into(), at(&r2))
    });
    wait_until("the replicas are in sync with the new primary", || {
        [&primary, &r1]
            .iter()
            .all(|r| r.info_field("master_link_status") == "up")
    });

    // And back, as a table: the readiness before and after is there too.
    let run = Cachectl::new()
        .args(["failover", "--url", &r2.url(), "--to", &at(&primary)])
        .args([
            "--yes",
            "--confirm-destructive",
            &at(&r2),
            "--app",
            &app.url(),
        ])
        .arg("--audit-log")
        .arg(&audit)
        .run();
    let table = run.stdout();
    assert!(table.starts_with("applied: "), "{table}\n{}", run.stderr());
    assert!(
        table.contains("app /health/ready: before 503, after 503"),
        "{table}"
    );
    assert_eq!(run.code(), 0);
}

#[test]
fn a_cluster_shard_fails_over_to_its_replica() {
    let cluster = Cluster::start(3, 1);
    let primary = cluster.with_role("master")[0];
    let old = at(primary);
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let failover = |extra: &[&str]| failover_json(primary, &audit, extra);
    // TAKEOVER is never taken from flags alone.
    let run = failover(&["--yes", "--confirm-destructive", &old, "--takeover"]);
    let f = run.json()["failover"].clone();
    assert_eq!(f["outcome"], "skipped", "{f:#}");
    assert!(
        f["reason"].as_str().unwrap().contains("only interactively"),
        "{f:#}"
    );
    assert_eq!(
        f["steps"][0]["command"],
        serde_json::json!(["CLUSTER", "FAILOVER", "TAKEOVER"])
    );

    let run = failover(&["--yes", "--confirm-destructive", &old]);
    let f = run.json()["failover"].clone();
    assert_eq!(f["outcome"], "applied", "{f:#}");
    assert_eq!(f["topology"], "cluster");
    let new = f["new_primary"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(
        f["steps"][0]["command"],
        serde_json::json!(["CLUSTER", "FAILOVER"])
    );
    assert_eq!(run.code(), 0);
    wait_until("the old primary is a replica of the new one", || {
        role_of(primary) == ("slave".into(), new.clone())
    });
    std::thread::sleep(Duration::from_millis(10));
}

#[test]
fn takeover_runs_only_with_takeover_typed_at_the_terminal() {
    let cluster = Cluster::start(3, 1);
    let primary = cluster.with_role("master")[1];
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    // The plan names the replica once the Cluster's nodes all see it
    // synced (just after the start, a loaded machine may not be there).
    let mut replica = String::new();
    wait_until("the plan names a replica to take over", || {
        let plan = Cachectl::new()
            .args([
                "failover",
                "-o",
                "json",
                "--dry-run",
                "--takeover",
                "--url",
                &primary.url(),
            ])
            .run();
        match plan.json()["failover"]["expected"].as_str() {
            Some(r) => {
                replica = r.to_string();
                true
            }
            None => false,
        }
    });
    let run = |typed: &str| {
        Cachectl::new()
            .args([
                "failover",
                "--takeover",
                "--url",
                &primary.url(),
                "--audit-log",
            ])
            .arg(&audit)
            .run_in_pty(&format!("y\n{typed}\n"))
    };
    // The node alone is not enough.
    let screen = run(&at(primary)).stdout();
    assert!(
        screen.contains(&format!("Type it (TAKEOVER {replica})")),
        "{screen}"
    );
    assert!(screen.contains("skipped"), "{screen}");
    assert_eq!(role_of(primary).0, "master");
    let out = run(&format!("TAKEOVER {replica}"));
    assert_eq!(out.code(), 0, "{}", out.stdout());
    assert!(
        out.stdout().contains(&format!("new primary {replica}")),
        "{}",
        out.stdout()
    );
    wait_until("the old primary follows", || {
        role_of(primary) == ("slave".into(), replica.clone())
    });
}

#[test]
fn a_minority_of_the_sentinels_cannot_start_a_failover_and_a_typo_is_no_outage() {
    let mut set = SentinelSet::start(2, 3);
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let old = at(&set.primary);
    let run_with = |set: &SentinelSet, master: &str, extra: &[&str]| {
        Cachectl::new()
            .args(["failover", "-o", "json", "--sentinel", &set.addrs()])
            .args(["--master", master, "--command-timeout", "1s"])
            .arg("--audit-log")
            .arg(&audit)
            .args(extra)
            .run()
    };
    // A typo in --master: the Sentinels' own word, a usage error naming
    // the masters they watch, not an outage.
    let run = run_with(&set, "mymastr", &["--dry-run"]);
    assert_eq!(run.code(), 3, "{}", run.all_output());
    assert!(
        run.stderr().contains("--master `mymastr`")
            && run.stderr().contains("they watch: mymaster"),
        "{}",
        run.stderr()
    );
    let run = Cachectl::new()
        .args(["diagnose", "-o", "json", "--sentinel", &set.addrs()])
        .args(["--master", "mymastr"])
        .run();
    assert_eq!(run.code(), 3, "{}", run.all_output());
    assert!(
        run.stderr().contains("they watch: mymaster"),
        "{}",
        run.stderr()
    );

    // Two Sentinels stopped, and at once, before the last one notices: it
    // still says its quorum is fine, but one of three is no majority.
    set.sentinels[0].kill();
    set.sentinels[1].kill();
    let quorum: String = redis::cmd("SENTINEL")
        .arg("CKQUORUM")
        .arg(MASTER_NAME)
        .query(&mut set.sentinels[2].client())
        .unwrap();
    assert!(quorum.starts_with("OK"), "{quorum}");
    let run = run_with(&set, MASTER_NAME, &["--yes", "--confirm-destructive", &old]);
    let f = run.json()["failover"].clone();
    assert_eq!(f["outcome"], "refused", "{f:#}");
    let sentinels = f["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "sentinels")
        .unwrap()
        .clone();
    assert_eq!(sentinels["ok"], false, "{f:#}");
    assert!(
        sentinels["detail"]
            .as_str()
            .unwrap()
            .starts_with("1 of 3 answered, not a majority"),
        "{sentinels:#}"
    );
    assert_eq!(run.code(), 2);
    // Nothing was sent: the primary is the primary, no audit record.
    assert_eq!(role_of(&set.primary).0, "master");
    assert_eq!(master_by(&set.sentinels[2]), old);
    assert!(!audit.exists() || audit_records(&audit).is_empty());
}

/// The path before 6.2 (and where FAILOVER is renamed away, as managed
/// services do): REPLICAOF NO ONE on the replica, then REPLICAOF on the
/// others, each sent and each node seen to follow.
#[test]
fn without_the_failover_command_the_replica_is_promoted_with_replicaof() {
    let no_failover = || ServerOptions::default().config("rename-command FAILOVER \"\"");
    let primary = RedisServer::with(no_failover());
    let r1 = replica_of(&primary, no_failover());
    let r2 = replica_of(&primary, no_failover());
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let run = failover_json(
        &primary,
        &audit,
        &[
            "--yes",
            "--confirm-destructive",
            &at(&primary),
            "--to",
            &at(&r2),
        ],
    );
    let f = run.json()["failover"].clone();
    let steps: Vec<(String, serde_json::Value)> = f["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["node"].as_str().unwrap().to_string(),
                s["command"].clone(),
            )
        })
        .collect();
    let follow = serde_json::json!(["REPLICAOF", "127.0.0.1", r2.port.to_string()]);
    assert_eq!(
        steps,
        vec![
            (at(&r2), serde_json::json!(["REPLICAOF", "NO", "ONE"])),
            (at(&primary), follow.clone()),
            (at(&r1), follow),
        ],
        "{f:#}"
    );
    assert_eq!(f["outcome"], "applied", "{f:#}");
    assert_eq!(run.code(), 0);
    assert_eq!(role_of(&r2).0, "master");
    assert_eq!(role_of(&primary), ("slave".into(), at(&r2)));
    assert_eq!(role_of(&r1), ("slave".into(), at(&r2)));
}
