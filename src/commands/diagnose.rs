//! `cachectl diagnose`: glue between its flags and the engine.

use crate::cli::{resolve, DiagnoseArgs};
use crate::engine::{self, Context};
use crate::error::{CliError, Status};
use crate::facts::record::Recorded;
use crate::facts::Facts;
use crate::render::Printer;

pub fn run(args: &DiagnoseArgs, printer: &Printer) -> Result<Status, CliError> {
    let policy = resolve::fix_policy(&args.fix)?;
    let spec = resolve::target(&args.target)?;
    let timeouts = resolve::timeouts(&args.target);
    let app = resolve::app(&args.app, args.interval, &timeouts)?;
    let ctx = Context::new(printer, timeouts, "diagnose")?;
    let diagnosis = engine::diagnose(&ctx, &spec, app.as_ref(), || {
        resolve::runbooks(&args.runbooks, &args.only, &args.skip)
    })?;
    if let Some(path) = &args.record_facts {
        let nodes: Vec<&Facts> = std::iter::once(&diagnosis.facts)
            .chain(&diagnosis.others)
            .collect();
        let recorded = Recorded::of(&nodes, diagnosis.topology.as_ref());
        crate::files::write_atomically(path, recorded.to_json().as_bytes()).map_err(|e| {
            CliError::Usage(format!(
                "--record-facts: cannot write {}: {e}",
                path.display()
            ))
        })?;
    }
    engine::finish(&ctx, diagnosis, policy, args.output.format())
}
