//! Human output: a status line, a table of findings, their fixes, and what
//! could not be checked.

use std::fmt::Write;

use comfy_table::{presets, Cell, ColumnConstraint, ContentArrangement, Table, Width};
use owo_colors::OwoColorize;

use crate::clients::ClientsView;
use crate::error::Status;
use crate::facts::memory::MemoryView;
use crate::findings::evaluate::NOTHING_EVALUATED;
use crate::findings::{Finding, Report, Severity};
use crate::latency::LatencyView;
use crate::mutate::Mode;
use crate::scan::tally::KeyspaceReport;
use crate::slowlog::SlowlogView;

use super::clean;
use super::view::DoorView;

fn status_label(status: Status) -> String {
    let label = status.label();
    match status {
        Status::Ok => label.green().bold().to_string(),
        Status::Warning => label.yellow().bold().to_string(),
        Status::Critical => label.red().bold().to_string(),
        Status::Unknown => label.magenta().bold().to_string(),
    }
}

fn severity_label(s: Severity) -> String {
    let label = s.label();
    match s {
        Severity::Critical => label.red().bold().to_string(),
        Severity::Warning => label.yellow().to_string(),
        Severity::Unknown => label.magenta().to_string(),
        Severity::Info => label.cyan().to_string(),
        Severity::Ok => label.green().to_string(),
    }
}

/// A new table in the house style, `width` columns wide.
pub fn new_table(header: &[&str], width: u16) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_HORIZONTAL_ONLY);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_width(width);
    table.set_header(header.iter().map(Cell::new));
    table
}

/// Renders a diagnosis for people, as wide as the terminal: the report,
/// then the door's view.
pub fn diagnosis(r: &Report, view: Option<&DoorView>) -> String {
    diagnosis_at(r, view, super::table_width())
}

/// A diagnosis `width` columns wide.
pub fn diagnosis_at(r: &Report, view: Option<&DoorView>, width: u16) -> String {
    let mut out = report_at(r, width);
    if let Some(v) = view {
        v.table(&mut out, width);
    }
    out
}

fn findings_table(findings: &[&Finding], width: u16) -> Table {
    let mut table = new_table(&["SEVERITY", "SCORE", "FINDING", "WHAT IS WRONG"], width);
    if let Some(col) = table.column_mut(2) {
        col.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(34)));
    }
    for f in findings {
        table.add_row(vec![
            Cell::new(f.severity.label().to_uppercase()),
            Cell::new(f.score),
            Cell::new(format!("{}\n{}", f.id, f.title)),
            Cell::new(clean(&f.message)),
        ]);
    }
    table
}

/// A report of several nodes: the topology's own findings first, then a
/// table per node with findings, in the report's node order; the nodes
/// without findings on one line.
fn by_node(out: &mut String, r: &Report, width: u16) {
    let on = |addr: &crate::target::NodeAddr| -> Vec<&Finding> {
        r.findings.iter().filter(|f| &f.node == addr).collect()
    };
    let known = |addr: &crate::target::NodeAddr| r.nodes.iter().any(|n| &n.addr == addr);
    let mut topology: Vec<&Finding> = r.findings.iter().filter(|f| !known(&f.node)).collect();
    topology.sort_by_key(|f| std::cmp::Reverse((f.severity, f.score)));
    if let Some(first) = topology.first() {
        let _ = writeln!(
            out,
            "\n{} (as {} sees it)\n{}",
            r.topology.map_or("topology", |k| k.as_str()).bold(),
            first.node,
            findings_table(&topology, width)
        );
    }
    let mut quiet = Vec::new();
    for n in &r.nodes {
        let found = on(&n.addr);
        let role = serde_json::to_value(n.role)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if found.is_empty() {
            quiet.push(format!("{} ({role})", n.addr));
            continue;
        }
        let _ = writeln!(
            out,
            "\n{} {role}\n{}",
            n.addr.to_string().bold(),
            findings_table(&found, width)
        );
    }
    if !quiet.is_empty() {
        let _ = writeln!(out, "\nNo findings on {}.", quiet.join(", "));
    }
}

