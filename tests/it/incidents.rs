//! Each built-in runbook against its incident, reproduced for real; and a
//! healthy cache that must raise no alarm.

use std::time::Duration;

use crate::harness::*;

#[test]
fn healthy_cache_is_ok_and_exits_0() {
    let server = RedisServer::with(
        ServerOptions::default()
            .password("healthy-pass-1")
            .config("maxmemory 100mb")
            .config("maxmemory-policy allkeys-lru")
            .config("latency-monitor-threshold 100"),
    );
    let mut c = server.client();
    for i in 0..50 {
        let _: () = redis::cmd("SET")
            .arg(format!("user:{i}"))
            .arg("x")
            .query(&mut c)
            .unwrap();
    }
    for _ in 0..10 {
        for i in 0..50 {
            let _: Option<String> = redis::cmd("GET")
                .arg(format!("user:{i}"))
                .query(&mut c)
                .unwrap();
        }
    }
    drop(c);
    let run = diagnose(&server.url(), &[]);
    let report = run.json();
    assert_eq!(problems(&report), Vec::<String>::new(), "{report:#}");
    assert_eq!(report["status"], "ok");
    assert_eq!(report["score"], 100);
    assert_eq!(report["schema_version"], 2);
    assert_eq!(report["command"], "diagnose");
    assert_eq!(report["unavailable"], serde_json::json!([]));
    assert_eq!(report["checks"]["skipped"], 0, "{report:#}");
    assert_eq!(run.code(), 0, "{}", run.stderr());
}

#[test]
fn out_of_memory_with_noeviction_is_critical() {
    let server = oom_server(ServerOptions::default());
    let run = diagnose(&server.url(), &[]);
    let report = run.json();
    let f = expect_finding(&report, "oom-noeviction", "critical");
    assert_eq!(f["runbook"], "out-of-memory");
    assert_eq!(f["score"], 95);
    assert_eq!(f["node"], format!("127.0.0.1:{}", server.port));
    assert!(f["evidence"]["oom_errors"].as_i64().unwrap() >= 1, "{f:#}");
    assert_eq!(f["evidence"]["policy"], "noeviction");
    assert_eq!(
        f["fixes"][0]["commands"][0],
        "CONFIG SET maxmemory-policy allkeys-lru"
    );
    assert_eq!(f["fixes"][0]["safety"], "unsafe");
    assert_eq!(f["fixes"][2]["safety"], "destructive");
    assert_eq!(report["status"], "critical");
    assert_eq!(run.code(), 2);
}

#[test]
fn connections_near_maxclients_are_critical_then_warning() {
    let server = RedisServer::with(ServerOptions::default().config("maxclients 20"));
    // 17 held + cachectl's own = 18 of 20 = 90%.
    let held: Vec<_> = (0..17).map(|_| server.client()).collect();
    let run = diagnose(&server.url(), &[]);
    let report = run.json();
    let f = expect_finding(&report, "clients-critical", "critical");
    assert_eq!(f["evidence"]["connected"], 18);
    assert_eq!(f["evidence"]["maxclients"], 20);
    assert_eq!(f["fixes"][0]["commands"][0], "CONFIG SET maxclients 10000");
    assert_eq!(run.code(), 2);
    drop(held);
    std::thread::sleep(Duration::from_millis(100));
    // 15 held + cachectl = 16 of 20 = 80%: warning.
    let _held: Vec<_> = (0..15).map(|_| server.client()).collect();
    let report = diagnose(&server.url(), &[]).json();
    expect_finding(&report, "clients-warning", "warning");
    assert!(finding(&report, "clients-critical").is_none());
}

