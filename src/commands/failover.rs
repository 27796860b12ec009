//! `cachectl failover`: its flags into the failover's settings, the run,
//! the report.

use crate::cli::{resolve, FailoverArgs};
use crate::engine::writer::Writer;
use crate::error::{CliError, Status};
use crate::failover::execute::{self, Ran};
use crate::failover::plan::FailoverSettings;
use crate::render::Printer;
use crate::target::NodeAddr;

pub fn run(args: &FailoverArgs, printer: &Printer) -> Result<Status, CliError> {
    let to = args
        .to
        .as_deref()
        .map(NodeAddr::parse)
        .transpose()
        .map_err(|e| CliError::Usage(format!("--to: {e}")))?;
    let write = resolve::writer("failover", &args.write, false, resolve::Asks::Destructive)?;
    let app = if args.app.app.as_ref().is_some_and(|a| !a.trim().is_empty()) {
        Some(resolve::app_client(
            &args.app,
            write.timeouts.command,
            std::time::Duration::ZERO,
            &write.timeouts,
        )?)
    } else {
        None
    };
    let settings = FailoverSettings {
        to,
        force: args.force,
        max_lag: args.max_lag,
        wait: args.wait,
        cluster_force: args.cluster_force,
        takeover: args.takeover,
        no_probe: args.no_probe,
    };
    let mut w = Writer::ungated(printer, write)?;
    match execute::run(&mut w, &settings, app.as_ref())? {
        Ran::Done(report, status) => w.finish(&*report, status),
        Ran::Closed(status) => Ok(status),
    }
}
