//! Snapshot tests of the output contract: the table and the JSON report
//! (`schema_version` 2), built in-process from a fixed report and written
//! through the printer, as a run writes them. A change to either shows as a
//! snapshot diff to review (`INSTA_UPDATE=always cargo test` to accept).

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;

use super::view::{DoorView, Viewed};
use super::{json as render_json, table, Printer};
use crate::facts::Unavailable;
use crate::findings::evaluate::{CheckCounts, Evaluation, Skipped};
use crate::findings::{Action, After, Finding, FixView, Outcome, Remediation, Report};
use crate::model::{FixKind, Safety, Severity};
use crate::mutate::Mode;
use crate::runbook::command::Command;
use crate::target::NodeAddr;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the printer wrote to stdout, colour stripped as on a pipe.
fn printed(text: &str) -> String {
    let out = Captured::default();
    let printer = Printer::new(Box::new(out.clone()), Box::new(std::io::sink()));
    printer.out(text).unwrap();
    let bytes = out.0.lock().unwrap().clone();
    anstream::adapter::strip_str(&String::from_utf8(bytes).unwrap()).to_string()
}

fn node() -> NodeAddr {
    NodeAddr::tcp("10.0.0.5", 6379)
}

fn report() -> Report {
    let oom = Finding {
        id: "oom-noeviction".into(),
        runbook: "out-of-memory".into(),
        severity: Severity::Critical,
        score: 95,
        title: "Writes fail: out of memory under noeviction".into(),
        message: "Memory is at 100% of maxmemory (3mb) under noeviction: 1204 writes were refused with OOM.".into(),
        evidence: BTreeMap::from([
            ("policy".to_string(), json!("noeviction")),
            ("pct".to_string(), json!(100.0)),
            ("rejected".to_string(), json!(1204)),
        ]),
        node: node(),
        fixes: vec![
            FixView {
                id: "evict-lru".into(),
                title: "Let Redis evict least-recently-used keys".into(),
                kind: FixKind::Redis,
                safety: Safety::Unsafe,
                commands: vec!["CONFIG SET maxmemory-policy allkeys-lru".into()],
                argv: vec![Command::Redis(vec![
                    "CONFIG".into(),
                    "SET".into(),
                    "maxmemory-policy".into(),
                    "allkeys-lru".into(),
                ])],
                not_runnable: None,
                verify: Some("config['maxmemory-policy'] != 'noeviction'".into()),
            },
            FixView {
                id: "raise-maxmemory".into(),
                title: "Raise maxmemory".into(),
                kind: FixKind::Redis,
                safety: Safety::Unsafe,
                commands: vec!["CONFIG SET maxmemory {target}".into()],
                argv: vec![],
                not_runnable: Some("`{target}` has no value: the fact it comes from is missing".into()),
                verify: None,
            },
        ],
    };
    let advice = Finding {
        id: "latency-monitor-off".into(),
        runbook: "high-latency".into(),
        severity: Severity::Info,
        score: 5,
        title: "Latency monitor is off".into(),
        message: "latency-monitor-threshold is 0: spikes are not recorded.".into(),
        evidence: BTreeMap::new(),
        node: node(),
        fixes: vec![FixView {
            id: "check-logs".into(),
            title: "Read the server log".into(),
            kind: FixKind::Manual,
            safety: Safety::Safe,
            commands: vec!["tail -n 100 /var/log/redis/redis-server.log".into()],
            argv: vec![Command::Manual(
                "tail -n 100 /var/log/redis/redis-server.log".into(),
            )],
            not_runnable: None,
            verify: None,
        }],
    };
    let evaluation = Evaluation {
        verdicts: Vec::new(),
        findings: vec![oom, advice],
        skipped: vec![Skipped {
            check: "slow-commands".into(),
            runbook: "high-latency".into(),
            node: node(),
            reason: "needs slowlog: SLOWLOG GET failed (noperm: NOPERM no permissions)".into(),
            no_data: false,
        }],
        counts: CheckCounts {
            total: 71,
            passed: 68,
            fired: 2,
            skipped: 1,
            no_data: 0,
            not_applicable: 24,
            app: 0,
            app_judged: 0,
        },
        judged_beyond_gate: 1,
        asked_beyond_gate: 1,
    };
    let mut report = Report::new(
        "redis://:***@10.0.0.5:6379/0".into(),
        None,
        vec![crate::target::Node {
            addr: node(),
            role: crate::target::Role::Primary,
        }],
        evaluation,
        vec![Unavailable {
            fact: "slowlog".into(),
            command: "SLOWLOG GET".into(),
            kind: "noperm".into(),
            detail: "NOPERM no permissions".into(),
            node: Some(node()),
        }],
        12.5,
    );
    report.server = Some(crate::facts::server::ServerId {
        flavour: "redis",
        version: "7.0.15".into(),
    });
    report.command = "diagnose".into();
    report
}

