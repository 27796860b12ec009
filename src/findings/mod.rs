//! Findings: what the checks found, scored, with their fixes; and the report
//! that gathers them with an overall status and health score.

pub mod evaluate;
pub mod report;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use evaluate::{evaluate, evidence_of, holds, Evaluation, Skipped};
pub use report::{After, Report};

/// How bad a finding is. `unknown` marks a finding that means the target
/// could not be assessed at all (our credentials refused): exit code 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Ok,
    Info,
    Warning,
    Critical,
    Unknown,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
            Severity::Unknown => "unknown",
        }
    }
}

/// How risky a fix is to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    /// Changes nothing that matters if wrong (reset a counter, a log).
    Safe,
    /// Changes behaviour (configuration, limits); reversible.
    Unsafe,
    /// Loses data or connections (flush, kill, failover).
    Destructive,
}

impl Safety {
    pub fn label(self) -> &'static str {
        match self {
            Safety::Safe => "safe",
            Safety::Unsafe => "unsafe",
            Safety::Destructive => "destructive",
        }
    }
}

/// Who carries a fix out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixKind {
    /// Redis commands cachectl can run against the node.
    #[default]
    Redis,
    /// Steps for the operator (shell, orchestration); shown, never run.
    Manual,
}

/// A fix as shown in a report: exact commands, filled in from the evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixView {
    pub id: String,
    pub title: String,
    pub kind: FixKind,
    pub safety: Safety,
    pub commands: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<String>,
}

/// One fired check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub id: String,
    pub runbook: String,
    pub severity: Severity,
    pub score: u8,
    pub title: String,
    pub message: String,
    pub evidence: BTreeMap<String, serde_json::Value>,
    pub node: String,
    pub fixes: Vec<FixView>,
}
