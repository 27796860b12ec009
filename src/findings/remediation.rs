//! What `diagnose --fix` did about each fix: the remediation part of a report.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Safety;
use crate::mutate::Mode;
use crate::target::NodeAddr;

pub use crate::outcome::Outcome;

#[derive(Debug, Clone, Serialize)]
pub struct Action {
    pub finding: String,
    pub node: NodeAddr,
    pub fix: String,
    pub title: String,
    pub safety: Safety,
    pub commands: Vec<String>,
    pub outcome: Outcome,
    pub reason: String,
    /// Replies, one per command run.
    pub results: Vec<String>,
    pub before: BTreeMap<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<BTreeMap<String, serde_json::Value>>,
    /// The check no longer fires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<bool>,
    /// The fix's `verify` condition holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

/// The remediation part of a report.
#[derive(Debug, Clone, Serialize)]
pub struct Remediation {
    pub mode: Mode,
    /// `--confirm-destructive`: the node (and db) it named, where unsafe
    /// and destructive fixes were applied without asking too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_log: Option<String>,
    pub actions: Vec<Action>,
}
