//! The report of a diagnose run: overall status, health score, findings,
//! what could not be checked. Its JSON form is versioned (`schema_version`).

use serde::Serialize;

use super::evaluate::{CheckCounts, Evaluation, Skipped};
use super::{Finding, Severity};
use crate::error::Status;
use crate::facts::Unavailable;
use crate::target::Node;

/// Bumped on any incompatible change to the JSON documents; docs/json.md
/// says what changed in each.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: String,
    /// The command that made it: diagnose, memory, clients, slowlog,
    /// latency, or the writing command whose gate stopped it.
    pub command: String,
    pub status: Status,
    /// Health, 0-100: 100 minus the score of the worst warning, critical or
    /// unknown finding.
    pub score: u8,
    /// The target URL, password redacted.
    pub target: String,
    /// The application's base URL (--app), password redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// With --app: what its metrics said and whether it was assessed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<AppSummary>,
    /// Every node diagnosed, with its role: the target's node (or the
    /// primary its Sentinels name) first.
    pub nodes: Vec<Node>,
    /// sentinel or cluster, for a target of several nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topology: Option<crate::target::topology::Kind>,
    /// What the (first) node runs, when INFO told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<crate::facts::server::ServerId>,
    pub duration_ms: f64,
    pub findings: Vec<Finding>,
    /// Facts that could not be collected.
    pub unavailable: Vec<Unavailable>,
    /// Checks that could not be evaluated.
    pub skipped: Vec<Skipped>,
    pub checks: CheckCounts,
    /// Built-in runbooks a user runbook replaced: `id (from file)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replaced_runbooks: Vec<String>,
    /// With --fix: what was done about each fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<super::Remediation>,
    /// With --fix, once something was applied: the state after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<After>,
    /// Each node's key figures (docs/json.md), where it answered INFO.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<crate::facts::figures::KeyFigures>,
    /// What each check came to on each node, in runbook order: what a test
    /// report lists (JUnit, the Prometheus textfile). Not in the JSON
    /// document, whose findings and `skipped` say it with the reasons.
    #[serde(skip)]
    pub verdicts: Vec<super::evaluate::CheckVerdict>,
}

/// The application side of a report: the dialect its /metrics speak, the
/// hit rate in total and per cache, and how many of the checks about it
/// had their data.
#[derive(Debug, Clone, Serialize)]
pub struct AppSummary {
    /// False when no check about the application had its data: the report
    /// then says nothing about it, and is not OK.
    pub assessed: bool,
    /// Checks about the application; of them, how many fired or passed,
    /// and how many went without data.
    pub checks: usize,
    pub judged: usize,
    pub no_data: usize,
    /// The metric dialect recognised (seeds, django-prometheus,
    /// micrometer, status-label, custom (--app-metric) ...); empty: none.
    /// Absent when no runbook read the cache counters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dialect: Option<String>,
    /// Why the endpoint the counters come from (/metrics) gave none: it
    /// did not answer, or answered with an error. Absent when it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unanswered: Option<String>,
    /// The metric read for each role (hits, misses, errors, gets).
    pub metrics: serde_json::Value,
    /// Over the window (between the two scrapes, or since start).
    pub hits: f64,
    pub misses: f64,
    /// Absent when the dialect has no error counter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<f64>,
    /// 100 * hits / (hits + misses); absent without lookups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_percent: Option<f64>,
    pub measured_over_s: f64,
    /// Per cache (label, name, hits, misses, errors, gets, lookups,
    /// hit_percent), most lookups first.
    pub caches: serde_json::Value,
}