fn remediated() -> Report {
    let mut r = report();
    let before = r.findings[0].evidence.clone();
    r.remediation = Some(Remediation {
        confirmed: None,
        mode: Mode::Yes,
        audit_log: Some("/var/lib/cachectl/audit.jsonl".into()),
        actions: vec![
            Action {
                finding: "oom-noeviction".into(),
                node: node(),
                fix: "evict-lru".into(),
                title: "Let Redis evict least-recently-used keys".into(),
                safety: Safety::Unsafe,
                commands: vec!["CONFIG SET maxmemory-policy allkeys-lru".into()],
                outcome: Outcome::Skipped,
                reason: "unsafe: --yes applies only safe fixes; run interactively to apply it"
                    .into(),
                results: vec![],
                before: before.clone(),
                after: None,
                resolved: None,
                verified: None,
            },
            Action {
                finding: "oom-noeviction".into(),
                node: node(),
                fix: "raise-maxmemory".into(),
                title: "Raise maxmemory".into(),
                safety: Safety::Unsafe,
                commands: vec!["CONFIG SET maxmemory {target}".into()],
                outcome: Outcome::Blocked,
                reason: "`{target}` has no value: the fact it comes from is missing".into(),
                results: vec![],
                before,
                after: None,
                resolved: None,
                verified: None,
            },
        ],
    });
    r.after = Some(After {
        status: crate::error::Status::Critical,
        score: 5,
        findings: vec!["oom-noeviction".into()],
    });
    r
}

#[test]
fn report_table() {
    insta::assert_snapshot!(printed(&table::report_at(&report(), 100)));
}

#[test]
fn report_json_contract() {
    let text = printed(&render_json::render(&report()).unwrap());
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schema_version"], 2);
    insta::assert_snapshot!(text.replace(env!("CARGO_PKG_VERSION"), "[version]"));
}

#[test]
fn remediation_table() {
    insta::assert_snapshot!(printed(&table::remediation_at(&remediated(), 100)));
}

#[test]
fn remediation_json_contract() {
    let text = printed(&render_json::render(&remediated()).unwrap());
    insta::assert_snapshot!(text.replace(env!("CARGO_PKG_VERSION"), "[version]"));
}

/// A door's diagnosis: the report and the door's view, as a table.
fn door_table((r, view): &(Report, DoorView)) -> String {
    printed(&table::diagnosis_at(r, Some(view), 100))
}

/// A door's diagnosis as its JSON document.
fn door_json((report, view): &(Report, DoorView)) -> String {
    let doc = Viewed {
        report,
        view: Some(view),
    };
    printed(&render_json::render(&doc).unwrap()).replace(env!("CARGO_PKG_VERSION"), "[version]")
}

