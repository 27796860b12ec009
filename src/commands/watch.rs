//! `cachectl watch`: glue between its flags and the watch
//! (`engine::watch`): a diagnosis first, then the refreshes.

use std::io::IsTerminal;

use crate::cli::{resolve, WatchArgs};
use crate::engine::watch::{self as live, Mode, Settings, Watcher};
use crate::engine::{self, Context};
use crate::error::{CliError, Status};
use crate::render::{Format, Printer};

pub fn run(args: &WatchArgs, printer: &Printer) -> Result<Status, CliError> {
    let format = args.output.format();
    let mode = if args.once {
        Mode::Once
    } else if format == Format::Table && std::io::stdout().is_terminal() {
        Mode::Screen
    } else {
        Mode::Lines
    };
    if mode == Mode::Lines && !matches!(format, Format::Table | Format::Json) {
        return Err(CliError::Usage(
            "watch prints a line (or a JSON document) per refresh; this format is one document: add --once".into(),
        ));
    }
    let spec = resolve::target(&args.target)?;
    let timeouts = resolve::timeouts(&args.target);
    let ctx = Context::new(printer, timeouts, "watch")?;
    // An explicit --timeout ends the watch; without it, it runs until
    // stopped (the first diagnosis keeps the usual deadline).
    let until = args.target.timeout.map(|t| ctx.started + t);
    let diagnosis = engine::diagnose(&ctx, &spec, None, || {
        resolve::runbooks(&args.runbooks, &args.only, &args.skip)
    })?;
    let watcher = Watcher::new(spec, diagnosis, args.every);
    let settings = Settings {
        mode,
        format,
        count: args.count,
        until,
    };
    live::run(&ctx, watcher, &settings)
}