#[test]
fn maxclients_reached_is_told_apart_and_rejections_are_counted() {
    let server = RedisServer::with(ServerOptions::default().config("maxclients 5"));
    let held: Vec<_> = (0..5).map(|_| server.client()).collect();
    let run = diagnose(&server.url(), &[]);
    let report = run.json();
    expect_finding(&report, "maxclients-reached", "critical");
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        1,
        "{report:#}"
    );
    run.assert_within(5);
    assert_eq!(run.code(), 2);
    drop(held);
    std::thread::sleep(Duration::from_millis(100));
    let report = diagnose(&server.url(), &[]).json();
    let f = expect_finding(&report, "rejected-connections", "warning");
    assert!(f["evidence"]["rejected"].as_i64().unwrap() >= 1);
}

#[test]
fn keys_and_debug_sleep_in_the_slow_log_are_high_latency() {
    let server = RedisServer::with(ServerOptions::default().config("latency-monitor-threshold 50"));
    server.cmd(&["DEBUG", "POPULATE", "300000"]);
    server.cmd(&["CONFIG", "SET", "slowlog-log-slower-than", "5000"]);
    let _: redis::Value = redis::cmd("KEYS")
        .arg("*")
        .query(&mut server.client())
        .unwrap();
    // Half a second: the slowest entry whatever KEYS takes on a machine
    // loaded by the rest of the suite (it once took longer than 150 ms).
    server.cmd(&["DEBUG", "SLEEP", "0.5"]);
    let run = diagnose(&server.url(), &["--only", "high-latency"]);
    let report = run.json();
    let f = expect_finding(&report, "dangerous-commands", "warning");
    let offenders = f["evidence"]["offenders"].as_array().unwrap();
    assert!(
        offenders
            .iter()
            .any(|o| o.as_str().unwrap().starts_with("keys ")),
        "{f:#}"
    );
    // "debug 502ms from ...": at least the 500 ms slept (more on a busy machine).
    let debug_ms = offenders
        .iter()
        .filter_map(|o| {
            o.as_str()?
                .strip_prefix("debug ")?
                .split("ms")
                .next()?
                .parse::<i64>()
                .ok()
        })
        .max();
    assert!(debug_ms.is_some_and(|ms| ms >= 500), "{f:#}");
    // The evidence is kept: the fix reads the log, ready to paste for
    // this node; nothing resets it.
    assert_eq!(
        f["fixes"][0]["commands"][0],
        format!("redis-cli -h 127.0.0.1 -p {} SLOWLOG GET 20", server.port)
    );
    assert_eq!(f["fixes"][0]["kind"], "manual");
    let f = expect_finding(&report, "slow-operations", "warning");
    assert!(
        f["evidence"]["slowest_ms"].as_i64().unwrap() >= 500,
        "{f:#}"
    );
    assert_eq!(f["evidence"]["command"], "debug");
    let f = expect_finding(&report, "latency-events", "warning");
    assert!(f["evidence"]["max_ms"].as_i64().unwrap() >= 100, "{f:#}");
    // Warnings only; round trips measured on a machine loaded by the rest
    // of the suite may honestly add rtt-critical.
    let rtt_critical = finding(&report, "rtt-critical").is_some();
    assert_eq!(
        run.code(),
        if rtt_critical { 2 } else { 1 },
        "{:?}",
        problems(&report)
    );
}

fn lookups(server: &RedisServer, hits: usize, misses: usize) {
    let mut c = server.client();
    let _: () = redis::cmd("SET")
        .arg("present")
        .arg("1")
        .query(&mut c)
        .unwrap();
    let mut pipe = redis::pipe();
    for _ in 0..hits {
        pipe.cmd("GET").arg("present");
    }
    for i in 0..misses {
        pipe.cmd("GET").arg(format!("absent:{i}"));
    }
    let _: Vec<Option<String>> = pipe.query(&mut c).unwrap();
}

#[test]
fn ninety_five_percent_misses_is_a_critical_hit_rate() {
    let server = RedisServer::start();
    lookups(&server, 50, 950);
    let run = diagnose(&server.url(), &["--only", "low-hit-rate"]);
    let report = run.json();
    let f = expect_finding(&report, "hit-rate-critical", "critical");
    assert_eq!(f["evidence"]["percent"], 5.0);
    assert_eq!(f["evidence"]["misses"], 950);
    assert_eq!(run.code(), 2);
}