fn with_memory() -> (Report, DoorView) {
    use crate::scan::tally::{BigKeys, KeyInfo, Tally};
    let r = report();
    let memory = Some(crate::facts::memory::MemoryView {
        used_bytes: 3_250_000,
        peak_bytes: 3_300_000,
        rss_bytes: 6_000_000,
        maxmemory_bytes: 3_145_728,
        used_ratio: 1.0331,
        policy: "noeviction".into(),
        fragmentation_ratio: 1.85,
        evicted_keys: 0,
        expired_keys: 12,
        stats: Some(json!({
            "dataset_bytes": 2_500_000, "dataset_percentage": 80.5, "keys_count": 2500,
            "bytes_per_key": 1000, "overhead_total": 750_000, "clients_normal": 20_000,
            "clients_replicas": 0, "replication_backlog": 0,
        })),
        doctor: Some("Sam, I detected a few issues in this Redis instance memory implants:\n\n * High allocator fragmentation".into()),
    });
    let big = BigKeys {
        string_bytes: 1 << 20,
        collection_members: 5000,
        list_elements: 10_000,
    };
    let mut t = Tally::new(2, 100, big);
    let key = |k: &[u8], kind: &str, bytes: u64, elements: u64, ttl: i64| KeyInfo {
        key: k.to_vec(),
        kind: kind.to_string().into(),
        encoding: if kind == "string" {
            "embstr".into()
        } else {
            "listpack".into()
        },
        bytes,
        elements,
        ttl,
        freq: None,
        idle: None,
    };
    for i in 0..3 {
        t.add(&key(
            format!("user:{i}:profile").as_bytes(),
            "string",
            100 + i,
            0,
            -1,
        ));
    }
    t.add(&key(
        b"session:6f1c1b2e-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
        "string",
        90,
        0,
        1800,
    ));
    t.add(&key(b"queue:jobs", "list", 90_000, 12_000, -1));
    t.add(&key(b"bin:\xff:x", "string", 60, 0, -1));
    let keyspace = Some(t.report(6, false));
    (r, DoorView::Memory { memory, keyspace })
}

#[test]
fn memory_table() {
    insta::assert_snapshot!(door_table(&with_memory()));
}

#[test]
fn memory_json_contract() {
    insta::assert_snapshot!(door_json(&with_memory()));
}

/// A report with the application: its dialect, per-cache hit rates, and
/// checks that went without data.
fn with_app() -> Report {
    let mut r = report();
    r.app = Some("http://***@app.internal:8000/".into());
    r.skipped.push(Skipped {
        check: "app-error-rate-critical".into(),
        runbook: "app-error-rate".into(),
        node: node(),
        reason: "/metrics: the micrometer dialect has no errors counter; map one with --app-metric errors=NAME".into(),
        no_data: true,
    });
    r.checks.skipped += 1;
    r.checks.no_data += 1;
    r.checks.app = 5;
    r.checks.app_judged = 4;
    let http = serde_json::json!({"metrics": {"interval_s": 3.0, "cache": {
        "dialect": "micrometer",
        "metrics": {"hits": "cache_gets_total{result=\"hit\"}", "misses": "cache_gets_total{result=\"miss\"}", "errors": "", "gets": "hits + misses"},
        "hits": {"window": 30.0, "present": true},
        "misses": {"window": 370.0, "present": true},
        "errors": {"window": 0.0, "present": false},
        "caches": [
            {"label": "cache", "name": "books", "hits": 0.0, "misses": 300.0, "errors": 0.0, "gets": 300.0, "lookups": 300.0, "hit_percent": 0.0},
            {"label": "cache", "name": "authors", "hits": 30.0, "misses": 70.0, "errors": 0.0, "gets": 100.0, "lookups": 100.0, "hit_percent": 30.0}
        ],
    }}});
    r.application = Some(crate::findings::report::AppSummary::of(
        Some(&http),
        &r.checks,
    ));
    r
}

#[test]
fn app_report_table() {
    insta::assert_snapshot!(printed(&table::report_at(&with_app(), 100)));
}

