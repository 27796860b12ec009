//! `cachectl latency`: round trips sampled from here (`latency::sample_nodes`),
//! then the latency findings judged on those samples (seed 003: over 10 ms
//! is critical).

use crate::cli::{resolve, LatencyArgs};
use crate::engine::{self, Door};
use crate::error::{CliError, Status};
use crate::latency::{self, NodeLatency, Sampling};
use crate::render::view::DoorView;
use crate::render::{self, Printer};

pub fn run(args: &LatencyArgs, printer: &Printer) -> Result<Status, CliError> {
    let mut door = Door::open(resolve::door(&args.common, "latency")?, printer, "latency")?;
    if !door.connected() {
        return door.finish();
    }
    let session = engine::session(&door.ctx, &door.spec)?;
    // The run's deadline bounds the sampling; a --duration longer than the
    // default deadline is its own (the last PING's reply aside), but an
    // explicit --timeout holds.
    let now = std::time::Instant::now();
    let ctx = &door.ctx;
    let (until, until_flag) = match (args.common.target.timeout, args.duration) {
        (None, Some(d)) => (
            ctx.deadline.max(now + d + ctx.timeouts.command),
            format!("--duration {}", crate::duration::format(d)),
        ),
        (t, _) => (
            ctx.deadline,
            format!(
                "--timeout {}",
                crate::duration::format(t.unwrap_or(ctx.timeouts.overall))
            ),
        ),
    };
    let how = Sampling {
        count: args.count,
        duration: args.duration,
        every: args.every,
        interval: args.interval,
        until: tokio::time::Instant::from_std(until),
        until_flag,
    };
    let table = args.common.output.format() == render::Format::Table;
    // A topology's other nodes are sampled at the same time, each for its
    // own findings.
    let others = door
        .diagnosis
        .others
        .iter()
        .enumerate()
        .filter(|(_, f)| f.get("connection").is_some_and(|c| c["ok"] == true))
        .filter_map(|(i, f)| {
            let node = door.spec.at(f.node.addr.clone());
            engine::session(ctx, &node).ok().map(|s| (i, s))
        })
        .collect();
    let (view, sampled) =
        ctx.runtime
            .block_on(latency::sample_nodes(&session, others, &how, |w| {
                if table {
                    let _ = printer.out(&render::table::latency_line(w));
                }
            }));
    let Some(mut view) = view else {
        printer.status(
            "no PING was answered while sampling: the round trips shown are the diagnosis's own",
        );
        return door.finish();
    };
    // The runbooks judge these samples, not the diagnosis's burst.
    let diagnosis = &mut door.diagnosis;
    diagnosis
        .facts
        .values
        .insert("ping".into(), view.overall.ping_fact());
    for (i, v) in sampled {
        let node = &mut diagnosis.others[i];
        node.values.insert("ping".into(), v.overall.ping_fact());
        view.nodes.push(NodeLatency {
            node: node.node.addr.to_string(),
            figures: v.overall,
            errors: v.errors,
        });
    }
    diagnosis.reassess(&door.ctx);
    diagnosis.view = Some(DoorView::Latency { latency: view });
    door.finish()
}
