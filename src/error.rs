//! The one place that maps outcomes to the documented exit codes.
//!
//! Exit codes follow the Nagios plugin convention: 0 OK, 1 WARNING,
//! 2 CRITICAL, 3 UNKNOWN (could not assess: bad arguments, bad runbook,
//! authentication failure, internal error).

use std::process::ExitCode;

use serde::Serialize;

/// Overall outcome of a run, in Nagios terms; ordered from best to worst
/// (unknown last: a run that could not finish says so above all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl Status {
    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(self.code())
    }

    pub fn code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Warning => 1,
            Status::Critical => 2,
            Status::Unknown => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Critical => "CRITICAL",
            Status::Unknown => "UNKNOWN",
        }
    }
}

/// Errors that stop a command before it can assess anything. All map to UNKNOWN.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad arguments or environment: what was wrong and how to fix it.
    #[error("{0}")]
    Usage(String),
    /// A runbook failed to load or validate (message carries file:line:column).
    #[error("{0}")]
    Runbook(String),
    /// Standard output could not take the result (not a closed pipe).
    #[error("{0}")]
    Output(String),
    /// Anything else, with its context chain.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        Status::Unknown.exit_code()
    }
}