#[test]
fn app_report_json_contract() {
    let text = serde_json::to_string_pretty(&with_app()).unwrap();
    insta::assert_snapshot!(text.replace(env!("CARGO_PKG_VERSION"), "[version]"));
}

/// `cachectl clients`: a report with the client view of a CLIENT LIST.
fn with_clients() -> (Report, DoorView) {
    let line = |id: u32, addr: &str, name: &str, idle: u32, cmd: &str, user: &str| {
        format!(
            "id={id} addr={addr}:5{id:04} laddr=10.0.0.5:6379 fd=9 name={name} age=7200 idle={idle} flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd={cmd} user={user} redir=-1 resp=2 lib-name=redis-py lib-ver=5.0.1\n"
        )
    };
    let mut text = String::new();
    for i in 0..12 {
        text.push_str(&line(i, "10.1.0.4", "leaky-pool", 3000 + i, "get", "app"));
    }
    for i in 12..15 {
        text.push_str(&line(i, "10.1.0.9", "worker", 1, "blpop", "jobs"));
    }
    text.push_str(&line(15, "10.1.0.2", "", 0, "client|list", "default"));
    let list = crate::redis::client_list::parse(&text);
    let clients = crate::clients::ClientsView::of(list.iter(), 100);
    (report(), DoorView::Clients { clients })
}

#[test]
fn clients_table() {
    insta::assert_snapshot!(door_table(&with_clients()));
}

#[test]
fn clients_json_contract() {
    insta::assert_snapshot!(door_json(&with_clients()));
}

/// `cachectl slowlog`: the slow log grouped, commandstats and errorstats.
fn with_slowlog() -> (Report, DoorView) {
    use crate::redis::slowlog::SlowlogEntry;
    let entry = |id: i64, us: i64, command: &str, args: &[&str]| SlowlogEntry {
        id,
        timestamp: 1_700_000_000 + id,
        duration_us: us,
        command: command.into(),
        args: args.iter().map(std::string::ToString::to_string).collect(),
        client_addr: "10.1.0.4:51234".into(),
        client_name: "web".into(),
    };
    let entries = vec![
        entry(1, 250_000, "keys", &["session:*"]),
        entry(2, 180_000, "keys", &["user:*"]),
        entry(3, 40_000, "hgetall", &["user:1001:profile"]),
        entry(4, 35_000, "hgetall", &["user:1002:profile"]),
        entry(5, 900_000, "flushall", &[]),
    ];
    let stats = json!({
        "cmdstat_get": {"calls": 100000, "usec": 300000, "usec_per_call": 3.0},
        "cmdstat_keys": {"calls": 2, "usec": 430000, "usec_per_call": 215000.0},
        "cmdstat_hgetall": {"calls": 5000, "usec": 150000, "usec_per_call": 30.0},
    });
    let (by_time_per_call, by_total_time) = crate::slowlog::ranked(Some(&stats));
    let slowlog = crate::slowlog::SlowlogView {
        entries: entries.len() as u64,
        slower_than_us: 10_000,
        max_len: 128,
        groups: crate::slowlog::group(&entries),
        by_time_per_call,
        by_total_time,
        errors: BTreeMap::from([("OOM".to_string(), 1204), ("WRONGTYPE".to_string(), 3)]),
        latency: json!({"latest": [{"event": "command", "latest_ms": 900, "max_ms": 900}], "history": {}}),
        latency_doctor: None,
    };
    (report(), DoorView::Slowlog { slowlog })
}

#[test]
fn slowlog_table() {
    insta::assert_snapshot!(door_table(&with_slowlog()));
}

#[test]
fn slowlog_json_contract() {
    insta::assert_snapshot!(door_json(&with_slowlog()));
}