#[test]
fn sixty_percent_hits_is_a_warning_and_few_lookups_are_not_judged() {
    let server = RedisServer::start();
    lookups(&server, 60, 40);
    let run = diagnose(&server.url(), &["--only", "low-hit-rate"]);
    expect_finding(&run.json(), "hit-rate-warning", "warning");
    assert_eq!(run.code(), 1);
    let fresh = RedisServer::start();
    lookups(&fresh, 0, 20);
    let run = diagnose(&fresh.url(), &["--only", "low-hit-rate"]);
    assert_eq!(problems(&run.json()), Vec::<String>::new());
    assert_eq!(run.code(), 0);
}

#[test]
fn a_stream_of_evictions_is_eviction_pressure() {
    let server = evicting_server();
    let run = diagnose(&server.url(), &["--only", "eviction-pressure"]);
    let report = run.json();
    let f = expect_finding(&report, "evictions-high", "warning");
    let evicted = f["evidence"]["evicted"].as_i64().unwrap();
    assert!(evicted > 10_000, "{f:#}");
    // cachectl's own replies count against maxmemory, so evictions go on.
    let later: i64 = server.info_field("evicted_keys").parse().unwrap();
    assert!(
        evicted <= later && evicted > later - 1000,
        "{evicted} vs {later}"
    );
    assert_eq!(run.code(), 1);
}

// Fragmentation (seed 004) is judged on a recording of a real fragmented
// server (tests/facts/fragmentation.json; tests/it/recorded.rs): making
// one here took 800,000 keys in every run of every server of the matrix.

#[test]
fn a_failed_bgsave_with_save_points_refuses_writes() {
    let mut opts = ServerOptions::default().arg("--save 3600 1");
    if server_build().redis_compatible() >= (7, 0) {
        // From 7.0, CONFIG SET dir needs this; before, it is always allowed.
        opts = opts.config("enable-protected-configs yes");
    }
    let server = RedisServer::with(opts);
    let gone = server.dir.path().join("gone");
    std::fs::create_dir(&gone).unwrap();
    server.cmd(&["CONFIG", "SET", "dir", gone.to_str().unwrap()]);
    std::fs::remove_dir(&gone).unwrap();
    server.cmd(&["SET", "a", "1"]);
    server.cmd(&["BGSAVE"]);
    wait_until("the BGSAVE failing", || {
        server.info_field("rdb_bgsave_in_progress") == "0"
            && server.info_field("rdb_last_bgsave_status") == "err"
    });
    let write: redis::RedisResult<()> = redis::cmd("SET")
        .arg("b")
        .arg("2")
        .query(&mut server.client());
    assert!(write.unwrap_err().to_string().contains("MISCONF"));
    let run = diagnose(&server.url(), &["--only", "persistence"]);
    let report = run.json();
    let f = expect_finding(&report, "bgsave-failed-writes-refused", "critical");
    assert_eq!(
        f["fixes"][1]["commands"][0],
        "CONFIG SET stop-writes-on-bgsave-error no"
    );
    assert_eq!(run.code(), 2);
}

#[test]
fn replica_with_dead_primary_and_lagging_replica() {
    let primary = RedisServer::start();
    let replica = replica_of(&primary, ServerOptions::default());
    // A replica stopped for a while stops acknowledging: lag on the primary.
    replica.signal("STOP");
    std::thread::sleep(Duration::from_millis(3100));
    let run = diagnose(&primary.url(), &["--only", "replication"]);
    replica.signal("CONT");
    let report = run.json();
    let f = expect_finding(&report, "replica-lag", "warning");
    assert!(f["evidence"]["lag_s"].as_i64().unwrap() >= 2, "{f:#}");
    assert_eq!(run.code(), 1);

    let mut primary = primary;
    primary.kill();
    wait_until("the link going down", || {
        replica.info_field("master_link_status") == "down"
    });
    let run = diagnose(&replica.url(), &["--only", "replication"]);
    let report = run.json();
    let f = expect_finding(&report, "replica-link-down", "critical");
    assert_eq!(
        f["evidence"]["primary"],
        format!("127.0.0.1:{}", primary.port)
    );
    assert_eq!(run.code(), 2);
}

