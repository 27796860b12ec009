//! One file per subcommand: turn arguments into options and call the domain
//! modules. No Redis, rule or formatting logic lives here.

pub mod clients;
pub mod completions;
pub mod context;
pub mod diagnose;
pub mod failover;
pub mod flush;
pub mod hotkeys;
pub mod lab;
pub mod latency;
pub mod memory;
pub mod runbook;
pub mod slowlog;
pub mod snapshot;
pub mod warm;
pub mod watch;

use crate::cli::{Cli, Command};
use crate::error::{CliError, Status};
use crate::render::Printer;

pub fn dispatch(cli: Cli, printer: &Printer) -> Result<Status, CliError> {
    match cli.command {
        Command::Diagnose(args) => diagnose::run(&args, printer),
        Command::Memory(args) => memory::run(&args, printer),
        Command::Clients(args) => clients::run(&args, printer),
        Command::Slowlog(args) => slowlog::run(&args, printer),
        Command::Latency(args) => latency::run(&args, printer),
        Command::Hotkeys(args) => hotkeys::run(&args, printer),
        Command::Watch(args) => watch::run(&args, printer),
        Command::Flush(args) => flush::run(&args, printer),
        Command::Warm(args) => warm::run(&args, printer),
        Command::Failover(args) => failover::run(&args, printer),
        Command::Runbook(cmd) => runbook::run(cmd, printer),
        Command::Context(cmd) => context::run(&cmd, printer),
        Command::Lab(cmd) => lab::run(&cmd, printer),
        Command::Snapshot(args) => snapshot::run(&args, printer),
        Command::Completions { shell } => completions::run(shell, printer),
    }
}
