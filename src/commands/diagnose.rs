//! `cachectl diagnose`: glue between its flags and the engine.

use crate::cli::{resolve, DiagnoseArgs};
use crate::engine::{self, fleet, Context};
use crate::error::{CliError, Status};
use crate::facts::record::Recorded;
use crate::facts::Facts;
use crate::render::{self, Printer};

pub fn run(args: &DiagnoseArgs, printer: &Printer) -> Result<Status, CliError> {
    if !args.fleet.is_empty() {
        return fleet(args, printer);
    }
    if let Some(path) = &args.from_snapshot {
        let ctx = Context::new(printer, resolve::timeouts(&args.target), "diagnose")?;
        let set = resolve::runbooks(&args.runbooks, &args.only, &args.skip)?;
        let report = engine::snapshot::replay(&ctx, path, &set)?;
        ctx.emit(
            args.output.format(),
            &report,
            None,
            render::document::Part::Diagnosis,
        )?;
        return Ok(report.status);
    }
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

/// A fleet (`--context a,b`, `--all-contexts`, `--targets`): each member's
/// flags into its settings, all diagnosed at once within --timeout, one
/// document for them all; the exit code the worst.
fn fleet(args: &DiagnoseArgs, printer: &Printer) -> Result<Status, CliError> {
    let members: Vec<fleet::Member> = args
        .fleet
        .iter()
        .map(|m| fleet::Member {
            name: m.name.clone(),
            settings: m
                .args
                .clone()
                .and_then(|a| settings(*a).map_err(|e| e.to_string())),
        })
        .collect();
    let within = resolve::timeouts(&args.target).overall;
    let parallel = usize::try_from(args.parallel).unwrap_or(1);
    let entries = fleet::run(&members, parallel, within);
    let doc = render::document::Document::Fleet {
        command: "diagnose",
        entries: &entries,
    };
    args.output.format().renderer().render(&doc, printer)?;
    Ok(crate::findings::fleet::worst(&entries))
}

fn settings(a: DiagnoseArgs) -> Result<fleet::Settings, CliError> {
    let timeouts = resolve::timeouts(&a.target);
    Ok(fleet::Settings {
        spec: resolve::target(&a.target)?,
        app: resolve::app(&a.app, a.interval, &timeouts)?,
        timeouts,
        load: Box::new(move || resolve::runbooks(&a.runbooks, &a.only, &a.skip)),
    })
}