/// `cachectl latency --every`: figures overall and per window.
fn with_latency() -> (Report, DoorView) {
    use crate::latency::{Figures, LatencyView};
    let figures = |p99: u64| Figures {
        samples: 100,
        min_us: 90,
        avg_us: 140,
        p50_us: 120,
        p90_us: 210,
        p99_us: p99,
        max_us: p99 + 400,
    };
    let latency = LatencyView {
        overall: figures(12_500),
        errors: 1,
        windows: vec![figures(380), figures(12_500)],
        nodes: Vec::new(),
        stopped: None,
        histogram: crate::latency::histogram(
            &[90u64, 100, 110, 120, 130, 140, 150, 160, 210, 380, 12_900]
                .iter()
                .map(|us| std::time::Duration::from_micros(*us))
                .collect::<Vec<_>>(),
        ),
    };
    (report(), DoorView::Latency { latency })
}

#[test]
fn latency_table() {
    insta::assert_snapshot!(door_table(&with_latency()));
}

#[test]
fn latency_json_contract() {
    insta::assert_snapshot!(door_json(&with_latency()));
}

/// `cachectl hotkeys --sample 10s` on a Cluster: two nodes sampled with
/// MONITOR, one not measured, the hot slots by CPU time.
fn with_hotkeys() -> (Report, DoorView) {
    use crate::hotkeys::{HotKey, HotPattern, HotSlot, HotkeysView, Method, NodeHot};
    let node = |port: u16| format!("10.0.0.5:{port}");
    let key = |k: &str, port: u16, reads: u64, writes: u64, share: f64| HotKey {
        key: k.into(),
        node: node(port),
        reads: Some(reads),
        writes: Some(writes),
        per_s: Some((reads + writes) as f64 / 10.0),
        freq: None,
        cpu_us: None,
        net_bytes: None,
        share,
        pattern: crate::scan::pattern::show(&crate::scan::pattern::of(k.as_bytes())),
        method: Method::Monitor,
    };
    let sampled = |port: u16, reads: u64, writes: u64| {
        NodeHot {
        node: node(port),
        method: Some(Method::Monitor),
        reason: "a MONITOR sample of 10.0 s: every command the server ran, its keys counted as reads or writes by the server's command table".into(),
        seconds: Some(10.0),
        lines: Some(reads + writes + 12),
        bytes: Some((reads + writes) * 64),
        capped: None,
        reads: Some(reads),
        writes: Some(writes),
        keys_seen: None,
        approximate: false,
        slot_stats: Some("by CPU time".into()),
    }
    };
    let hotkeys = HotkeysView {
        keys: vec![
            key("product:8842:price", 7000, 41_200, 3, 0.62),
            key("session:6f1c1b2e-3c4d", 7001, 5_100, 4_900, 0.31),
            key("cart:9:items", 7000, 800, 800, 0.024),
        ],
        patterns: vec![HotPattern {
            pattern: "product:*:price".into(),
            node: node(7000),
            reads: 44_000,
            writes: 12,
            share: 0.66,
        }],
        slots: vec![HotSlot {
            node: node(7000),
            slot: 4213,
            key_count: 1800,
            cpu_usec: Some(1_250_000),
            network_bytes_in: Some(2_400_000),
            network_bytes_out: Some(9_100_000),
        }],
        nodes: vec![
            sampled(7000, 66_400, 120),
            sampled(7001, 16_300, 16_100),
            NodeHot {
                method: None,
                reason: "MONITOR could not run: MONITOR was refused: NOPERM this user has no permissions to run the 'monitor' command".into(),
                seconds: None,
                lines: None,
                bytes: None,
                reads: None,
                writes: None,
                slot_stats: Some("by CPU time".into()),
                ..sampled(7002, 0, 0)
            },
        ],
        measured: false,
    };
    (report(), DoorView::Hotkeys { hotkeys })
}

#[test]
fn hotkeys_table() {
    insta::assert_snapshot!(door_table(&with_hotkeys()));
}

#[test]
fn hotkeys_json_contract() {
    insta::assert_snapshot!(door_json(&with_hotkeys()));
}

