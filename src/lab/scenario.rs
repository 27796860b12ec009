//! The lab's incidents, each from a seed runbook, made real on servers the
//! lab starts: what the seed describes is what the servers do.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{connection, free_port, start_server, Process, Running};

/// One incident the lab can stage.
pub struct Scenario {
    pub id: &'static str,
    /// What it is, in a line.
    pub title: &'static str,
    /// The seed runbook and section it follows.
    pub seed: &'static str,
}

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        id: "oom",
        title: "Out of memory under noeviction: writes fail with OOM",
        seed: "seed 000, Scenario 2: Redis Out of Memory",
    },
    Scenario {
        id: "maxclients",
        title: "Clients at maxclients, most of them idle leakers of one pool",
        seed: "seed 000, Scenario 3: Too Many Connections",
    },
    Scenario {
        id: "slow",
        title: "A slow server: DEBUG SLEEP and KEYS in the slow log, latency events",
        seed: "seed 000, Scenario 4: High Latency; seed 002, Issue 3: Slow Cache Operations",
    },
    Scenario {
        id: "hit-rate",
        title: "A low hit rate: nine reads in ten miss",
        seed: "seed 002, Issue 1: Low Cache Hit Rates",
    },
    Scenario {
        id: "replica-lag",
        title: "A replica stuck in its initial sync, its link down",
        seed: "seed 001, Redis Health (INFO replication) and Prevention: replication lag",
    },
    Scenario {
        id: "sentinel",
        title: "A Sentinel set whose primary is down and has not failed over",
        seed: "seed 001, Prevention: Sentinel and automatic failover",
    },
    Scenario {
        id: "cluster",
        title: "A Cluster with an uncovered slot: its state is fail",
        seed: "seed 000, Prevention: Redis Sentinel or Cluster",
    },
    Scenario {
        id: "app-fallback",
        title: "Redis down, the application serving from the database in fallback",
        seed:
            "seed 000, Scenario 5: Application Fallback Active; seed 001, Application Fallback Mode",
    },
];

pub fn find(id: &str) -> Result<&'static Scenario, String> {
    SCENARIOS.iter().find(|s| s.id == id).ok_or_else(|| {
        let known: Vec<&str> = SCENARIOS.iter().map(|s| s.id).collect();
        format!("no scenario `{id}`; there are: {}", known.join(", "))
    })
}

fn run(c: &mut redis::Connection, args: &[&str]) -> Result<redis::Value, String> {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(c).map_err(|e| format!("{}: {e}", args.join(" ")))
}

/// Stages `s` with its servers' files under `dir`. `me` is this binary,
/// for the helper processes (a pool of idle clients, the application).
pub fn stage(s: &Scenario, dir: &Path, me: &Path) -> Result<Running, String> {
    let mut procs: Vec<Process> = Vec::new();
    let result = stage_into(s, dir, me, &mut procs);
    match result {
        Ok((url, flags)) => Ok(Running {
            scenario: s.id.to_string(),
            url,
            flags,
            dir: dir.to_path_buf(),
            processes: procs,
        }),
        Err(e) => {
            // Half a lab is no lab: what was started is stopped.
            for p in procs.iter().rev() {
                super::stop(p);
            }
            let _ = std::fs::remove_dir_all(dir);
            Err(e)
        }
    }
}

fn url(port: u16) -> String {
    format!("redis://127.0.0.1:{port}/0")
}