/// Renders a diagnose report `width` columns wide.
pub fn report_at(r: &Report, width: u16) -> String {
    let mut out = String::new();
    let server = r
        .server
        .as_ref()
        .map(|s| format!("{s}  "))
        .unwrap_or_default();
    let nodes = match r.topology {
        Some(kind) => format!(" ({kind}: {} nodes)", r.nodes.len()),
        None => String::new(),
    };
    let blind = r.application.as_ref().is_some_and(|a| !a.assessed);
    let target = match &r.app {
        Some(app) if blind => format!(
            "{server}{}{nodes}  app {app} (NOT ASSESSED: no check about it had data)",
            r.target
        ),
        Some(app) => format!("{server}{}{nodes}  app {app}", r.target),
        None => format!("{server}{}{nodes}", r.target),
    };
    // Checks that passed only by finding the server reachable say nothing
    // of its health: the summary says so, not just the findings.
    let nothing = if r.findings.iter().any(|f| f.id == NOTHING_EVALUATED) {
        ": nothing judged beyond reaching it"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{}  health {}/100  {}  ({} checks: {} fired, {} passed, {} not run{nothing}; {:.1} ms)",
        status_label(r.status),
        r.score,
        target,
        r.checks.total,
        r.checks.fired,
        r.checks.passed,
        r.checks.skipped,
        r.duration_ms
    );
    for replaced in &r.replaced_runbooks {
        let _ = writeln!(
            out,
            "note: user runbook {replaced} replaces the built-in one"
        );
    }
    if r.findings.is_empty() {
        let _ = writeln!(out, "\nNo findings: every check that could run passed.");
    } else {
        if r.nodes.len() > 1 || r.topology.is_some() {
            by_node(&mut out, r, width);
        } else {
            let all: Vec<&Finding> = r.findings.iter().collect();
            let _ = writeln!(out, "\n{}", findings_table(&all, width));
        }
        let with_fixes: Vec<_> = r.findings.iter().filter(|f| !f.fixes.is_empty()).collect();
        if !with_fixes.is_empty() {
            let _ = writeln!(out, "\n{}", "Fixes".bold());
            for f in with_fixes {
                let _ = writeln!(
                    out,
                    "  {} {} on {}",
                    severity_label(f.severity),
                    f.id.bold(),
                    f.node
                );
                for fix in &f.fixes {
                    let who = fix.kind.label();
                    let _ = writeln!(out, "    - {} [{}, {}]", fix.title, fix.safety.label(), who);
                    for c in &fix.commands {
                        let _ = writeln!(out, "        {}", clean(c).dimmed());
                    }
                    if let Some(why) = &fix.not_runnable {
                        let _ = writeln!(out, "        not runnable: {}", clean(why));
                    }
                }
            }
        }
    }
    if let Some(a) = &r.application {
        application(&mut out, a);
    }
    no_data(&mut out, r);
    if !r.unavailable.is_empty() {
        let _ = writeln!(out, "\n{}", "Not checked".bold());
        let not_connected = r.unavailable.iter().all(|u| u.kind == "not_connected");
        if not_connected {
            let _ = writeln!(
                out,
                "  {} checks need a connection to the node and were not run.",
                r.checks.skipped - r.checks.no_data
            );
        } else {
            for u in &r.unavailable {
                let _ = writeln!(
                    out,
                    "  {:<13} {} failed ({}): {}",
                    u.fact,
                    u.command,
                    u.kind,
                    clean(&u.detail)
                );
            }
            if r.checks.skipped > r.checks.no_data {
                let _ = writeln!(
                    out,
                    "  {} checks were not run for want of these facts.",
                    r.checks.skipped - r.checks.no_data
                );
            }
        }
    }
    out
}