/// A Cluster of three primaries: the same finding on two of them (fixes
/// that differ by node), and one node without findings.
fn cluster_report() -> Report {
    use crate::target::{Node, NodeAddr, Role};
    let mut r = report();
    let addr = |port: u16| NodeAddr::tcp("10.0.0.5", port);
    r.topology = Some(crate::target::topology::Kind::Cluster);
    r.nodes = [7000, 7001, 7002]
        .iter()
        .map(|p| Node {
            addr: addr(*p),
            role: Role::Primary,
        })
        .collect();
    let oom = r.findings[0].clone();
    let mut findings = Vec::new();
    for port in [7000, 7001] {
        let mut f = oom.clone();
        f.node = addr(port);
        f.fixes[1].commands = vec![format!("CONFIG SET maxmemory {}mb", port - 6990)];
        f.fixes[1].not_runnable = None;
        findings.push(f);
    }
    r.findings = findings;
    r
}

#[test]
fn narrow_report_table() {
    insta::assert_snapshot!(printed(&table::report_at(&report(), 80)));
}

#[test]
fn cluster_report_table_narrow() {
    insta::assert_snapshot!(printed(&table::report_at(&cluster_report(), 80)));
}

#[test]
fn cluster_report_table_wide() {
    insta::assert_snapshot!(printed(&table::report_at(&cluster_report(), 120)));
}

/// What the tables print sets colours and nothing else: every escape is
/// an SGR sequence (`ESC [ ... m`), whatever the layout.
#[test]
fn the_only_escapes_are_colours() {
    for width in [80, 120] {
        for page in [
            table::report_at(&report(), width),
            table::report_at(&cluster_report(), width),
        ] {
            assert!(page.contains('\u{1b}'), "no colour at all:\n{page}");
            for seq in page.split('\u{1b}').skip(1) {
                let body = seq.strip_prefix('[').expect("a CSI sequence");
                let end = body
                    .find(|c: char| !(c.is_ascii_digit() || c == ';'))
                    .unwrap();
                assert_eq!(&body[end..=end], "m", "escape ESC[{}", &body[..=end]);
            }
        }
    }
}

/// Every view, laid out 80 columns wide, has no line wider than 80.
#[test]
fn nothing_is_wider_than_an_80_column_terminal() {
    let mut pages = vec![
        ("report", printed(&table::report_at(&report(), 80))),
        ("cluster", printed(&table::report_at(&cluster_report(), 80))),
        ("app", printed(&table::report_at(&with_app(), 80))),
        (
            "remediation",
            printed(&table::remediation_at(&remediated(), 80)),
        ),
    ];
    for (name, (r, view)) in [
        ("memory", with_memory()),
        ("clients", with_clients()),
        ("slowlog", with_slowlog()),
        ("latency", with_latency()),
        ("hotkeys", with_hotkeys()),
    ] {
        pages.push((name, printed(&table::diagnosis_at(&r, Some(&view), 80))));
    }
    let mut wide = Vec::new();
    for (name, page) in &pages {
        for line in page.lines() {
            let w = textwrap::core::display_width(line);
            if w > 80 {
                wide.push(format!("{name} ({w}): {line}"));
            }
        }
    }
    assert!(wide.is_empty(), "lines wider than 80:\n{}", wide.join("\n"));
}

