//! `cachectl diagnose`: glue between its flags and the engine.

use crate::cli::{resolve, DiagnoseArgs};
use crate::engine::{self, Context};
use crate::error::{CliError, Status};
use crate::render::{self, Printer};

pub fn run(args: DiagnoseArgs, printer: &Printer) -> Result<Status, CliError> {
    let policy = resolve::fix_policy(&args.fix)?;
    let spec = resolve::target(&args.target)?;
    let timeouts = resolve::timeouts(&args.target);
    let app = resolve::app(&args.app, args.interval, &timeouts)?;
    let ctx = Context::new(printer, timeouts, "diagnose")?;
    let diagnosis = engine::diagnose(&ctx, &spec, app.as_ref(), || {
        resolve::runbooks(&args.runbooks, &args.only, &args.skip)
    })?;
    engine::finish(
        &ctx,
        diagnosis,
        policy,
        args.output.format(),
        render::table::report,
    )
}
