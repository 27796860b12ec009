//! `-o prometheus`: the run in Prometheus' text exposition format, for
//! node_exporter's textfile collector (written whole with
//! `--output-file`, so the collector never reads half a file): the
//! verdict, health score, duration and time of the run; one series per
//! check with its node (its value the severity it fired at, 0 when it
//! passed; checks not run in a series of their own); each node's key
//! figures. docs/prometheus.md has the series and alert rules over them.

use std::fmt::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use super::document::{Document, Renderer};
use super::Printer;
use crate::error::{CliError, Status};
use crate::findings::evaluate::Verdict;
use crate::findings::{Report, Severity};

pub struct PrometheusRenderer;

impl Renderer for PrometheusRenderer {
    fn render(&self, doc: &Document<'_>, printer: &Printer) -> Result<(), CliError> {
        let text = match doc {
            Document::Report { report, .. } => report_text(report),
            Document::Fleet { command, entries } => {
                let mut out = Exposition::default();
                for e in *entries {
                    if let Ok(r) = &e.outcome {
                        report_into(&mut out, r);
                    } else {
                        let run = [("command", *command), ("target", e.name.as_str())];
                        run_series(&mut out, &run, Status::Unknown, None, None);
                    }
                }
                out.text
            }
            Document::Written {
                subject, status, ..
            } => {
                let mut out = Exposition::default();
                let run = [("command", subject.command), ("target", subject.target)];
                run_series(&mut out, &run, *status, None, None);
                out.text
            }
        };
        printer.out(&text)
    }
}

