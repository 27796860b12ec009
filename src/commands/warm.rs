//! `cachectl warm`: its flags into the warm's sources and settings, the
//! run, the report.

use crate::cli::{resolve, WarmArgs};
use crate::engine::writer::{Opened, Writer};
use crate::error::{CliError, Status};
use crate::render::Printer;
use crate::warm::plan::Kind;
use crate::warm::run::{self, SourceChoice, WarmSettings};

/// A cold application is slow: a URL's whole answer may take this long
/// unless --app-timeout says otherwise.
const URL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub fn run(args: &WarmArgs, printer: &Printer) -> Result<Status, CliError> {
    if args.keys.given() && args.from.is_none() {
        return Err(CliError::Usage(
            "--pattern and --type choose the keys of a copy: they need --from URL".into(),
        ));
    }
    let choice = match (&args.plan, &args.file, &args.from, &args.urls) {
        (Some(path), ..) => SourceChoice::Plan {
            path: path.clone(),
            critical_only: args.critical_only,
        },
        (None, Some(file), ..) => SourceChoice::File(file.clone(), args.format.map(Into::into)),
        (None, None, Some(url), _) => SourceChoice::From {
            url: url.clone(),
            pattern: args.keys.pattern.clone().unwrap_or_else(|| "*".into()),
            kind: args.keys.key_type(),
        },
        (None, None, None, Some(list)) => SourceChoice::Urls(list.clone()),
        (None, None, None, None) => {
            return Err(CliError::Usage(
                "say where from: --file PATH, --from URL, --urls PATH or --plan PLAN.yaml".into(),
            ))
        }
    };
    let write = resolve::writer(
        "warm",
        &args.write,
        true,
        if args.replace {
            resolve::Asks::DestructiveInDb
        } else {
            resolve::Asks::Safe
        },
    )?;
    let (label, planned) = run::sources(choice)?;
    // An HTTP client only when something is requested over HTTP: building
    // one (TLS roots) is start-up work a file warm does not need.
    let has_app = args.app.app.as_ref().is_some_and(|a| !a.trim().is_empty());
    let wants_http = has_app || planned.iter().any(|p| matches!(p.kind, Kind::Urls(_)));
    let http = if wants_http {
        Some(resolve::app_client(
            &args.app,
            URL_TIMEOUT,
            std::time::Duration::ZERO,
            &write.timeouts,
        )?)
    } else {
        None
    };
    let settings = WarmSettings {
        replace: args.replace,
        critical_only: args.critical_only,
        resume: args.resume.resume.clone(),
        max_errors: args.max_errors,
        continue_on_oom: args.continue_on_oom,
        rate: args.rate,
        concurrency: args.concurrency,
        http,
        app: has_app,
        check: args.check.then(|| {
            (
                args.check_window,
                args.runbooks.dirs.clone(),
                args.runbooks.tuning.clone(),
            )
        }),
    };
    let (mut w, facts) = match Writer::open(printer, write)? {
        Opened::Ready(w, facts) => (w, facts),
        Opened::Closed(status) => return Ok(status),
    };
    let (report, status) = run::run(&mut w, &facts, label, planned, &settings)?;
    w.finish(&report, status)
}
