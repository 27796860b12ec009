//! `cachectl diagnose`: glue between its flags and the engine.

use crate::cli::{DiagnoseArgs, OutputFormat};
use crate::engine::{self, resolve, Context};
use crate::error::{CliError, Status};
use crate::mutate::Mutator;
use crate::render::{self, Printer};

pub fn run(args: DiagnoseArgs, printer: &Printer) -> Result<Status, CliError> {
    if !args.fix {
        if let Some(flag) = args.mutation.given() {
            return Err(CliError::Usage(format!("{flag} needs --fix")));
        }
    }
    let policy = args
        .fix
        .then(|| resolve::policy(&args.mutation))
        .transpose()?;
    let spec = resolve::target(&args.target)?;
    let timeouts = resolve::timeouts(&args.target);
    let app = resolve::app(&args.app, &timeouts)?;
    let ctx = Context::new(printer, timeouts)?;
    let mut diagnosis = engine::diagnose(&ctx, &spec, app.as_ref(), || {
        resolve::runbooks(&args.runbooks, &args.only, &args.skip)
    })?;
    let format = args.output.output;
    let Some(policy) = policy else {
        ctx.emit(format, &diagnosis.report, render::table::report)?;
        return Ok(diagnosis.report.status);
    };
    if format == OutputFormat::Table {
        printer.out(&render::table::report(&diagnosis.report))?;
    }
    let mut mutator = Mutator::new(policy, diagnosis.report.target.clone());
    engine::remediate(&ctx, &spec, &mut diagnosis, &mut mutator);
    ctx.emit(format, &diagnosis.report, render::table::remediation)?;
    // The exit code tells the state the node is left in.
    let report = &diagnosis.report;
    Ok(report
        .after
        .as_ref()
        .map(|a| a.status)
        .unwrap_or(report.status))
}
