//! `cachectl flush`: its flags into the flush's settings, the run, the
//! report.

use crate::cli::{resolve, FlushArgs};
use crate::engine::writer::{Opened, Writer};
use crate::error::{CliError, Status};
use crate::flush::run::{self, FlushSettings, Scope};
use crate::flush::Selection;
use crate::render::Printer;

pub fn run(args: &FlushArgs, printer: &Printer) -> Result<Status, CliError> {
    let filter = &args.keys;
    let scope = if filter.given() || args.no_ttl || args.idle.is_some() {
        Scope::Keys(Selection {
            pattern: filter.pattern.clone(),
            kind: filter.key_type(),
            no_ttl: args.no_ttl,
            idle: args.idle,
            // A dry run's answer is what would go: the bytes too.
            bytes: args.bytes || args.write.mutation.dry_run,
        })
    } else if args.all {
        Scope::All
    } else if args.whole_db {
        Scope::Database
    } else {
        return Err(CliError::Usage(
            "say what to flush: --pattern GLOB (with --type, --no-ttl, --idle), --whole-db for a whole database (--db N, or the URL's), or --all".into(),
        ));
    };
    let settings = resolve::writer("flush", &args.write, true, resolve::Asks::DestructiveInDb)?;
    let flush = FlushSettings {
        scope,
        batch: args.batch,
        rate: args.rate,
        recheck: args.recheck,
        resume: args.resume.resume.clone(),
    };
    let (mut w, facts) = match Writer::open(printer, settings)? {
        Opened::Ready(w, facts) => (w, facts),
        Opened::Closed(status) => return Ok(status),
    };
    let (report, status) = run::run(&mut w, &facts, &flush)?;
    w.finish(&report, status)
}
