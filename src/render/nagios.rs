//! `-o nagios`: a plugin's output for Nagios, Icinga and their kin, after
//! the Monitoring Plugins development guidelines: one status line
//! (`CACHECTL STATUS - text | perfdata`) whose status is the exit code's,
//! each finding on a line of long text beneath, and the nodes' figures as
//! perfdata (`'label'=value[UOM];warn;crit;min;max`) after the last.

use std::fmt::Write;

use super::document::{Document, Renderer};
use super::table::grouped;
use super::Printer;
use crate::error::CliError;
use crate::findings::fleet::Entry;
use crate::findings::{Finding, Report};

pub struct NagiosRenderer;

impl Renderer for NagiosRenderer {
    fn render(&self, doc: &Document<'_>, printer: &Printer) -> Result<(), CliError> {
        let text = match doc {
            Document::Report { report, .. } => report_text(report),
            Document::Fleet { entries, .. } => fleet_text(entries),
            Document::Written {
                subject,
                status,
                view,
            } => {
                let table = super::plain(&view.table(200));
                let mut lines = table.lines().map(text);
                let first = lines.next().unwrap_or_default();
                let mut out = format!(
                    "CACHECTL {} {} - {first}\n",
                    subject.command.to_uppercase().replace(' ', "_"),
                    status.label()
                );
                for l in lines.filter(|l| !l.trim().is_empty()) {
                    let _ = writeln!(out, "{l}");
                }
                out
            }
        };
        printer.out(&text)
    }
}

/// Plugin text: one line, and no `|` (which starts the perfdata).
fn text(t: &str) -> String {
    t.replace('|', "/").replace(['\n', '\r'], " ")
}

/// A perfdata label: quoted (its own quotes doubled) unless plain.
fn label(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''").replace('=', "_"))
    }
}

fn fleet_text(entries: &[Entry]) -> String {
    use crate::error::Status;
    let worst = crate::findings::fleet::worst(entries);
    let count = |s: Status| entries.iter().filter(|e| e.status() == s).count();
    let bad: Vec<&str> = entries
        .iter()
        .filter(|e| e.status() == worst && worst != Status::Ok)
        .map(|e| e.name.as_str())
        .collect();
    let summary = if bad.is_empty() {
        super::fleet::totals(entries)
    } else {
        format!("{} {}: {}", bad.len(), worst.label(), bad.join(", "))
    };
    let mut out = format!(
        "CACHECTL {} - {} | targets={};;;0 ok={};;;0 warning={};;;0 critical={};;;0 unknown={};;;0\n",
        worst.label(),
        text(&summary),
        entries.len(),
        count(Status::Ok),
        count(Status::Warning),
        count(Status::Critical),
        count(Status::Unknown)
    );
    for e in entries.iter().filter(|e| e.status() != Status::Ok) {
        let what = match &e.outcome {
            Ok(_) => e.worst().unwrap_or_default(),
            Err(why) => why.clone(),
        };
        let _ = writeln!(
            out,
            "{} {}: {}",
            e.status().label(),
            text(&e.name),
            text(&what)
        );
    }
    out
}

fn report_text(r: &Report) -> String {
    let list: Vec<&Finding> = r.findings.iter().collect();
    let groups = grouped(&list);
    let summary = match groups.first() {
        None => format!(
            "{} checks passed on {} ({} not run)",
            r.checks.passed, r.target, r.checks.skipped
        ),
        Some(g) => {
            let more = match groups.len() {
                1 => String::new(),
                n => format!(" (+{} more)", n - 1),
            };
            format!("{} {}: {}{more}", g.first.id, g.nodes(), g.first.title)
        }
    };
    let mut perf = vec![
        format!("health={};;;0;100", r.score),
        format!("duration={:.4}s", r.duration_ms / 1000.0),
        format!("checks_fired={};;;0", r.checks.fired),
        format!("checks_passed={};;;0", r.checks.passed),
        format!("checks_not_run={};;;0", r.checks.skipped),
    ];
    let several = r.figures.len() > 1;
    for k in &r.figures {
        let name = |what: &str| {
            if several {
                label(&format!("{} {what}", k.node))
            } else {
                label(what)
            }
        };
        if let Some(u) = k.used_memory {
            let max = k
                .maxmemory
                .filter(|m| *m > 0)
                .map(|m| m.to_string())
                .unwrap_or_default();
            perf.push(format!("{}={u}B;;;0;{max}", name("used_memory")));
        }
        if let Some(c) = k.connected_clients {
            let max = k.maxclients.map(|m| m.to_string()).unwrap_or_default();
            perf.push(format!("{}={c};;;0;{max}", name("clients")));
        }
        if let Some(h) = k.hit_ratio {
            perf.push(format!("{}={:.2}%;;;0;100", name("hit_ratio"), h * 100.0));
        }
        if let Some(e) = k.evicted_keys {
            perf.push(format!("{}={e}c;;;0", name("evicted_keys")));
        }
        if let Some(n) = k.keys {
            perf.push(format!("{}={n};;;0", name("keys")));
        }
        if let Some(l) = k.latency_ms {
            perf.push(format!("{}={l:.3}ms;;;0", name("latency")));
        }
    }
    let mut out = format!(
        "CACHECTL {} - {} | {}\n",
        r.status.label(),
        text(&summary),
        perf.join(" ")
    );
    for g in &groups {
        let _ = writeln!(
            out,
            "{} {} {}: {}",
            g.first.severity.label(),
            g.first.id,
            text(&g.nodes()),
            text(&g.first.message)
        );
    }
    out
}
