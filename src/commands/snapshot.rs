//! `cachectl snapshot`: glue between its flags and the bundle
//! (`engine::snapshot::take`, written by `snapshot::write`).

use crate::cli::{resolve, SnapshotArgs};
use crate::engine::{self, Context};
use crate::error::{CliError, Status};
use crate::render::Printer;

pub fn run(args: &SnapshotArgs, printer: &Printer) -> Result<Status, CliError> {
    if args.out.exists() {
        return Err(CliError::Usage(format!(
            "--out {}: it exists, and a snapshot never replaces one",
            args.out.display()
        )));
    }
    let spec = resolve::target(&args.target)?;
    // The run's deadline covers the diagnosis, the wait and the second point.
    let timeouts = resolve::timeouts_or(&args.target, resolve::DEFAULT_TIMEOUT + args.interval);
    let app = resolve::app(&args.app, std::time::Duration::ZERO, &timeouts)?;
    let ctx = Context::new(printer, timeouts, "snapshot")?;
    let (bundle, status) =
        engine::snapshot::take(&ctx, &spec, app.as_ref(), args.interval, || {
            resolve::runbooks(&args.runbooks, &[], &[])
        })?;
    crate::snapshot::write(&bundle, &args.out).map_err(|e| {
        CliError::Output(format!(
            "--out {}: cannot write the bundle: {e}",
            args.out.display()
        ))
    })?;
    printer.out(&format!(
        "{}: {} files, two points {} apart, the diagnosis {}; judge it again with `cachectl diagnose --from-snapshot {}`\n",
        args.out.display(),
        bundle.files.len(),
        crate::duration::format(args.interval),
        status.label(),
        args.out.display()
    ))?;
    Ok(status)
}