fn stage_into(
    s: &Scenario,
    dir: &Path,
    me: &Path,
    procs: &mut Vec<Process>,
) -> Result<(String, Vec<String>), String> {
    match s.id {
        "oom" => {
            let port = free_port()?;
            procs.push(start_server(
                dir,
                port,
                &["maxmemory 3mb", "maxmemory-policy noeviction"],
            )?);
            let mut c = connection(port)?;
            let value = "x".repeat(1024);
            for i in 0..10_000 {
                let r: redis::RedisResult<()> = redis::cmd("SET")
                    .arg(format!("session:{i}"))
                    .arg(&value)
                    .query(&mut c);
                if r.is_err() {
                    return Ok((url(port), Vec::new()));
                }
            }
            Err("writes never failed with OOM".into())
        }
        "maxclients" => {
            let port = free_port()?;
            procs.push(cache_server(dir, port, &["maxclients 40"])?);
            // 36 idle connections of one leaky pool, held by a process of
            // the lab's: room is left for cachectl's own.
            let log = dir.join("pool.log");
            let marker = format!("--port={port}");
            let pid = super::spawn(
                &me.display().to_string(),
                &[
                    "lab".into(),
                    "hold".into(),
                    marker.clone(),
                    "--connections=36".into(),
                    "--name=leaky-pool".into(),
                ],
                &log,
            )?;
            procs.push(Process {
                pid,
                marker,
                what: "the leaky pool's 36 idle connections".into(),
            });
            wait_clients(port, 36)?;
            Ok((url(port), Vec::new()))
        }
        "slow" => {
            let port = free_port()?;
            procs.push(cache_server(
                dir,
                port,
                &[
                    "slowlog-log-slower-than 10000",
                    "latency-monitor-threshold 50",
                ],
            )?);
            let mut c = connection(port)?;
            run(&mut c, &["DEBUG", "POPULATE", "50000", "item", "32"])?;
            for _ in 0..3 {
                run(&mut c, &["DEBUG", "SLEEP", "0.15"])?;
            }
            run(&mut c, &["KEYS", "*"])?;
            Ok((url(port), Vec::new()))
        }
        "hit-rate" => {
            let port = free_port()?;
            procs.push(cache_server(dir, port, &[])?);
            let mut c = connection(port)?;
            run(&mut c, &["DEBUG", "POPULATE", "1000", "product", "64"])?;
            let mut pipe = redis::pipe();
            for i in 0..10_000 {
                let key = if i % 10 == 0 {
                    format!("product:{}", i % 1000)
                } else {
                    format!("product:missing:{i}")
                };
                pipe.cmd("GET").arg(key).ignore();
            }
            pipe.query::<()>(&mut c).map_err(|e| e.to_string())?;
            Ok((url(port), Vec::new()))
        }
        "replica-lag" => {
            let primary = free_port()?;
            // The primary waits an hour before it sends a replica its data:
            // the replica stays in its initial sync, its link down.
            procs.push(cache_server(
                dir,
                primary,
                &["repl-diskless-sync yes", "repl-diskless-sync-delay 3600"],
            )?);
            let mut c = connection(primary)?;
            run(&mut c, &["DEBUG", "POPULATE", "10000", "order", "64"])?;
            let replica = free_port()?;
            let of = format!("replicaof 127.0.0.1 {primary}");
            procs.push(cache_server(dir, replica, &[of.as_str()])?);
            wait_until("the replica to ask for its sync", || {
                connection(primary)
                    .and_then(|mut c| run(&mut c, &["INFO", "replication"]))
                    .is_ok_and(|v| {
                        crate::redis::reply::text(&v).is_some_and(|t| t.contains("slave0:"))
                    })
            })?;
            // The replica is the one to look at: its link is down.
            Ok((url(replica), Vec::new()))
        }
        "sentinel" => {
            let primary = free_port()?;
            procs.push(cache_server(dir, primary, &[])?);
            let replica = free_port()?;
            let of = format!("replicaof 127.0.0.1 {primary}");
            procs.push(cache_server(dir, replica, &[of.as_str()])?);
            let mut sentinels = Vec::new();
            for _ in 0..3 {
                let port = free_port()?;
                // Never failing over by itself: the operator's to do.
                let monitor = format!("sentinel monitor lab 127.0.0.1 {primary} 2");
                procs.push(super::start_sentinel(
                    dir,
                    port,
                    &[
                        monitor.as_str(),
                        "sentinel down-after-milliseconds lab 3600000",
                    ],
                )?);
                sentinels.push(port);
            }
            wait_until("the Sentinels to know the replica and each other", || {
                sentinels.iter().all(|p| {
                    connection(*p).is_ok_and(|mut c| {
                        let others = run(&mut c, &["SENTINEL", "SENTINELS", "lab"]);
                        let replicas = run(&mut c, &["SENTINEL", "REPLICAS", "lab"]);
                        matches!((others, replicas), (Ok(redis::Value::Array(o)), Ok(redis::Value::Array(r))) if o.len() == 2 && r.len() == 1)
                    })
                })
            })?;
            // The primary goes down.
            super::stop(&procs[0]);
            let list: Vec<String> = sentinels.iter().map(|p| format!("127.0.0.1:{p}")).collect();
            Ok((
                format!("redis+sentinel://{}/lab", list.join(",")),
                Vec::new(),
            ))
        }
        "cluster" => {
            let ports: Vec<u16> = (0..3).map(|_| free_port()).collect::<Result<_, _>>()?;
            for p in &ports {
                procs.push(cache_server(
                    dir,
                    *p,
                    &[
                        "cluster-enabled yes",
                        "cluster-config-file nodes.conf",
                        "cluster-node-timeout 2000",
                    ],
                )?);
            }
            for (i, p) in ports.iter().enumerate() {
                let mut c = connection(*p)?;
                let (from, to) = (i * 16384 / 3, (i + 1) * 16384 / 3 - 1);
                let mut cmd = redis::cmd("CLUSTER");
                cmd.arg("ADDSLOTS");
                for slot in from..=to {
                    cmd.arg(slot);
                }
                cmd.query::<()>(&mut c)
                    .map_err(|e| format!("CLUSTER ADDSLOTS: {e}"))?;
                if i > 0 {
                    run(
                        &mut c,
                        &["CLUSTER", "MEET", "127.0.0.1", &ports[0].to_string()],
                    )?;
                }
            }
            let ok = |p: u16| {
                connection(p)
                    .and_then(|mut c| run(&mut c, &["CLUSTER", "INFO"]))
                    .is_ok_and(|v| {
                        crate::redis::reply::text(&v)
                            .is_some_and(|t| t.contains("cluster_state:ok"))
                    })
            };
            wait_until("the Cluster to form", || ports.iter().all(|p| ok(*p)))?;
            // A slot no node serves.
            let mut c = connection(ports[0])?;
            run(&mut c, &["CLUSTER", "DELSLOTS", "0"])?;
            Ok((url(ports[1]), vec!["--cluster".into()]))
        }
        "app-fallback" => {
            let port = free_port()?;
            procs.push(cache_server(dir, port, &[])?);
            let app = free_port()?;
            let marker = format!("--port={app}");
            let pid = super::spawn(
                &me.display().to_string(),
                &[
                    "lab".into(),
                    "serve-app".into(),
                    marker.clone(),
                    format!("--redis-port={port}"),
                ],
                &dir.join("app.log"),
            )?;
            procs.push(Process {
                pid,
                marker,
                what: format!("the application on 127.0.0.1:{app}"),
            });
            wait_until("the application to answer", || {
                std::net::TcpStream::connect(("127.0.0.1", app)).is_ok()
            })?;
            // Redis goes down; the application falls back to its database.
            super::stop(&procs[0]);
            Ok((
                url(port),
                vec!["--app".into(), format!("http://127.0.0.1:{app}")],
            ))
        }
        other => Err(format!("no scenario `{other}`")),
    }
}

/// A server configured as a cache (64 MB, LRU eviction), and `extra`:
/// only the scenario's own trouble shows.
fn cache_server(dir: &Path, port: u16, extra: &[&str]) -> Result<Process, String> {
    let mut config = vec!["maxmemory 64mb", "maxmemory-policy allkeys-lru"];
    config.extend_from_slice(extra);
    start_server(dir, port, &config)
}

fn wait_clients(port: u16, n: i64) -> Result<(), String> {
    wait_until("the pool to connect", || {
        connection(port)
            .and_then(|mut c| run(&mut c, &["INFO", "clients"]))
            .is_ok_and(|v| {
                crate::redis::reply::text(&v).is_some_and(|t| {
                    t.lines()
                        .find_map(|l| l.strip_prefix("connected_clients:"))
                        .and_then(|x| x.trim().parse::<i64>().ok())
                        .is_some_and(|c| c > n)
                })
            })
    })
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) -> Result<(), String> {
    let end = Instant::now() + Duration::from_secs(30);
    while !done() {
        if Instant::now() > end {
            return Err(format!("timed out waiting for {what}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}
