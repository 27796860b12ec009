//! `cachectl latency`: round trips sampled from here, then the latency
//! findings judged on those samples (seed 003: over 10 ms is critical).

use crate::cli::{LatencyArgs, OutputFormat};
use crate::engine::{self, resolve, Context};
use crate::error::{CliError, Status};
use crate::latency::{self, Sampling};
use crate::render::{self, Printer};

pub fn run(args: LatencyArgs, printer: &Printer) -> Result<Status, CliError> {
    let common = &args.common;
    let policy = resolve::fix_policy(&common.fix)?;
    let spec = resolve::target(&common.target)?;
    let ctx = Context::new(printer, resolve::timeouts(&common.target))?;
    let mut diagnosis = engine::diagnose(&ctx, &spec, None, || {
        Ok(resolve::runbooks(&common.runbooks, &[], &[])?.with_topic("latency"))
    })?;
    if diagnosis
        .facts
        .get("connection")
        .is_some_and(|c| c["ok"] == true)
    {
        let session = engine::session(&ctx, &spec)?;
        let how = Sampling {
            count: args.count,
            duration: args.duration,
            every: args.every,
            interval: args.interval,
        };
        let table = common.output.output == OutputFormat::Table;
        let view = ctx.runtime.block_on(latency::sample(&session, &how, |w| {
            if table {
                let _ = printer.out(&render::table::latency_line(w));
            }
        }));
        if let Some(view) = view {
            // The runbooks judge these samples, not the diagnosis's burst.
            diagnosis
                .facts
                .values
                .insert("ping".into(), view.overall.ping_fact());
            diagnosis.reassess(&ctx);
            diagnosis.report.latency = Some(view);
        }
    }
    engine::finish(
        &ctx,
        &spec,
        diagnosis,
        policy,
        common.output.output,
        render::table::latency,
    )
}