/// At 80 columns (no line wider), and at 50 where tables turn to blocks,
/// every address, key, pattern and id a wide page shows is still whole:
/// no table cell splits a word.
#[test]
fn tables_keep_every_address_and_key_whole_at_any_width() {
    let views = [
        ("memory", with_memory()),
        ("clients", with_clients()),
        ("slowlog", with_slowlog()),
        ("latency", with_latency()),
        ("hotkeys", with_hotkeys()),
    ];
    for (name, (r, view)) in &views {
        let wide = printed(&table::diagnosis_at(r, Some(view), 250));
        let tokens: Vec<&str> = wide
            .split_whitespace()
            .map(|t| t.trim_matches(|c: char| matches!(c, ',' | '(' | ')' | ';')))
            .filter(|t| t.chars().count() >= 7 && t.contains([':', '.', '-', '*', '_']))
            .filter(|t| !t.chars().all(|c| matches!(c, '─' | '═' | '.' | '-')))
            .collect();
        assert!(!tokens.is_empty(), "{name}");
        for width in [80, 50] {
            let page = printed(&table::diagnosis_at(r, Some(view), width));
            for t in &tokens {
                assert!(
                    page.contains(t),
                    "{name} at {width} columns splits {t:?}:\n{page}"
                );
            }
            for line in page.lines().filter(|_| width == 80) {
                assert!(
                    textwrap::core::display_width(line) <= usize::from(width),
                    "{name} at {width}: {line}"
                );
            }
        }
    }
}

/// Wrapping breaks at spaces only: an id with hyphens, an address or a
/// key stays whole, on a line of its own when it is longer than one.
#[test]
fn wrapping_never_splits_a_token() {
    let text = "checks app-cache-hit-rate-one-cache and 10.0.0.5:6379 session:6f1c1b2e-3c4d";
    let wrapped = table::wrap(text, 20, "  ", "  ");
    let tokens: Vec<&str> = wrapped.split_whitespace().collect();
    assert_eq!(
        tokens,
        text.split_whitespace().collect::<Vec<_>>(),
        "{wrapped}"
    );
    assert!(
        wrapped
            .lines()
            .any(|l| l.trim() == "app-cache-hit-rate-one-cache"),
        "{wrapped}"
    );
}

/// Bars to an eighth of a cell in Unicode, to a cell in ASCII; nothing
/// for none, the full width for all.
#[test]
fn bars_degrade_to_ascii() {
    assert_eq!(table::bar(0.5, 10, false), "#####");
    assert_eq!(table::bar(0.5, 10, true), "█████");
    assert_eq!(table::bar(0.0625, 2, true), "▏");
    assert_eq!(table::bar(0.0, 10, true), "");
    assert_eq!(table::bar(1.5, 4, false), "####");
    assert_eq!(table::bar(f64::NAN, 4, true), "");
    let samples: Vec<std::time::Duration> = [40u64, 60, 60, 2_000_000]
        .iter()
        .map(|us| std::time::Duration::from_micros(*us))
        .collect();
    let h = crate::latency::histogram(&samples);
    assert_eq!(h.first().map(|b| (b.le_us, b.count)), Some((Some(50), 1)));
    assert_eq!(h.last().map(|b| (b.le_us, b.count)), Some((None, 1)));
    assert_eq!(h.iter().map(|b| b.count).sum::<u64>(), 4);
}

/// The page of a report: markup in a server's text is shown, not obeyed;
/// the same check on several nodes is one article; fixes are under it.
#[test]
fn the_html_page_escapes_and_groups() {
    let mut r = cluster_report();
    r.findings[0].message = "<script>alert(1)</script> & \"quoted\"".into();
    r.findings[1].message = r.findings[0].message.clone();
    let out = Captured::default();
    let printer = Printer::new(Box::new(out.clone()), Box::new(std::io::sink()));
    let doc = super::document::Document::Report {
        report: &r,
        view: None,
        part: super::document::Part::Diagnosis,
    };
    super::Format::Html
        .renderer()
        .render(&doc, &printer)
        .unwrap();
    let page = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    assert!(page.starts_with("<!doctype html>"));
    assert!(!page.contains("<script"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;"));
    assert_eq!(
        page.matches("<article class=\"finding").count(),
        1,
        "{page}"
    );
    assert!(
        page.contains("on 2 nodes: 10.0.0.5:7000, 10.0.0.5:7001"),
        "{page}"
    );
    assert!(page.contains("CONFIG SET maxmemory 10mb"), "{page}");
    assert!(page.contains("default-src 'none'"), "{page}");
}
