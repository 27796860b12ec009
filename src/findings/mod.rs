//! Findings: what the checks found, scored, with their fixes; and the report
//! that gathers them with an overall status and health score.

pub mod evaluate;
pub mod fleet;
pub mod remediation;
pub mod report;

use std::collections::BTreeMap;

use serde::Serialize;

pub use crate::model::{FixKind, Safety, Severity};
use crate::runbook::command::Command;
use crate::target::NodeAddr;

pub use evaluate::{evaluate, evidence_of, holds, Evaluation, Skipped};
pub use remediation::{Action, Outcome, Remediation};
pub use report::{After, Report};

/// A fix as shown in a report: exact commands, filled in from the evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixView {
    pub id: String,
    pub title: String,
    pub kind: FixKind,
    pub safety: Safety,
    /// The commands as shown (Redis arguments quoted as redis-cli reads them).
    pub commands: Vec<String>,
    /// The commands as they are sent, one argument vector each; empty when
    /// a value is missing.
    #[serde(skip)]
    pub argv: Vec<Command>,
    /// Why it cannot be run: a placeholder had no value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_runnable: Option<String>,
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
    pub node: NodeAddr,
    pub fixes: Vec<FixView>,
}
