//! A fleet's result: a report per target, or why a target has none.

use serde::Serialize;

use super::Report;
use crate::error::Status;

/// What became of one target of a fleet.
pub struct Entry {
    /// The context's name, or the target's URL (redacted).
    pub name: String,
    /// Its report, or why there is none (it could not be assessed).
    pub outcome: Result<Report, String>,
}

impl Entry {
    /// Its report's status; UNKNOWN without a report.
    pub fn status(&self) -> Status {
        match &self.outcome {
            Ok(r) => r.status,
            Err(_) => Status::Unknown,
        }
    }

    /// The worst finding, as `id on node`, if any.
    pub fn worst(&self) -> Option<String> {
        let r = self.outcome.as_ref().ok()?;
        r.findings
            .first()
            .map(|f| format!("{} {} on {}", f.severity.label(), f.id, f.node))
    }
}

/// The worst status of the entries (critical outranks unknown, as a
/// report's findings do); OK for none.
pub fn worst(entries: &[Entry]) -> Status {
    entries
        .iter()
        .map(Entry::status)
        .fold(Status::Ok, Status::worst)
}

/// An entry in JSON: its name beside its report's fields, or its name, an
/// UNKNOWN status and the error.
#[derive(Serialize)]
#[serde(untagged)]
pub enum EntryJson<'a> {
    Report {
        name: &'a str,
        #[serde(flatten)]
        report: &'a Report,
    },
    Error {
        name: &'a str,
        status: Status,
        error: &'a str,
    },
}

impl Entry {
    pub fn json(&self) -> EntryJson<'_> {
        match &self.outcome {
            Ok(report) => EntryJson::Report {
                name: &self.name,
                report,
            },
            Err(error) => EntryJson::Error {
                name: &self.name,
                status: Status::Unknown,
                error,
            },
        }
    }
}