#[test]
fn cache_without_maxmemory_or_with_noeviction_is_misconfigured() {
    let server = RedisServer::start();
    let report = diagnose(&server.url(), &["--only", "configuration"]).json();
    let f = expect_finding(&report, "no-maxmemory", "warning");
    let suggested = f["fixes"][0]["commands"][0].as_str().unwrap();
    assert!(
        suggested.starts_with("CONFIG SET maxmemory "),
        "{suggested}"
    );
    let bytes: u64 = suggested.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(bytes > 0);
    expect_finding(&report, "latency-monitor-off", "info");

    server.cmd(&["CONFIG", "SET", "maxmemory", "100mb"]);
    server.cmd(&["CONFIG", "SET", "maxmemory-policy", "noeviction"]);
    let run = diagnose(&server.url(), &["--only", "configuration"]);
    let report = run.json();
    expect_finding(&report, "noeviction-policy", "warning");
    assert!(finding(&report, "no-maxmemory").is_none());
    assert_eq!(run.code(), 1);
}

#[test]
fn no_password_and_exposure_are_security_findings() {
    let server = RedisServer::start();
    let run = diagnose(&server.url(), &["--only", "security"]);
    let report = run.json();
    expect_finding(&report, "no-auth", "warning");
    assert!(finding(&report, "unprotected-exposure").is_none());
    assert_eq!(run.code(), 1);

    let exposed =
        RedisServer::with(ServerOptions::default().arg("--bind 0.0.0.0 --protected-mode no"));
    let run = diagnose(&exposed.url(), &["--only", "security"]);
    let report = run.json();
    let f = expect_finding(&report, "unprotected-exposure", "critical");
    assert_eq!(f["evidence"]["bind"], "0.0.0.0");
    assert_eq!(run.code(), 2);

    // With a password, an anonymous client is refused: no finding.
    let guarded = RedisServer::with(ServerOptions::default().password("sec-pass-77"));
    let run = diagnose(&guarded.url(), &["--only", "security"]);
    assert_eq!(problems(&run.json()), Vec::<String>::new());
    assert_eq!(run.code(), 0);
}