impl AppSummary {
    /// From the `http` facts (the first step that read cache counters)
    /// and the check counts.
    pub fn of(http: Option<&serde_json::Value>, counts: &CheckCounts) -> AppSummary {
        let step = http
            .and_then(|h| h.as_object())
            .and_then(|steps| steps.values().find(|s| s.get("cache").is_some()));
        let cache = step.map(|s| &s["cache"]);
        let window = |role: &str| {
            cache
                .filter(|c| c[role]["present"] == true)
                .and_then(|c| c[role]["window"].as_f64())
                .unwrap_or(0.0)
        };
        let (hits, misses) = (window("hits"), window("misses"));
        AppSummary {
            assessed: counts.app == 0 || counts.app_judged > 0,
            checks: counts.app,
            judged: counts.app_judged,
            no_data: counts.app.saturating_sub(counts.app_judged),
            dialect: cache.map(|c| c["dialect"].as_str().unwrap_or_default().to_string()),
            unanswered: step.filter(|s| s["ok"] == false).map(|s| {
                let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
                let status = s["status"].as_u64().filter(|c| *c > 0);
                match status {
                    Some(code) => format!("{} answered HTTP {code}", text(&s["path"])),
                    None => format!(
                        "{} did not answer ({}: {})",
                        text(&s["path"]),
                        text(&s["error"]),
                        text(&s["detail"])
                    ),
                }
            }),
            metrics: cache.map(|c| c["metrics"].clone()).unwrap_or_default(),
            hits,
            misses,
            errors: cache
                .filter(|c| c["errors"]["present"] == true)
                .map(|_| window("errors")),
            hit_percent: (hits + misses > 0.0)
                .then(|| (1000.0 * hits / (hits + misses)).round() / 10.0),
            measured_over_s: step.and_then(|s| s["interval_s"].as_f64()).unwrap_or(0.0),
            caches: cache.map_or_else(|| serde_json::json!([]), |c| c["caches"].clone()),
        }
    }
}

/// The node's state after remediation.
#[derive(Debug, Clone, Serialize)]
pub struct After {
    pub status: Status,
    pub score: u8,
    /// Ids of the findings that still fire.
    pub findings: Vec<String>,
}

impl After {
    pub fn of(evaluation: &Evaluation) -> After {
        After {
            status: status_of(&evaluation.findings),
            score: health_score(&evaluation.findings),
            findings: evaluation.findings.iter().map(|f| f.id.clone()).collect(),
        }
    }
}

/// The status a set of findings gives: the worst severity, where critical
/// outranks unknown, and unknown outranks warning.
pub fn status_of(findings: &[Finding]) -> Status {
    let has = |s: Severity| findings.iter().any(|f| f.severity == s);
    if has(Severity::Critical) {
        Status::Critical
    } else if has(Severity::Unknown) {
        Status::Unknown
    } else if has(Severity::Warning) {
        Status::Warning
    } else {
        Status::Ok
    }
}

/// 100 minus the highest score among findings that are not advice.
pub fn health_score(findings: &[Finding]) -> u8 {
    let worst = findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| f.score)
        .max()
        .unwrap_or(0);
    100u8.saturating_sub(worst.min(100))
}

impl Report {
    pub fn new(
        target: String,
        app: Option<String>,
        nodes: Vec<Node>,
        evaluation: Evaluation,
        unavailable: Vec<Unavailable>,
        duration_ms: f64,
    ) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: format!("cachectl {}", env!("CARGO_PKG_VERSION")),
            command: String::new(),
            status: status_of(&evaluation.findings),
            score: health_score(&evaluation.findings),
            target,
            app,
            application: None,
            nodes,
            topology: None,
            server: None,
            duration_ms,
            findings: evaluation.findings,
            unavailable,
            skipped: evaluation.skipped,
            checks: evaluation.counts,
            replaced_runbooks: Vec::new(),
            remediation: None,
            after: None,
            figures: Vec::new(),
            verdicts: evaluation.verdicts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn finding(severity: Severity, score: u8) -> Finding {
        Finding {
            id: "x".into(),
            runbook: "r".into(),
            severity,
            score,
            title: String::new(),
            message: String::new(),
            evidence: BTreeMap::new(),
            node: crate::target::NodeAddr::tcp("127.0.0.1", 6379),
            fixes: vec![],
        }
    }

    #[test]
    fn status_precedence() {
        assert_eq!(status_of(&[]), Status::Ok);
        assert_eq!(status_of(&[finding(Severity::Info, 10)]), Status::Ok);
        assert_eq!(
            status_of(&[finding(Severity::Warning, 10)]),
            Status::Warning
        );
        assert_eq!(
            status_of(&[
                finding(Severity::Warning, 10),
                finding(Severity::Unknown, 10)
            ]),
            Status::Unknown
        );
        assert_eq!(
            status_of(&[
                finding(Severity::Critical, 10),
                finding(Severity::Unknown, 10)
            ]),
            Status::Critical
        );
    }

    #[test]
    fn score_ignores_advice() {
        assert_eq!(health_score(&[finding(Severity::Info, 90)]), 100);
        assert_eq!(
            health_score(&[
                finding(Severity::Warning, 40),
                finding(Severity::Critical, 95)
            ]),
            5
        );
    }
}
