//! The vocabulary every layer shares: how bad a finding is, how risky a
//! write is, and who carries a fix out. Runbooks declare them, findings
//! carry them, the mutation path decides by them; none of those modules
//! needs the others for it.

use serde::{Deserialize, Serialize};

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

/// How risky a fix is to apply, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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
    /// A request to the application (--app): an action it exposes, such
    /// as `POST /internal/cache/clear`.
    Http,
}

impl FixKind {
    pub fn label(self) -> &'static str {
        match self {
            FixKind::Redis => "redis",
            FixKind::Manual => "manual",
            FixKind::Http => "http",
        }
    }
}