#[test]
fn acl_user_without_dangerous_commands_limits_visibility() {
    let server = RedisServer::with(ServerOptions::default().password("admin-pass-1"));
    server.cmd(&[
        "ACL",
        "SETUSER",
        "app",
        "on",
        ">app-pass-1",
        "~*",
        "+@all",
        "-@dangerous",
    ]);
    let url = format!("redis://app:app-pass-1@127.0.0.1:{}", server.port);
    let run = diagnose(&url, &[]);
    let report = run.json();
    let f = expect_finding(&report, "limited-visibility", "warning");
    assert_eq!(f["evidence"]["user"], "app");
    assert_eq!(
        f["fixes"][0]["commands"][0],
        "ACL SETUSER app +info +role +ping +config|get +client|list +slowlog|get +latency|latest"
    );
    let unavailable = report["unavailable"].as_array().unwrap();
    let info = unavailable
        .iter()
        .find(|u| u["fact"] == "info")
        .expect("info unavailable");
    assert_eq!(info["kind"], "noperm");
    assert_eq!(info["command"], "INFO all");
    let config = unavailable
        .iter()
        .find(|u| u["fact"] == "config")
        .expect("config unavailable");
    assert_eq!(config["kind"], "noperm");
    assert!(
        report["checks"]["skipped"].as_u64().unwrap() > 10,
        "{report:#}"
    );
    assert!(
        report["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("NOPERM")
            || report["skipped"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("noperm")
    );
    assert_eq!(report["status"], "warning");
    assert_eq!(run.code(), 1);
}

#[test]
fn renamed_config_command_is_recorded_as_disabled() {
    let server = RedisServer::with(
        ServerOptions::default()
            .password("ren-pass-1")
            .config("rename-command CONFIG \"\"")
            .config("maxmemory 100mb")
            .config("maxmemory-policy allkeys-lru"),
    );
    let run = diagnose(&server.url(), &[]);
    let report = run.json();
    let config = report["unavailable"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["fact"] == "config")
        .expect("config unavailable");
    assert_eq!(config["kind"], "disabled");
    let f = expect_finding(&report, "partial-visibility", "info");
    assert_eq!(f["evidence"]["missing"][0], "CONFIG GET (disabled)");
    // Checks that only need INFO still ran; none found a problem.
    assert_eq!(problems(&report), Vec::<String>::new());
    assert_eq!(run.code(), 0);
}

#[test]
fn a_server_kept_busy_has_high_round_trips() {
    let server = RedisServer::start();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Three clients taking turns keep the server asleep nearly all the time,
    // even when this machine is loaded and a client is slow to send again
    // (two were not always enough beside the fleet's forty servers).
    let busy: Vec<_> = (0..3)
        .map(|_| {
            let stop = stop.clone();
            let mut c = server.client();
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let _: redis::RedisResult<()> =
                        redis::cmd("DEBUG").arg("SLEEP").arg("0.05").query(&mut c);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let run = diagnose(&server.url(), &["--only", "high-latency"]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for b in busy {
        b.join().unwrap();
    }
    let report = run.json();
    let f = expect_finding(&report, "rtt-critical", "critical");
    assert!(f["evidence"]["p99_ms"].as_f64().unwrap() > 10.0, "{f:#}");
    assert_eq!(f["evidence"]["samples"], 20);
    assert_eq!(run.code(), 2);
}

#[test]
fn a_replica_in_its_initial_sync_is_said_as_such_not_as_a_link_down() {
    // A primary whose snapshot for the replica takes seconds to write (a
    // delay per key), so the replica is caught in its first full sync.
    let primary = RedisServer::with(
        ServerOptions::default()
            .config("repl-diskless-sync no")
            .config("rdb-key-save-delay 5000"),
    );
    primary.cmd(&["DEBUG", "POPULATE", "3000"]);
    let replica = RedisServer::with(
        ServerOptions::default().config(&format!("replicaof 127.0.0.1 {}", primary.port)),
    );
    wait_until("the replica is in its sync", || {
        replica.info_field("master_sync_in_progress") == "1"
    });
    let run = diagnose(&replica.url(), &["--only", "replication"]);
    let report = run.json();
    let f = expect_finding(&report, "replica-initial-sync", "warning");
    let since = f["evidence"]["since"].as_str().unwrap();
    assert!(since.starts_with("its first since it started "), "{f:#}");
    let transferred = f["evidence"]["transferred"].as_str().unwrap();
    assert!(transferred.contains("bytes transferred"), "{transferred}");
    assert_eq!(
        f["evidence"]["primary"],
        format!("127.0.0.1:{}", primary.port)
    );
    // Not a link down "for -1 s".
    assert!(
        finding(&report, "replica-link-down").is_none(),
        "{report:#}"
    );
    assert!(!run.stdout().contains("-1 s"), "{}", run.stdout());
    assert_eq!(run.code(), 1);
    // A replica whose primary never answered is a link down, said as
    // such, not "for -1 s".
    let orphan = RedisServer::with(
        ServerOptions::default().config(&format!("replicaof 127.0.0.1 {}", free_port())),
    );
    let report = diagnose(&orphan.url(), &["--only", "replication"]).json();
    let down = expect_finding(&report, "replica-link-down", "critical");
    let said = down["message"].as_str().unwrap();
    assert!(
        said.contains("not linked once since the replica started"),
        "{said}"
    );
    assert!(!said.contains("-1"), "{said}");
    assert!(finding(&report, "replica-initial-sync").is_none());
}
