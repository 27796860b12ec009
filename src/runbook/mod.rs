//! Runbooks: YAML files, one per incident scenario, that declare checks
//! (a CEL condition over facts, a severity, a score, a message with evidence)
//! and fixes (exact commands, a safety class, a verification condition).
//!
//! Built-in runbooks live in `runbooks/` and are embedded in the binary;
//! user runbooks come from `--runbooks DIR`.

pub mod argv;
pub mod builtin;
pub mod command;
pub mod expr;
pub mod load;
pub mod model;
pub mod step;
pub mod template;

pub use load::{load_all, load_file, load_tuned, Runbook, RunbookSet, Tuning};
