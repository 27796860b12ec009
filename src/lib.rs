//! cachectl: diagnose and remediate Redis cache failures from scripted runbooks.
//!
//! Data flows one way: cli -> target -> facts -> checks -> findings -> render.
//! Checks never talk to Redis; they read facts. Only `render` writes results.

pub mod cli;
pub mod clients;
pub mod commands;
pub mod duration;
pub mod engine;
pub mod error;
pub mod facts;
pub mod failover;
pub mod files;
pub mod findings;
pub mod floor;
pub mod flush;
pub mod http;
pub mod interrupt;
pub mod kill;
pub mod latency;
pub mod model;
pub mod mutate;
pub mod outcome;
pub mod prometheus;
pub mod redis;
pub mod remediate;
pub mod render;
pub mod runbook;
pub mod scan;
pub mod secret;
pub mod size;
pub mod slowlog;
pub mod target;
pub mod text;
pub mod warm;

use std::ffi::OsString;
use std::process::ExitCode;

pub use error::{CliError, Status};

/// Runs cachectl with the given arguments and returns the process exit code.
///
/// Exit codes follow the Nagios plugin convention (see `error::Status`).
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::parse(args) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    init_color(cli.color);
    let printer = render::Printer::stdio();
    match commands::dispatch(cli, &printer) {
        Ok(status) => status.exit_code(),
        Err(err) => {
            printer.error(&err);
            err.exit_code()
        }
    }
}

/// Sets the process-wide colour choice (anstream strips escapes otherwise).
fn init_color(choice: cli::ColorChoice) {
    let choice = match choice {
        cli::ColorChoice::Auto => anstream::ColorChoice::Auto,
        cli::ColorChoice::Always => anstream::ColorChoice::Always,
        cli::ColorChoice::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}
