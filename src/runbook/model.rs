//! The runbook file format, as deserialized from YAML. Unknown fields are
//! errors. See docs/runbooks.md for the reference.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::findings::{FixKind, Safety, Severity};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunbookFile {
    /// Unique id, lower-case with dashes (`out-of-memory`).
    pub id: Spanned<String>,
    pub title: String,
    /// The seed runbook(s) this automates: file and section.
    pub source: String,
    #[serde(default)]
    pub description: String,
    /// What the on-call engineer sees when this is the incident.
    #[serde(default)]
    pub symptoms: Vec<String>,
    /// Named numbers checks compare against, each citing where it comes from.
    #[serde(default)]
    pub thresholds: BTreeMap<String, ThresholdDef>,
    pub checks: Vec<CheckDef>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdDef {
    pub value: f64,
    /// Where the default comes from (a seed and section).
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    pub id: Spanned<String>,
    pub title: String,
    /// CEL condition over facts; the check fires when it is true.
    pub when: Spanned<String>,
    pub severity: Severity,
    /// 0-100: how much this matters now.
    pub score: Spanned<u8>,
    /// Named CEL expressions whose values are shown, and can be used as
    /// `{name}` in the message and fix commands.
    #[serde(default)]
    pub evidence: BTreeMap<String, Spanned<String>>,
    /// What is wrong, with `{evidence}` placeholders.
    pub message: Spanned<String>,
    #[serde(default)]
    pub fixes: Vec<FixDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixDef {
    pub id: String,
    pub title: String,
    pub safety: Safety,
    /// `redis`: commands cachectl can run; `manual`: steps for the operator.
    #[serde(default)]
    pub kind: FixKind,
    /// Exact commands, with `{evidence}` placeholders.
    pub commands: Vec<Spanned<String>>,
    /// CEL condition that holds once the fix worked.
    #[serde(default)]
    pub verify: Option<Spanned<String>>,
}
