//! `cachectl latency`: round trips sampled from here, then the latency
//! findings judged on those samples (seed 003: over 10 ms is critical).

use crate::cli::{resolve, LatencyArgs};
use crate::engine::{self, Door};
use crate::error::{CliError, Status};
use crate::latency::{self, Sampling};
use crate::render::{self, Printer};

pub fn run(args: LatencyArgs, printer: &Printer) -> Result<Status, CliError> {
    let mut door = Door::open(resolve::door(&args.common, "latency")?, printer, "latency")?;
    if door.connected() {
        let session = engine::session(&door.ctx, &door.spec)?;
        // The run's deadline bounds the sampling; a --duration longer than
        // the default deadline is its own (the last PING's reply aside),
        // but an explicit --timeout holds.
        let now = std::time::Instant::now();
        let (until, until_flag) = match (args.common.target.timeout, args.duration) {
            (None, Some(d)) => (
                door.ctx.deadline.max(now + d + door.ctx.timeouts.command),
                format!("--duration {}", crate::duration::format(d)),
            ),
            (t, _) => (
                door.ctx.deadline,
                format!(
                    "--timeout {}",
                    crate::duration::format(t.unwrap_or(door.ctx.timeouts.overall))
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
        let table = args.common.output.format() == crate::render::Format::Table;
        // A topology's other nodes are sampled at the same time, each for
        // its own findings.
        let others: Vec<(usize, crate::target::connect::Session)> = door
            .diagnosis
            .others
            .iter()
            .enumerate()
            .filter(|(_, f)| f.get("connection").is_some_and(|c| c["ok"] == true))
            .filter_map(|(i, f)| {
                engine::session(&door.ctx, &door.spec.at(f.node.addr.clone()))
                    .ok()
                    .map(|s| (i, s))
            })
            .collect();
        let (view, sampled) = door.ctx.runtime.block_on(async {
            let stop = std::sync::Arc::new(crate::interrupt::Interrupt::catch());
            let mut tasks = tokio::task::JoinSet::new();
            for (i, s) in others {
                let how = how.clone();
                let stop = stop.clone();
                tasks.spawn(async move { (i, latency::sample(&s, &how, &stop, |_| {}).await) });
            }
            let view = latency::sample(&session, &how, &stop, |w| {
                if table {
                    let _ = printer.out(&render::table::latency_line(w));
                }
            })
            .await;
            let mut sampled = Vec::new();
            while let Some(Ok((i, v))) = tasks.join_next().await {
                if let Some(v) = v {
                    sampled.push((i, v));
                }
            }
            sampled.sort_by_key(|(i, _)| *i);
            (view, sampled)
        });
        if view.is_none() {
            printer.status(
                "no PING was answered while sampling: the round trips shown are the diagnosis's own",
            );
        }
        if let Some(mut view) = view {
            // The runbooks judge these samples, not the diagnosis's burst.
            let diagnosis = &mut door.diagnosis;
            diagnosis
                .facts
                .values
                .insert("ping".into(), view.overall.ping_fact());
            if !sampled.is_empty() {
                view.nodes.push(latency::NodeLatency {
                    node: diagnosis.facts.node.addr.to_string(),
                    figures: view.overall,
                    errors: view.errors,
                });
            }
            for (i, v) in sampled {
                let node = &mut diagnosis.others[i];
                node.values.insert("ping".into(), v.overall.ping_fact());
                view.nodes.push(latency::NodeLatency {
                    node: node.node.addr.to_string(),
                    figures: v.overall,
                    errors: v.errors,
                });
            }
            diagnosis.reassess(&door.ctx);
            diagnosis.report.latency = Some(view);
        }
    }
    door.finish(render::table::latency)
}