/// A label value escaped as the format wants: `\`, `"` and line feeds.
fn value(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[derive(Default)]
struct Exposition {
    text: String,
    declared: Vec<&'static str>,
}

impl Exposition {
    /// One sample of `name`, its HELP and TYPE before its first.
    fn sample(
        &mut self,
        name: &'static str,
        kind: &str,
        help: &str,
        labels: &[(&str, &str)],
        v: f64,
    ) {
        if !self.declared.contains(&name) {
            self.declared.push(name);
            let _ = writeln!(self.text, "# HELP {name} {help}");
            let _ = writeln!(self.text, "# TYPE {name} {kind}");
        }
        let labels: Vec<String> = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", value(v)))
            .collect();
        let _ = writeln!(self.text, "{name}{{{}}} {}", labels.join(","), number(v));
    }
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn status_value(s: Status) -> f64 {
    match s {
        Status::Ok => 0.0,
        Status::Warning => 1.0,
        Status::Critical => 2.0,
        Status::Unknown => 3.0,
    }
}

fn severity_value(s: Severity) -> f64 {
    match s {
        Severity::Ok => 0.0,
        Severity::Info => 1.0,
        Severity::Warning => 2.0,
        Severity::Critical => 3.0,
        Severity::Unknown => 4.0,
    }
}

fn run_series(
    out: &mut Exposition,
    run: &[(&str, &str)],
    status: Status,
    score: Option<u8>,
    duration_ms: Option<f64>,
) {
    out.sample(
        "cachectl_status",
        "gauge",
        "The run's verdict, its exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        run,
        status_value(status),
    );
    if let Some(score) = score {
        out.sample(
            "cachectl_health_score",
            "gauge",
            "Health, 0-100: 100 minus the score of the worst warning, critical or unknown finding.",
            run,
            f64::from(score),
        );
    }
    if let Some(ms) = duration_ms {
        out.sample(
            "cachectl_run_duration_seconds",
            "gauge",
            "How long the run took.",
            run,
            ms / 1000.0,
        );
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64().floor());
    out.sample(
        "cachectl_last_run_timestamp_seconds",
        "gauge",
        "When the run ended, Unix seconds: a file that is not renewed grows old.",
        run,
        now,
    );
}

fn report_text(r: &Report) -> String {
    let mut out = Exposition::default();
    report_into(&mut out, r);
    out.text
}

fn report_into(out: &mut Exposition, r: &Report) {
    let run = [
        ("command", r.command.as_str()),
        ("target", r.target.as_str()),
    ];
    run_series(out, &run, r.status, Some(r.score), Some(r.duration_ms));
    for (state, n) in [
        ("fired", r.checks.fired),
        ("passed", r.checks.passed),
        ("not_run", r.checks.skipped),
    ] {
        let labels = [run[0], run[1], ("state", state)];
        out.sample(
            "cachectl_checks",
            "gauge",
            "Checks of the run by what they came to.",
            &labels,
            n as f64,
        );
    }
    for v in &r.verdicts {
        let node = v.node.to_string();
        let labels = [
            run[0],
            run[1],
            ("runbook", v.runbook.as_str()),
            ("check", v.check.as_str()),
            ("node", node.as_str()),
        ];
        match v.verdict {
            Verdict::Passed => out.sample(
                "cachectl_check_severity",
                "gauge",
                "Each check on each node: the severity it fired at (1 info, 2 warning, 3 critical, 4 unknown), 0 when it passed.",
                &labels,
                0.0,
            ),
            Verdict::Fired => {
                let severity = r
                    .findings
                    .iter()
                    .find(|f| f.id == v.check && f.node == v.node)
                    .map_or(Severity::Unknown, |f| f.severity);
                out.sample(
                    "cachectl_check_severity",
                    "gauge",
                    "Each check on each node: the severity it fired at (1 info, 2 warning, 3 critical, 4 unknown), 0 when it passed.",
                    &labels,
                    severity_value(severity),
                );
            }
            Verdict::Skipped => out.sample(
                "cachectl_check_not_run",
                "gauge",
                "Checks that could not run on a node (a fact unavailable, the deadline, the server's version): never a pass.",
                &labels,
                1.0,
            ),
            Verdict::NotApplicable => {}
        }
    }
    type Figure = (
        &'static str,
        &'static str,
        fn(&crate::facts::figures::KeyFigures) -> Option<f64>,
    );
    let figures: [Figure; 10] = [
        (
            "cachectl_node_used_memory_bytes",
            "Memory in use (INFO used_memory).",
            |k| k.used_memory.map(|v| v as f64),
        ),
        (
            "cachectl_node_maxmemory_bytes",
            "maxmemory; 0 is no limit.",
            |k| k.maxmemory.map(|v| v as f64),
        ),
        (
            "cachectl_node_connected_clients",
            "Clients connected.",
            |k| k.connected_clients.map(|v| v as f64),
        ),
        ("cachectl_node_maxclients", "maxclients.", |k| {
            k.maxclients.map(|v| v as f64)
        }),
        (
            "cachectl_node_hit_ratio",
            "Hits of the lookups (0-1).",
            |k| k.hit_ratio,
        ),
        (
            "cachectl_node_evicted_keys",
            "Keys evicted since the server started.",
            |k| k.evicted_keys.map(|v| v as f64),
        ),
        ("cachectl_node_keys", "Keys in every database.", |k| {
            k.keys.map(|v| v as f64)
        }),
        (
            "cachectl_node_ops_per_second",
            "Commands a second (INFO instantaneous_ops_per_sec).",
            |k| k.ops_per_sec.map(|v| v as f64),
        ),
        (
            "cachectl_node_latency_seconds",
            "Round trip from cachectl, the percentile the latency checks judge.",
            |k| k.latency_ms.map(|v| v / 1000.0),
        ),
        (
            "cachectl_node_replica_lag_seconds",
            "The furthest a replica is behind.",
            |k| k.max_replica_lag.map(|v| v as f64),
        ),
    ];
    for (name, help, get) in figures {
        for k in &r.figures {
            if let Some(v) = get(k) {
                let labels = [run[0], run[1], ("node", k.node.as_str())];
                out.sample(name, "gauge", help, &labels, v);
            }
        }
    }
}
