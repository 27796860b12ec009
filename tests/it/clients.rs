//! `cachectl clients` and `clients kill` against a real server: 200 idle
//! clients from one pool, a few active ones, and a real replica.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::harness::*;

/// A python child holding `n` connections named `name`; with `every`, each
/// sends PING that often (active clients). Ends when dropped.
struct Holder(Child);

impl Holder {
    fn start(port: u16, n: usize, name: &str, every: Option<f64>) -> Holder {
        let mut child = Command::new("python3")
            .args([
                "-c",
                "import socket,sys,time\n\
                 port,n,name,every=int(sys.argv[1]),int(sys.argv[2]),sys.argv[3],float(sys.argv[4])\n\
                 s=[socket.create_connection(('127.0.0.1',port)) for _ in range(n)]\n\
                 for c in s:\n    c.sendall(b'CLIENT SETNAME '+name.encode()+b'\\r\\n'); c.recv(64)\n\
                 print('ok',flush=True)\n\
                 while True:\n\
                 \x20   time.sleep(every if every>0 else 3600)\n\
                 \x20   for c in s:\n\
                 \x20       c.sendall(b'PING\\r\\n'); c.recv(64)\n",
                &port.to_string(),
                &n.to_string(),
                name,
                &every.unwrap_or(0.0).to_string(),
            ])
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3");
        let mut ok = [0u8; 3];
        child.stdout.as_mut().unwrap().read_exact(&mut ok).unwrap();
        Holder(child)
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn clients_are_grouped_and_a_filtered_kill_spares_the_rest() {
    let primary = RedisServer::start();
    let _replica = replica_of(&primary, ServerOptions::default());
    let _idle = Holder::start(primary.port, 200, "leaky-pool", None);
    let _active = Holder::start(primary.port, 3, "worker", Some(0.2));
    std::thread::sleep(Duration::from_millis(2500));

    let run = Cachectl::new()
        .args(["clients", "-o", "json", "--url", &primary.url()])
        .run();
    let report = run.json();
    let c = &report["clients"];
    let group = |by: &str, key: &str| {
        c[by]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["key"] == key)
            .unwrap_or_else(|| panic!("no {by} {key}: {c:#}"))
            .clone()
    };
    assert_eq!(group("by_name", "leaky-pool")["count"], 200);
    assert_eq!(group("by_name", "worker")["count"], 3);
    assert_eq!(c["flags"]["replica"], 1);
    // 200 + 3 + the replica + cachectl's collection and view connections.
    let count = c["count"].as_u64().unwrap();
    assert!((205..=207).contains(&count), "{count}");
    assert_eq!(
        group("by_host", "127.0.0.1")["count"].as_u64().unwrap(),
        count
    );

    // Without a terminal and without --yes, the kill refuses and says how.
    let run = Cachectl::new()
        .args(["clients", "kill", "--url", &primary.url(), "--idle", "2s"])
        .run();
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr().contains("--yes") && run.stderr().contains("--dry-run"),
        "{}",
        run.stderr()
    );

    // --dry-run shows exactly the idle pool and kills nothing.
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let run = Cachectl::new()
        .args([
            "clients",
            "kill",
            "-o",
            "json",
            "--url",
            &primary.url(),
            "--idle",
            "2s",
            "--dry-run",
        ])
        .run();
    let plan = run.json()["kill"].clone();
    assert_eq!(plan["outcome"], "planned");
    assert_eq!(plan["matched"].as_array().unwrap().len(), 200, "{plan:#}");
    assert!(plan["matched"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["name"] == "leaky-pool"));
    assert_eq!(plan["killed"], 0);
    let run = Cachectl::new()
        .args([
            "clients",
            "kill",
            "--url",
            &primary.url(),
            "--idle",
            "2s",
            "--dry-run",
        ])
        .run();
    assert!(
        run.stdout()
            .starts_with("planned: would kill 200 clients on "),
        "{}",
        run.all_output()
    );
    // A filter that matches everyone still spares the replication link and
    // cachectl's own connection.
    let run = Cachectl::new()
        .args([
            "clients",
            "kill",
            "-o",
            "json",
            "--url",
            &primary.url(),
            "--host",
            "127.0.0.1",
            "--dry-run",
        ])
        .run();
    let plan = run.json()["kill"].clone();
    let spared: Vec<&str> = plan["spared"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert!(
        spared.contains(&"a replica's replication link"),
        "{spared:?}"
    );
    assert!(spared.contains(&"cachectl's own connection"), "{spared:?}");
    assert!(plan["matched"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| !m["flags"].as_str().unwrap().contains('S')));

    // --yes alone does not kill (destructive); with the node named, it does.
    let node = format!("127.0.0.1:{}", primary.port);
    let run = Cachectl::new()
        .args([
            "clients",
            "kill",
            "-o",
            "json",
            "--url",
            &primary.url(),
            "--idle",
            "2s",
            "--yes",
        ])
        .args(["--audit-log", audit.to_str().unwrap()])
        .run();
    assert_eq!(run.json()["kill"]["outcome"], "skipped");
    assert_eq!(run.code(), 3);
    let run = Cachectl::new()
        .args([
            "clients",
            "kill",
            "-o",
            "json",
            "--url",
            &primary.url(),
            "--idle",
            "2s",
            "--yes",
        ])
        .args([
            "--confirm-destructive",
            &node,
            "--audit-log",
            audit.to_str().unwrap(),
        ])
        .run();
    let done = run.json()["kill"].clone();
    assert_eq!(done["outcome"], "applied", "{done:#}");
    assert_eq!(done["killed"], 200);
    assert_eq!(run.code(), 0);
    // One audit record for the batch, counting it.
    let lines: Vec<serde_json::Value> = audit_records(&audit);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(lines[0]["origin"], "clients kill");
    assert_eq!(lines[0]["count"], 200);
    // The workers and the replica are still there.
    let names: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query(&mut primary.client())
        .unwrap();
    assert_eq!(names.matches("name=leaky-pool").count(), 0);
    assert_eq!(names.matches("name=worker").count(), 3);
    assert_eq!(primary.info_field("connected_slaves"), "1");
}

#[test]
fn clients_near_maxclients_is_critical() {
    let server = RedisServer::with(ServerOptions::default().config("maxclients 20"));
    let _held: Vec<_> = (0..17).map(|_| server.client()).collect();
    let run = Cachectl::new()
        .args(["clients", "-o", "json", "--url", &server.url()])
        .run();
    let report = run.json();
    expect_finding(&report, "clients-critical", "critical");
    assert_eq!(report["clients"]["maxclients"], 20);
    assert!(report["clients"]["used_ratio"].as_f64().unwrap() >= 0.9);
    assert_eq!(run.code(), 2);
}
