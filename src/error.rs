//! The one place that maps outcomes to the documented exit codes.
//!
//! Exit codes follow the Nagios plugin convention: 0 OK, 1 WARNING,
//! 2 CRITICAL, 3 UNKNOWN (could not assess: bad arguments, bad runbook,
//! authentication failure, internal error).

use std::process::ExitCode;

use serde::Serialize;

/// Overall outcome of a run, in Nagios terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl Status {
    /// The worse of two, as a report ranks its findings
    /// (`findings::report::status_of`): critical outranks unknown, unknown
    /// outranks warning.
    pub fn worst(self, other: Status) -> Status {
        let rank = |s: Status| match s {
            Status::Ok => 0,
            Status::Warning => 1,
            Status::Unknown => 2,
            Status::Critical => 3,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

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
    /// The server could not be reached or did not answer (refused, timed
    /// out, hung, full, loading, busy): critical, as `diagnose` says of it
    /// (redis-unreachable.yaml), where a door has no report to say it in.
    #[error("{0}")]
    Unreachable(String),
    /// Anything else, with its context chain.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Unreachable(_) => Status::Critical.exit_code(),
            _ => Status::Unknown.exit_code(),
        }
    }
}

#[cfg(test)]
mod status_tests {
    use super::Status::*;

    #[test]
    fn worst_ranks_as_a_report_does() {
        assert_eq!(Ok.worst(Warning), Warning);
        assert_eq!(Warning.worst(Unknown), Unknown);
        assert_eq!(Unknown.worst(Critical), Critical);
        assert_eq!(Critical.worst(Unknown), Critical);
        assert_eq!(Warning.worst(Ok), Warning);
    }
}
