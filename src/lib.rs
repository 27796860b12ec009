//! cachectl: diagnose and remediate Redis cache failures from scripted runbooks.
//!
//! The house (docs/architecture.md has the map and the recipes):
//! - `cli` declares every flag once and turns flags into settings
//!   (`cli::resolve`); nothing else imports clap. `commands` is glue: one
//!   file per subcommand, a call into the domain, then the renderer.
//! - Reading: `engine::diagnose` locates the target (`target`), collects
//!   its `facts` under the run's deadline, and evaluates the `runbook`s'
//!   checks into `findings`; checks never talk to Redis, they read facts.
//!   The front doors add a view (`scan`, `clients`, `slowlog`, `latency`,
//!   `hotkeys`); `rdb` reads dumps as they stream, key by key;
//!   `engine::watch` renews a diagnosis every few seconds on kept
//!   connections, following each node and finding with `watch`.
//! - Writing: `engine::writer` gates the target and holds the one mutation
//!   path (`mutate`: preflight, consent, audit); the work lives in `flush`,
//!   `warm`, `kill` and `failover`, and ends in an `outcome::Outcome`,
//!   whose exit code has one rule.
//! - Output: `render::document` hands one `Document` to the `Renderer` of
//!   the chosen format; only `render` writes results, every string through
//!   the secret scrubber and `text::clean`.

// Unit tests compare figures computed from fixed inputs exactly.
#![cfg_attr(test, allow(clippy::float_cmp))]

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
pub mod hotkeys;
pub mod http;
pub mod interrupt;
pub mod kill;
pub mod lab;
pub mod latency;
pub mod model;
pub mod mutate;
pub mod outcome;
pub mod prometheus;
pub mod rdb;
pub mod redis;
pub mod remediate;
pub mod render;
pub mod runbook;
pub mod scan;
pub mod secret;
pub mod size;
pub mod slowlog;
pub mod snapshot;
pub mod target;
pub mod text;
pub mod warm;
pub mod watch;

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
    let mut cli = match cli::parse(args) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    init_color(cli.color);
    if let Err(err) = cli::context::apply(&mut cli) {
        render::Printer::stdio().error(&err);
        return err.exit_code();
    }
    let Some(path) = cli.output_file.clone() else {
        let printer = render::Printer::stdio();
        return match commands::dispatch(cli, &printer) {
            Ok(status) => status.exit_code(),
            Err(err) => {
                printer.error(&err);
                err.exit_code()
            }
        };
    };
    // --output-file: the document is kept, then replaces the file whole
    // (a collector never reads half of one); a run that made no document
    // leaves the file as it was.
    let (printer, document) = render::Printer::to_memory();
    let result = commands::dispatch(cli, &printer);
    let written = document.take();
    let saved = if written.is_empty() {
        Ok(())
    } else {
        files::publish(&path, &written).map_err(|e| {
            CliError::Output(format!(
                "--output-file: cannot write {}: {e}",
                path.display()
            ))
        })
    };
    match (result, saved) {
        (Ok(status), Ok(())) => status.exit_code(),
        (Err(err), _) | (Ok(_), Err(err)) => {
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
