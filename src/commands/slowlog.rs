//! `cachectl slowlog`: the latency findings of the engine's diagnosis, and
//! the whole slow log grouped, commandstats, errorstats and the latency
//! monitor.

use redis::Value;

use crate::cli::{resolve, CommonArgs};
use crate::engine::{self, Door};
use crate::error::{CliError, Status};
use crate::redis::slowlog as parser;
use crate::render::{self, Printer};
use crate::slowlog::{self, SlowlogView};

pub fn run(args: CommonArgs, printer: &Printer) -> Result<Status, CliError> {
    let mut door = Door::open(resolve::door(&args, "slowlog")?, printer, "latency")?;
    if door.connected() {
        let (ctx, spec, diagnosis) = (&door.ctx, &door.spec, &mut door.diagnosis);
        let config = |p: &str| {
            diagnosis
                .facts
                .get("config")
                .and_then(|c| c[p].as_str())
                .and_then(|v| v.parse::<i64>().ok())
        };
        let max_len = config("slowlog-max-len").unwrap_or(128).max(1);
        let slower_than = config("slowlog-log-slower-than").unwrap_or(-1);
        let monitor_on = config("latency-monitor-threshold").unwrap_or(0) > 0;
        let events: Vec<String> = diagnosis
            .facts
            .get("latency")
            .and_then(|l| l["events"].as_array())
            .map(|e| {
                e.iter()
                    .filter_map(|x| x["event"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let session = engine::session(ctx, spec)?;
        // One round trip: the whole log (up to slowlog-max-len, not a fixed
        // newest 128), each event's history, and the doctor when it is on.
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        pipe.cmd("SLOWLOG").arg("GET").arg(max_len);
        for event in &events {
            pipe.cmd("LATENCY").arg("HISTORY").arg(event);
        }
        if monitor_on {
            pipe.cmd("LATENCY").arg("DOCTOR");
        }
        let replies: Vec<Value> = ctx
            .runtime
            .block_on(session.query_pipeline(&pipe))
            .unwrap_or_default();
        let mut replies = replies.into_iter();
        let entries = replies
            .next()
            .map(|v| parser::parse(&v))
            .unwrap_or_default();
        let mut history = serde_json::Map::new();
        for (event, reply) in events.iter().zip(replies.by_ref()) {
            if let Value::Array(points) = reply {
                let points: Vec<serde_json::Value> = points
                    .iter()
                    .filter_map(|p| match p {
                        Value::Array(pair) if pair.len() == 2 => Some(serde_json::json!({
                            "timestamp": crate::redis::reply::int(&pair[0]).unwrap_or(0),
                            "ms": crate::redis::reply::int(&pair[1]).unwrap_or(0),
                        })),
                        _ => None,
                    })
                    .collect();
                history.insert(event.clone(), points.into());
            }
        }
        let doctor = replies.next().and_then(|v| crate::redis::reply::text(&v));
        // The other nodes of a topology: their whole slow logs too, grouped
        // as one with the nodes named, and commandstats summed.
        let mut logs = vec![(spec.addr.to_string(), entries.clone())];
        for other in &diagnosis.others {
            if !other.get("connection").is_some_and(|c| c["ok"] == true) {
                continue;
            }
            let len = other
                .get("config")
                .and_then(|c| c["slowlog-max-len"].as_str())
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(128)
                .max(1);
            let node = spec.at(other.node.addr.clone());
            let got = ctx.runtime.block_on(async {
                let session = crate::target::connect::connect(&node, &ctx.timeouts)
                    .await
                    .ok()?;
                session
                    .query::<Value>(redis::cmd("SLOWLOG").arg("GET").arg(len))
                    .await
                    .ok()
            });
            if let Some(v) = got {
                logs.push((other.node.addr.to_string(), parser::parse(&v)));
            }
        }
        let stats: Vec<&serde_json::Value> = std::iter::once(&diagnosis.facts)
            .chain(diagnosis.others.iter())
            .filter_map(|f| f.get("commandstats"))
            .collect();
        let merged = slowlog::merge_commandstats(&stats);
        let (by_time_per_call, by_total_time) = slowlog::ranked(Some(&merged));
        let several = logs.len() > 1;
        let total_entries: u64 = logs.iter().map(|(_, e)| e.len() as u64).sum();
        let errors = diagnosis
            .facts
            .get("errorstats")
            .and_then(|e| serde_json::from_value(e.clone()).ok())
            .unwrap_or_default();
        diagnosis.report.slowlog = Some(SlowlogView {
            entries: total_entries,
            slower_than_us: slower_than,
            max_len,
            groups: if several {
                slowlog::group_nodes(&logs)
            } else {
                slowlog::group(&entries)
            },
            by_time_per_call,
            by_total_time,
            errors,
            latency: serde_json::json!({
                "latest": diagnosis.facts.get("latency").map(|l| l["events"].clone()),
                "history": history,
            }),
            latency_doctor: doctor,
        });
    }
    door.finish(render::table::slowlog)
}
