//! `cachectl snapshot`: the bundle's contents at two points, no secret in
//! any file (passwords in every place Redis keeps one), a manifest whose
//! checksums are the files', an archive, and `diagnose --from-snapshot`
//! judging it again with no server.

use std::collections::BTreeMap;
use std::path::Path;

use crate::harness::*;

fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn a_snapshot_keeps_the_evidence_twice_and_no_secret_anywhere() {
    let (primary_pw, acl_pw, tls_pw) = ("prim-Secret-1", "acl-Secret-3", "tls-Secret-4");
    let primary = RedisServer::with(ServerOptions::default().password(primary_pw));
    let replica_pw = "repl-Secret-2";
    let replica = replica_of(
        &primary,
        ServerOptions::default()
            .password(replica_pw)
            .config(&format!("masterauth {primary_pw}")),
    );
    let mut c = replica.client();
    let _: redis::RedisResult<()> = redis::cmd("CONFIG")
        .arg("SET")
        .arg("slowlog-log-slower-than")
        .arg("0")
        .query(&mut c);
    // Secrets in the slow log's arguments, and in the configuration.
    let _: redis::RedisResult<()> = redis::cmd("ACL")
        .arg("SETUSER")
        .arg("reporting")
        .arg("on")
        .arg(format!(">{acl_pw}"))
        .arg("+@read")
        .query(&mut c);
    let _: redis::RedisResult<()> = redis::cmd("CONFIG")
        .arg("SET")
        .arg("tls-key-file-pass")
        .arg(tls_pw)
        .query(&mut c);
    let _: redis::RedisResult<()> = redis::cmd("AUTH").arg(replica_pw).query(&mut c);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("incident-42");
    let url = format!("redis://:{replica_pw}@127.0.0.1:{}", replica.port);
    let run = Cachectl::new()
        .args(["snapshot", "--interval", "500ms", "--url", &url, "--out"])
        .arg(&out)
        .run();
    assert!(run.code() <= 2, "{}", run.all_output());
    assert!(run.stdout().contains("judge it again"), "{}", run.stdout());
    let f = files(&out);
    let node = format!("127.0.0.1_{}", replica.port);
    for point in ["t0", "t1"] {
        for name in [
            "info.txt",
            "config.json",
            "slowlog.json",
            "client-list.txt",
            "memory-stats.json",
            "memory-doctor.txt",
            "latency-latest.json",
            "latency-history.json",
        ] {
            assert!(
                f.contains_key(&format!("{point}/{node}/{name}")),
                "{point}/{name}: {:?}",
                f.keys()
            );
        }
    }
    // Two points: the counters moved between them.
    let commands = |p: &str| -> u64 {
        let info = String::from_utf8_lossy(&f[&format!("{p}/{node}/info.txt")]).into_owned();
        info.lines()
            .find_map(|l| l.strip_prefix("total_commands_processed:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    assert!(commands("t1") > commands("t0"));
    let config: serde_json::Value =
        serde_json::from_slice(&f[&format!("t0/{node}/config.json")]).unwrap();
    assert_eq!(config["masterauth"], "(masked)");
    assert_eq!(config["requirepass"], "(masked)");
    assert_eq!(config["maxmemory-policy"], "noeviction", "the rest is kept");
    for name in [
        "report.json",
        "report.md",
        "facts.json",
        "manifest.json",
        "README.md",
    ] {
        assert!(f.contains_key(name), "{name}");
    }
    // Not one secret in any file.
    for (path, bytes) in &f {
        let text = String::from_utf8_lossy(bytes);
        for secret in [primary_pw, replica_pw, acl_pw, tls_pw] {
            assert!(!text.contains(secret), "{secret} in {path}");
        }
    }
    // The manifest's checksums are the files'.
    let manifest: serde_json::Value = serde_json::from_slice(&f["manifest.json"]).unwrap();
    assert_eq!(manifest["points"].as_array().unwrap().len(), 2);
    assert_eq!(manifest["nodes"][0]["role"], "replica");
    for entry in manifest["files"].as_array().unwrap() {
        let path = entry["path"].as_str().unwrap();
        let sum = std::process::Command::new("sha256sum")
            .arg(out.join(path))
            .output()
            .unwrap();
        let sum = String::from_utf8_lossy(&sum.stdout);
        assert_eq!(
            sum.split_whitespace().next(),
            entry["sha256"].as_str(),
            "{path}"
        );
    }

    // Judged again from the bundle, with no server: the same findings.
    drop(replica);
    drop(primary);
    let again = Cachectl::new()
        .args(["diagnose", "-o", "json", "--from-snapshot"])
        .arg(&out)
        .run();
    let report: serde_json::Value = serde_json::from_slice(&f["report.json"]).unwrap();
    let ids = |d: &serde_json::Value| -> Vec<String> {
        let mut v: Vec<String> = d["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let replayed = again.json();
    assert_eq!(ids(&replayed), ids(&report), "{}", again.stderr());
    assert_eq!(replayed["status"], report["status"]);
    assert!(again.elapsed < std::time::Duration::from_secs(3));
    // A snapshot never replaces one.
    let run = Cachectl::new()
        .args(["snapshot", "--url", "redis://127.0.0.1:1", "--out"])
        .arg(&out)
        .run();
    assert_eq!(run.code(), 3);
    assert!(run.stderr().contains("never replaces"), "{}", run.stderr());
}

#[test]
fn a_snapshot_as_an_archive_of_a_cluster_is_judged_again() {
    let cluster = Cluster::start(3, 0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cluster.tar.gz");
    let run = Cachectl::new()
        .args([
            "snapshot",
            "--interval",
            "200ms",
            "--url",
            &cluster.nodes[0].url(),
            "--out",
        ])
        .arg(&out)
        .run();
    assert!(run.code() <= 2, "{}", run.all_output());
    let listing = std::process::Command::new("tar")
        .arg("tzf")
        .arg(&out)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    for n in &cluster.nodes {
        for f in ["cluster-nodes.txt", "cluster-info.txt", "info.txt"] {
            let path = format!("cluster/t1/127.0.0.1_{}/{f}", n.port);
            assert!(
                listing.lines().any(|l| l == path),
                "{path} not in {listing}"
            );
        }
    }
    assert!(
        listing.lines().any(|l| l == "cluster/t0/cluster.json"),
        "{listing}"
    );
    let again = Cachectl::new()
        .args(["diagnose", "-o", "json", "--from-snapshot"])
        .arg(&out)
        .run();
    let doc = again.json();
    assert_eq!(doc["topology"], "cluster", "{doc:#}");
    assert_eq!(doc["nodes"].as_array().unwrap().len(), 3);
}
