//! What a write did, and the one rule that turns it into an exit code.
//!
//! Every command that changes a node (`diagnose --fix` for each fix,
//! `flush`, `warm`, `clients kill`, `failover`) says what happened with one
//! of these, and [`Outcome::status`] is the only place an outcome becomes a
//! status. A run's status is the worst of its outcome's and its findings'
//! (`Status::worst`): a refused failover whose Sentinels are a minority is
//! critical by both.

use serde::Serialize;

use crate::error::Status;

/// What happened to a write (a fix, a flush, a warm, a kill, a failover).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// `--dry-run`: the plan was printed; nothing was sent.
    Planned,
    /// Done, and (where it can be) verified.
    Applied,
    /// Declined at the prompt, or not allowed in this mode (`--yes`
    /// without `--confirm-destructive`): nothing was sent.
    Skipped,
    /// The preflight says it cannot run there (renamed or disabled, a
    /// replica, an ACL): nothing was sent.
    Blocked,
    /// The target's state makes it unsafe (no Sentinel majority, no fit
    /// replica): nothing was sent.
    Refused,
    /// Stopped before its end (Ctrl-C, the deadline, a scan cut short):
    /// the report says how far it got.
    Stopped,
    /// Run to its end, but not all of it took (keys matched are still
    /// there): the report says what is left.
    Incomplete,
    /// A command failed or the server stopped answering part way: the
    /// report says what ran.
    Failed,
    /// Sent, but whether it took could not be established (a failover's
    /// nodes did not all answer or agree in time).
    Unverified,
    /// A failover left more than one node saying it is the primary.
    Split,
    /// Steps for the operator; cachectl does not run them.
    Manual,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Planned => "planned",
            Outcome::Applied => "applied",
            Outcome::Skipped => "skipped",
            Outcome::Blocked => "blocked",
            Outcome::Refused => "refused",
            Outcome::Stopped => "stopped",
            Outcome::Incomplete => "incomplete",
            Outcome::Failed => "failed",
            Outcome::Unverified => "unverified",
            Outcome::Split => "split",
            Outcome::Manual => "manual",
        }
    }

    /// The exit rule, the same for every command (the README's table):
    /// done or planned is OK (0); the target in a state that forbids or
    /// fails the write (refused, split, unverified) is CRITICAL (2): the
    /// incident is now worse or unknown; the job not done (skipped, blocked,
    /// stopped, failed) is UNKNOWN (3). `Manual` asks nothing of the run.
    pub fn status(self) -> Status {
        match self {
            Outcome::Planned | Outcome::Applied | Outcome::Manual => Status::Ok,
            Outcome::Refused | Outcome::Split | Outcome::Unverified => Status::Critical,
            Outcome::Skipped
            | Outcome::Blocked
            | Outcome::Stopped
            | Outcome::Incomplete
            | Outcome::Failed => Status::Unknown,
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome::*;
    use crate::error::Status;

    #[test]
    fn one_rule_maps_every_outcome() {
        for (o, s) in [
            (Planned, Status::Ok),
            (Applied, Status::Ok),
            (Manual, Status::Ok),
            (Refused, Status::Critical),
            (Split, Status::Critical),
            (Unverified, Status::Critical),
            (Skipped, Status::Unknown),
            (Blocked, Status::Unknown),
            (Stopped, Status::Unknown),
            (Incomplete, Status::Unknown),
            (Failed, Status::Unknown),
        ] {
            assert_eq!(o.status(), s, "{o}");
            assert_eq!(serde_json::to_value(o).unwrap(), o.label());
        }
    }
}
