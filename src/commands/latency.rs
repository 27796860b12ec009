//! `cachectl latency`: round trips sampled from here, then the latency
//! findings judged on those samples (seed 003: over 10 ms is critical).

use crate::cli::{LatencyArgs, OutputFormat};
use crate::engine::{self, Door};
use crate::error::{CliError, Status};
use crate::latency::{self, Sampling};
use crate::render::{self, Printer};

pub fn run(args: LatencyArgs, printer: &Printer) -> Result<Status, CliError> {
    let mut door = Door::open(&args.common, printer, "latency", None)?;
    if door.connected() {
        let session = engine::session(&door.ctx, &door.spec)?;
        let how = Sampling {
            count: args.count,
            duration: args.duration,
            every: args.every,
            interval: args.interval,
        };
        let table = args.common.output.output == OutputFormat::Table;
        let view = door
            .ctx
            .runtime
            .block_on(latency::sample(&session, &how, |w| {
                if table {
                    let _ = printer.out(&render::table::latency_line(w));
                }
            }));
        if let Some(view) = view {
            // The runbooks judge these samples, not the diagnosis's burst.
            let diagnosis = &mut door.diagnosis;
            diagnosis
                .facts
                .values
                .insert("ping".into(), view.overall.ping_fact());
            diagnosis.reassess(&door.ctx);
            diagnosis.report.latency = Some(view);
        }
    }
    door.finish(render::table::latency)
}