/// What the application's metrics said: dialect, hit rate, per cache.
fn application(out: &mut String, a: &crate::findings::report::AppSummary) {
    let _ = writeln!(out, "\n{}", "Application".bold());
    match a.dialect.as_deref() {
        None => {}
        Some("") => {
            let _ = writeln!(
                out,
                "  no cache counters recognised on its metrics endpoint (see --app-metric)"
            );
        }
        Some(dialect) => {
            let names: Vec<String> = ["hits", "misses", "errors", "gets"]
                .iter()
                .filter_map(|role| {
                    a.metrics[*role]
                        .as_str()
                        .filter(|m| !m.is_empty())
                        .map(|m| format!("{role}={}", clean(m)))
                })
                .collect();
            let _ = writeln!(out, "  {} metrics: {}", clean(dialect), names.join(", "));
            let over = if a.measured_over_s > 0.0 {
                format!("over {} s", a.measured_over_s)
            } else {
                "since the application started".to_string()
            };
            match a.hit_percent {
                Some(p) => {
                    let _ = writeln!(
                        out,
                        "  hit rate {p}% {over} ({} hits, {} misses; {})",
                        count(a.hits),
                        count(a.misses),
                        errors(a.errors)
                    );
                }
                None => {
                    let _ = writeln!(out, "  no lookups {over} ({})", errors(a.errors));
                }
            }
            let caches = a.caches.as_array().map(Vec::as_slice).unwrap_or_default();
            if caches.len() > 1 || caches.iter().any(|c| c["name"] != "") {
                for c in caches {
                    let _ = writeln!(
                        out,
                        "    {}={}: {}% of {} lookups ({})",
                        clean(c["label"].as_str().unwrap_or_default()),
                        clean(c["name"].as_str().unwrap_or_default()),
                        c["hit_percent"],
                        count(c["lookups"].as_f64().unwrap_or(0.0)),
                        errors(a.errors.and(c["errors"].as_f64()))
                    );
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "  {} checks about the application: {} had data, {} did not",
        a.checks, a.judged, a.no_data
    );
}

/// A counter's value as a count: whole numbers without a fraction.
fn count(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.1}")
    }
}

fn errors(n: Option<f64>) -> String {
    match n {
        Some(n) => format!("{} errors", count(n)),
        None => "errors not counted".into(),
    }
}

/// Checks that did not fire but had no data to judge by, by reason.
fn no_data(out: &mut String, r: &Report) {
    let mut by_reason: Vec<(&str, Vec<String>)> = Vec::new();
    for s in r.skipped.iter().filter(|s| s.no_data) {
        let check = if r.nodes.len() > 1 {
            format!("{} on {}", s.check, s.node)
        } else {
            s.check.clone()
        };
        match by_reason.iter_mut().find(|(why, _)| *why == s.reason) {
            Some((_, checks)) => checks.push(check),
            None => by_reason.push((&s.reason, vec![check])),
        }
    }
    if by_reason.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", "Not run: no data".bold());
    for (why, checks) in by_reason {
        let _ = writeln!(out, "  {}: {}", checks.join(", "), clean(why));
    }
}

/// Renders what --fix did: one row per fix, then the state after.
pub fn remediation(r: &Report) -> String {
    remediation_at(r, super::table_width())
}

/// What --fix did, `width` columns wide.
pub fn remediation_at(r: &Report, width: u16) -> String {
    let mut out = String::new();
    let Some(rem) = &r.remediation else {
        return out;
    };
    if rem.actions.is_empty() {
        let _ = writeln!(out, "\nNothing to fix: no finding has a fix.");
        return out;
    }
    let mut table = new_table(&["FINDING", "FIX", "SAFETY", "OUTCOME", "DETAIL"], width);
    for a in &rem.actions {
        let detail = match (a.resolved, a.verified) {
            (Some(true), _) => "check passes now".to_string(),
            (Some(false), Some(true)) => "verified; the check still fires".to_string(),
            (Some(false), _) => "the check still fires".to_string(),
            (None, _) => clean(&a.reason).into_owned(),
        };
        table.add_row(vec![
            Cell::new(&a.finding),
            Cell::new(&a.fix),
            Cell::new(a.safety.label()),
            Cell::new(a.outcome.label()),
            Cell::new(detail),
        ]);
    }
    let mode = match rem.mode {
        Mode::DryRun => "plan (--dry-run: nothing was changed)",
        Mode::Yes => "remediation (--yes: safe fixes only)",
        Mode::Interactive => "remediation",
    };
    let _ = writeln!(out, "\n{}\n{table}", mode.bold());
    if let Some(path) = &rem.audit_log {
        let _ = writeln!(out, "audit log: {path}");
    }
    if let Some(after) = &r.after {
        let _ = writeln!(
            out,
            "after: {}  health {}/100{}",
            status_label(after.status),
            after.score,
            if after.findings.is_empty() {
                String::new()
            } else {
                format!("  findings now: {}", after.findings.join(", "))
            }
        );
    }
    out
}

/// Bytes for people: `512 B`, `1.5 KiB`, `3.2 GiB`.
pub fn human_bytes(n: i64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v.abs() >= 1024.0 && u < units.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// `cachectl memory`'s sections: where the memory is, then the keyspace by
/// pattern when it was scanned.
pub(super) fn memory(
    out: &mut String,
    memory: Option<&MemoryView>,
    keyspace: Option<&KeyspaceReport>,
    width: u16,
) {
    if let Some(m) = memory {
        let _ = writeln!(out, "\n{}", "Memory".bold());
        let limit = if m.maxmemory_bytes > 0 {
            format!(
                " of {} ({:.1}%)",
                human_bytes(m.maxmemory_bytes),
                m.used_ratio * 100.0
            )
        } else {
            " (no maxmemory)".to_string()
        };
        let _ = writeln!(
            out,
            "  used {}{limit}  peak {}  RSS {}  fragmentation {:.2}",
            human_bytes(m.used_bytes),
            human_bytes(m.peak_bytes),
            human_bytes(m.rss_bytes),
            m.fragmentation_ratio
        );
        let _ = writeln!(
            out,
            "  policy {}  evicted {} keys  expired {} keys since start",
            clean(&m.policy),
            m.evicted_keys,
            m.expired_keys
        );
        if let Some(s) = &m.stats {
            let n = |f: &str| s[f].as_i64().unwrap_or(0);
            let _ = writeln!(
                out,
                "  dataset {} ({:.1}% of net memory), {} keys at {} each; overhead {} (clients {}, replication backlog {})",
                human_bytes(n("dataset_bytes")),
                s["dataset_percentage"].as_f64().unwrap_or(0.0),
                n("keys_count"),
                human_bytes(n("bytes_per_key")),
                human_bytes(n("overhead_total")),
                human_bytes(n("clients_normal") + n("clients_replicas")),
                human_bytes(n("replication_backlog")),
            );
        }
        if let Some(d) = &m.doctor {
            // Its own lines, each escaped: the text is the server's.
            let _ = writeln!(out, "  MEMORY DOCTOR:");
            for line in d
                .trim()
                .lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
            {
                let _ = writeln!(out, "    {}", clean(line));
            }
        }
    }
    if let Some(k) = keyspace {
        let _ = writeln!(
            out,
            "\n{}  {} keys scanned of {}, {}{}{}",
            "Keyspace".bold(),
            k.scanned_keys,
            k.total_keys,
            human_bytes(k.total_bytes as i64),
            match &k.estimated_total_bytes {
                Some(e) => format!(
                    " (sample: about {} in all, ±{})",
                    human_bytes(e.value as i64),
                    human_bytes(e.margin as i64)
                ),
                None => String::new(),
            },
            match &k.stopped_because {
                Some(why) => format!("  PARTIAL: {why}"),
                None => String::new(),
            }
        );
        let mut table = new_table(
            &[
                "PATTERN", "KEYS", "BYTES", "SHARE", "NO TTL", "TYPES", "TTL",
            ],
            width,
        );
        for p in k.patterns.iter().take(20) {
            let types: Vec<String> = p.types.iter().map(|(t, n)| format!("{t} {n}")).collect();
            let ttl: Vec<String> = p.ttl.iter().map(|(b, n)| format!("{b} {n}")).collect();
            table.add_row(vec![
                Cell::new(clean(&p.pattern)),
                Cell::new(p.keys),
                Cell::new(human_bytes(p.bytes as i64)),
                Cell::new(format!("{:.1}%", p.share * 100.0)),
                Cell::new(p.no_ttl_keys),
                Cell::new(types.join(", ")),
                Cell::new(ttl.join(", ")),
            ]);
        }
        let _ = writeln!(out, "{table}");
        if k.patterns.len() > 20 {
            let _ = writeln!(
                out,
                "  ... {} more patterns (-o json lists them all)",
                k.patterns.len() - 20
            );
        }
        if k.patterns_capped {
            let _ = writeln!(
                out,
                "  more patterns than --max-patterns: the rest are summed as <other patterns>"
            );
        }
        if !k.largest.is_empty() {
            let mut table = new_table(&["LARGEST KEYS", "TYPE", "BYTES", "ELEMENTS", "TTL"], width);
            for key in &k.largest {
                table.add_row(vec![
                    Cell::new(clean(&key.key)),
                    Cell::new(&key.kind),
                    Cell::new(human_bytes(key.bytes as i64)),
                    Cell::new(key.elements),
                    Cell::new(if key.ttl < 0 {
                        "none".to_string()
                    } else {
                        format!("{} s", key.ttl)
                    }),
                ]);
            }
            let _ = writeln!(out, "{table}");
        }
        if k.vanished_keys > 0 {
            let _ = writeln!(
                out,
                "  {} keys were deleted or expired during the scan (skipped)",
                k.vanished_keys
            );
        }
    }
}

/// `cachectl clients`'s section: who is connected.
pub(super) fn clients(out: &mut String, c: &ClientsView, width: u16) {
    let of_max = if c.maxclients > 0 {
        format!(
            " of maxclients {} ({:.1}%)",
            c.maxclients,
            c.used_ratio * 100.0
        )
    } else {
        String::new()
    };
    let _ = writeln!(out, "\n{}  {} connected{of_max}", "Clients".bold(), c.count);
    let f = &c.flags;
    let _ = writeln!(
        out,
        "  normal {}  blocked {}  pubsub {}  replicas {}  primary link {}  monitors {}  in MULTI {}",
        f.normal, f.blocked, f.pubsub, f.replica, f.master, f.monitor, f.in_multi
    );
    let hist = |h: &std::collections::BTreeMap<String, u64>| {
        ["<1s", "<1m", "<5m", "<1h", ">=1h"]
            .iter()
            .map(|b| format!("{b} {}", h.get(*b).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let _ = writeln!(out, "  idle: {}", hist(&c.idle));
    let _ = writeln!(out, "  age:  {}", hist(&c.age));
    for (title, groups) in [
        ("NODE", &c.by_node),
        ("HOST", &c.by_host),
        ("NAME", &c.by_name),
        ("LIBRARY", &c.by_lib),
        ("USER", &c.by_user),
        ("DB", &c.by_db),
        ("LAST COMMAND", &c.by_cmd),
    ] {
        if groups.is_empty() && title == "NODE" {
            continue; // one node: no node column
        }
        let mut table = new_table(&[title, "CLIENTS", "IDLE > 5M", "MAX IDLE"], width);
        for g in groups.iter().take(10) {
            let key = if g.key.is_empty() {
                "(none)".to_string()
            } else {
                clean(&g.key).into_owned()
            };
            table.add_row(vec![
                Cell::new(key),
                Cell::new(g.count),
                Cell::new(g.idle_over_300s),
                Cell::new(format!("{} s", g.max_idle)),
            ]);
        }
        let _ = writeln!(out, "{table}");
    }
    for (title, list) in [
        ("LARGEST QUERY BUFFERS", &c.largest_query_buffers),
        ("LARGEST OUTPUT BUFFERS", &c.largest_output_buffers),
    ] {
        if list.is_empty() {
            continue;
        }
        let mut table = new_table(&[title, "NAME", "QBUF", "OMEM", "CMD"], width);
        for x in list {
            table.add_row(vec![
                Cell::new(if x.node.is_empty() {
                    format!("{} {}", x.id, clean(&x.addr))
                } else {
                    format!("{} {} on {}", x.id, clean(&x.addr), x.node)
                }),
                Cell::new(clean(&x.name)),
                Cell::new(human_bytes(x.qbuf)),
                Cell::new(human_bytes(x.omem)),
                Cell::new(clean(&x.cmd)),
            ]);
        }
        let _ = writeln!(out, "{table}");
    }
}

/// What `clients kill` is about to do, for the transcript (stderr).
pub fn kill_plan(
    node: &crate::target::NodeAddr,
    matched: &[crate::clients::Client],
    groups: &crate::clients::ClientsView,
    spared: &[crate::clients::Spared],
) -> String {
    let mut out = format!("{} clients matched on {node}", matched.len());
    let by = |g: &[crate::clients::Group]| {
        g.iter()
            .take(5)
            .map(|g| {
                format!(
                    "{} {}",
                    if g.key.is_empty() {
                        "(none)".into()
                    } else {
                        clean(&g.key).into_owned()
                    },
                    g.count
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !matched.is_empty() {
        out.push_str(&format!(
            "\n  by host: {}\n  by name: {}",
            by(&groups.by_host),
            by(&groups.by_name)
        ));
        for c in matched.iter().take(10) {
            out.push_str(&format!(
                "\n    id {} {} name {} idle {} s cmd {}",
                c.id,
                clean(&c.addr),
                clean(&c.name),
                c.idle,
                clean(&c.cmd)
            ));
        }
        if matched.len() > 10 {
            out.push_str(&format!("\n    ... and {} more", matched.len() - 10));
        }
    }
    for s in spared {
        out.push_str(&format!(
            "\n  spared: id {} {} ({})",
            s.client.id,
            clean(&s.client.addr),
            s.reason
        ));
    }
    out
}

/// One line of latency figures (a window, or the whole run).
pub fn latency_line(f: &crate::latency::Figures) -> String {
    let ms = |us: u64| us as f64 / 1000.0;
    format!(
        "min {:.3} ms  avg {:.3} ms  p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms  ({} samples)\n",
        ms(f.min_us),
        ms(f.avg_us),
        ms(f.p50_us),
        ms(f.p99_us),
        ms(f.max_us),
        f.samples
    )
}

/// `cachectl latency`'s section: the sampled round trips.
pub(super) fn latency(out: &mut String, l: &LatencyView) {
    {
        let _ = write!(
            out,
            "\n{}  {}",
            "Round trips".bold(),
            latency_line(&l.overall)
        );
        if l.errors > 0 {
            let _ = writeln!(out, "  {} PINGs failed or timed out", l.errors);
        }
        if let Some(why) = &l.stopped {
            let _ = writeln!(out, "  sampling ended early: {why}");
        }
        for n in &l.nodes {
            let _ = write!(out, "  {}  {}", n.node, latency_line(&n.figures));
        }
    }
}

/// `cachectl slowlog`'s section: what is slow.
pub(super) fn slowlog(out: &mut String, s: &SlowlogView, width: u16) {
    let _ = writeln!(
        out,
        "\n{}  {} entries (slowlog-log-slower-than {} µs, slowlog-max-len {})",
        "Slow log".bold(),
        s.entries,
        s.slower_than_us,
        s.max_len
    );
    if !s.groups.is_empty() {
        let mut table = new_table(
            &[
                "COMMAND",
                "KEY PATTERN",
                "COUNT",
                "TOTAL",
                "MAX",
                "CLIENTS",
                "ADVICE",
            ],
            width,
        );
        for g in s.groups.iter().take(20) {
            let command = if g.nodes.is_empty() {
                clean(&g.command).into_owned()
            } else {
                format!("{}\non {}", clean(&g.command), g.nodes.join(", "))
            };
            table.add_row(vec![
                Cell::new(command),
                Cell::new(clean(&g.pattern)),
                Cell::new(g.count),
                Cell::new(format!("{:.1} ms", g.total_us as f64 / 1000.0)),
                Cell::new(format!("{:.1} ms", g.max_us as f64 / 1000.0)),
                Cell::new(clean(&g.clients.join(", "))),
                Cell::new(g.advice.clone().unwrap_or_default()),
            ]);
        }
        let _ = writeln!(out, "{table}");
    }
    for (title, list) in [
        ("SLOWEST PER CALL", &s.by_time_per_call),
        ("MOST TIME IN ALL", &s.by_total_time),
    ] {
        if list.is_empty() {
            continue;
        }
        let mut table = new_table(&[title, "CALLS", "µs PER CALL", "TOTAL"], width);
        for c in list {
            table.add_row(vec![
                Cell::new(&c.command),
                Cell::new(c.calls),
                Cell::new(format!("{:.1}", c.usec_per_call)),
                Cell::new(format!("{:.1} ms", c.usec as f64 / 1000.0)),
            ]);
        }
        let _ = writeln!(out, "{table}");
    }
    if !s.errors.is_empty() {
        let errors: Vec<String> = s
            .errors
            .iter()
            .map(|(k, v)| format!("{} {v}", clean(k)))
            .collect();
        let _ = writeln!(out, "  error replies since start: {}", errors.join(", "));
    }
    if let Some(d) = &s.latency_doctor {
        let _ = writeln!(out, "  LATENCY DOCTOR:");
        for line in d
            .trim()
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
        {
            let _ = writeln!(out, "    {}", clean(line));
        }
    }
}
