//! A failover sent: the preflight on every node that receives a
//! command, one consent, the audited steps, the watch, and the verdict.

use tokio::time::Instant;

use super::plan::{self, describe, usage, FailoverReport, FailoverSettings, Plan, ProbePlan, Step};
use super::probe_command;
use super::watch::{self, Watch};
use crate::engine::writer::Writer;
use crate::engine::{self, Context};
use crate::error::{CliError, Status};
use crate::http::probe::App;
use crate::model::Safety;
use crate::mutate::preflight::{self, NodeState};
use crate::mutate::{Mode, Mutator, Operation, Origin};
use crate::outcome::Outcome;
use crate::render;
use crate::target::topology::Kind;
use crate::target::{connect, NodeAddr, TargetSpec, Via};

/// What a failover run ends with: its report and status, or the gate's
/// verdict (printed already) when the node could not be reached.
pub enum Ran {
    Done(Box<FailoverReport>, Status),
    Closed(Status),
}

/// Plans the failover for the target's topology, checks it, asks, sends
/// it and watches every node agree; the report says what happened.
pub fn run(
    w: &mut Writer<'_>,
    settings: &FailoverSettings,
    app: Option<&App>,
) -> Result<Ran, CliError> {
    let spec = w.spec.clone();
    let to = settings.to.as_ref();
    let deadline = Instant::now() + w.ctx.timeouts.overall;
    let mut plan = if let Via::Sentinel(_) = &spec.via {
        let ctx = &w.ctx;
        if to.is_some() {
            return Err(usage("the Sentinels choose the replica they promote (lowest replica-priority, then the furthest ahead): --to is for a primary with replicas or a Cluster"));
        }
        ctx.runtime
            .block_on(plan::sentinel_plan(&spec, settings, ctx, deadline))?
    } else {
        let facts = match engine::reach(&w.ctx, &spec, w.format)? {
            engine::Reach::Open(r) => r.facts,
            engine::Reach::Closed(status) => return Ok(Ran::Closed(status)),
        };
        w.gated(&facts);
        let ctx = &w.ctx;
        if crate::engine::topology::is_cluster(&spec, &facts) {
            ctx.runtime
                .block_on(plan::cluster_plan(&spec, settings, ctx, to))?
        } else if facts.node.role == crate::target::Role::Replica {
            let primary = facts
                .get("role")
                .and_then(|r| r["primary"].as_str())
                .unwrap_or("its primary")
                .to_string();
            return Err(usage(format!(
                "{} is a replica: fail over from its primary (--url redis://{primary}), with --to {} to promote this one",
                spec.addr, spec.addr
            )));
        } else {
            ctx.runtime
                .block_on(plan::replication_plan(&spec, settings, ctx, to))?
        }
    };
    w.about(&plan.nodes);
    plan.report.mode = w.mode();
    plan.report.audit_log = w.audit_log();
    // The watch probes writes on the primary of the moment (not in a
    // Cluster, whose writes go to slots, not to one primary).
    if !settings.no_probe && plan.report.topology != Kind::Cluster && plan.refusal.is_none() {
        plan.report.probe = Some(ProbePlan {
            command: probe_command("<ms>").join(" "),
            every_ms: super::PROBE_EVERY_MS,
            nodes: plan.nodes.clone(),
            left_out: Vec::new(),
        });
    }
    if w.mode() == Mode::Interactive {
        // The plan before the question; the result repeats it on stdout.
        w.ctx.printer.status(&describe(&plan.report));
    }
    let (ctx, mutator) = (&w.ctx, &mut w.mutator);
    go(ctx, &spec, settings, app, &mut plan, mutator);
    let status = plan.report.outcome.status();
    Ok(Ran::Done(Box::new(plan.report), status))
}

/// The spec of a step's node: a Sentinel (its own credentials) or a data
/// node.
fn step_spec(spec: &TargetSpec, step: &Step) -> TargetSpec {
    match (&spec.via, step.sentinel) {
        (Via::Sentinel(s), true) => spec.sentinel(s, step.node.clone()),
        _ => spec.at(step.node.clone()),
    }
}

/// The one operation a failover is: its steps on their nodes and, when
/// probing, the probe writes to the nodes watched. One consent covers it
/// all and nothing else.
fn operation(report: &FailoverReport, confirm: &str) -> Operation {
    let mut commands: Vec<Vec<String>> = report.steps.iter().map(|s| s.command.clone()).collect();
    let mut targets: Vec<NodeAddr> = report.steps.iter().map(|s| s.node.clone()).collect();
    if let Some(probe) = &report.probe {
        commands.push(probe_command("<ms>"));
        targets.extend(probe.nodes.iter().cloned());
    }
    let old = report.old_primary.clone();
    Operation {
        node: old.clone().unwrap_or_else(|| targets[0].clone()),
        targets,
        db: None,
        origin: Origin::command("failover", None),
        title: format!(
            "fail over from {}{}",
            old.map(|o| o.to_string()).unwrap_or_default(),
            report
                .expected
                .as_ref()
                .map(|e| format!(" to {e}"))
                .unwrap_or_default()
        ),
        safety: Safety::Destructive,
        commands,
        count: None,
        summary: None,
        confirm: Some(confirm.to_string()),
    }
}

/// Connects to every node the operation sends to and pre-flights what it
/// receives there (renamed or disabled, ACL): the steps on their nodes, and
/// the probe's SET on each node watched (a replica is expected to refuse
/// it until promoted: that is what the probe measures, so the replica
/// check does not apply to it). A watched node that cannot be reached is
/// left out of the probe (it is returned, to be said), not a refusal.
async fn preflight(
    spec: &TargetSpec,
    ctx: &Context<'_>,
    steps: &[Step],
    probe: Option<&mut ProbePlan>,
) -> Result<(), String> {
    let mut wants: Vec<(Step, bool)> = steps.iter().map(|s| (s.clone(), false)).collect();
    let mut probe = probe;
    if let Some(p) = &probe {
        for n in &p.nodes {
            let step = Step {
                node: n.clone(),
                sentinel: false,
                command: probe_command("<ms>"),
            };
            wants.push((step, true));
        }
    }
    let sentinel_user = match &spec.via {
        Via::Sentinel(s) => s.username.clone(),
        _ => None,
    };
    for (step, probing) in wants {
        let session = match connect::connect(&step_spec(spec, &step), &ctx.timeouts).await {
            Ok(s) => s,
            Err(f) if probing => {
                if let Some(p) = probe.as_deref_mut() {
                    p.nodes.retain(|n| *n != step.node);
                    p.left_out.push(format!("{}: {}", step.node, f.detail));
                }
                continue;
            }
            Err(f) => return Err(format!("cannot connect to {}: {}", step.node, f.detail)),
        };
        let user = if step.sentinel {
            sentinel_user.clone()
        } else {
            spec.username.clone()
        }
        .unwrap_or_else(|| "default".into());
        let mut node = NodeState::of(&session, &user).await;
        if probing {
            node.is_replica = false;
        }
        preflight::check(&session, &node, std::slice::from_ref(&step.command))
            .await
            .map_err(|why| format!("{}: {why}", step.node))?;
    }
    Ok(())
}

/// Pre-flight, consent, the commands, the watch.
fn go(
    ctx: &Context<'_>,
    spec: &TargetSpec,
    settings: &FailoverSettings,
    app: Option<&App>,
    plan: &mut Plan,
    mutator: &mut Mutator,
) {
    if let Some(why) = &plan.refusal {
        plan.report.outcome = Outcome::Refused;
        plan.report.reason = why.clone();
        return;
    }
    if plan.forced && mutator.policy.mode == Mode::Yes {
        plan.report.outcome = Outcome::Skipped;
        plan.report.reason = "CLUSTER FAILOVER FORCE or TAKEOVER runs only interactively, with the mode and the replica typed back".into();
        return;
    }
    let report = &mut plan.report;
    // Nothing is sent, not even a pre-flight, under --dry-run: the plan is
    // what it prints.
    if mutator.policy.mode != Mode::DryRun {
        let steps = report.steps.clone();
        if let Err(why) = ctx
            .runtime
            .block_on(preflight(spec, ctx, &steps, report.probe.as_mut()))
        {
            report.outcome = Outcome::Blocked;
            report.reason = why;
            return;
        }
    }
    let probe = report.probe.is_some();
    let op = operation(report, &plan.confirm);
    let consent = match mutator.consent(&op) {
        Ok(consent) => consent,
        Err(held) => {
            report.outcome = held.outcome;
            report.reason = held.reason;
            return;
        }
    };
    report.app_before = app.map(|a| ctx.runtime.block_on(ready(a)));
    let requested = Instant::now();
    for step in report.steps.clone() {
        let node_spec = step_spec(spec, &step);
        let on = Operation {
            node: step.node.clone(),
            targets: Vec::new(),
            commands: vec![step.command.clone()],
            ..op.clone()
        };
        let sent = ctx.runtime.block_on(async {
            let session = connect::connect(&node_spec, &ctx.timeouts)
                .await
                .map_err(|f| format!("cannot connect to {}: {}", step.node, f.detail))?;
            let mut pipe = redis::pipe();
            let cmd = pipe.cmd(&step.command[0]);
            for a in &step.command[1..] {
                cmd.arg(a);
            }
            let replies = mutator
                .send_audited(&session, &on, &consent, &pipe, step.command.join(" "))
                .await
                .map_err(|e| e.reason)?;
            match replies.first() {
                Some(redis::Value::ServerError(e)) => Err(format!(
                    "{} answered {}",
                    step.node,
                    render::clean(&format!("{} {}", e.code(), e.details().unwrap_or_default()))
                )),
                _ => Ok(()),
            }
        });
        if let Err(why) = sent {
            report.outcome = Outcome::Failed;
            report.reason = why;
            return;
        }
    }
    let watch = Watch {
        spec,
        timeouts: &ctx.timeouts,
        old: report
            .old_primary
            .clone()
            .expect("a plan that is not refused names the primary"),
        expect: match report.topology {
            Kind::Sentinel => None,
            _ => report.expected.clone(),
        },
        nodes: plan.nodes.clone(),
        sentinels: match &spec.via {
            Via::Sentinel(s) => Some(s),
            _ => None,
        },
        wait: settings.wait,
        probe: probe.then_some(&consent),
    };
    let stop = ctx
        .runtime
        .block_on(async { crate::interrupt::Interrupt::catch() });
    let watched = if probe {
        let on = Operation {
            commands: vec![probe_command("<ms>")],
            targets: report
                .probe
                .as_ref()
                .map(|p| p.nodes.clone())
                .unwrap_or_default(),
            summary: Some(format!(
                "{} every {} ms on the primary of the moment, until every node agrees or --wait",
                probe_command("<ms>").join(" "),
                super::PROBE_EVERY_MS
            )),
            ..op.clone()
        };
        let shown = on.summary.clone().unwrap_or_default();
        let work = async { Ok(watch::watch(&watch, requested, &stop).await) };
        ctx.runtime
            .block_on(mutator.audited(&on, &consent, shown, work, |w| {
                format!(
                    "{} probe writes sent, {} refused",
                    w.timeline.probe_writes, w.timeline.writes_refused
                )
            }))
            .map_err(|e| e.reason)
    } else {
        Ok(ctx.runtime.block_on(watch::watch(&watch, requested, &stop)))
    };
    let watched = match watched {
        Ok(w) => w,
        Err(why) => {
            report.outcome = Outcome::Unverified;
            report.reason =
                format!("the failover was requested, but the watch could not run: {why}");
            return;
        }
    };
    report.app_after = app.map(|a| ctx.runtime.block_on(ready(a)));
    report.nodes_after = watched.after;
    report.new_primary = watched.new;
    let second = match watched.timeline.primaries.as_slice() {
        [] | [_] => String::new(),
        many => format!(
            "; a second failover happened during the watch: {}",
            many.join(", then ")
        ),
    };
    report.timeline = Some(watched.timeline);
    let wait = settings.wait;
    let (outcome, reason) = match watched.verdict {
        super::Verdict::Agreed => (Outcome::Applied, second.trim_start_matches("; ").to_string()),
        super::Verdict::Split(roles) => (
            Outcome::Split,
            format!(
                "more than one node says it is the primary: {}{second}",
                roles.join("; ")
            ),
        ),
        super::Verdict::Unreachable(nodes) => (
            Outcome::Unverified,
            format!(
                "{} did not answer (a reconnect was tried): whether they follow the new primary is not known{second}",
                nodes.join(", ")
            ),
        ),
        super::Verdict::Promoted => (
            Outcome::Unverified,
            format!(
                "the new primary was promoted, but not every node{} agreed on it within --wait {wait:?}{second}",
                if report.topology == Kind::Sentinel { " and Sentinel" } else { "" },
            ),
        ),
        super::Verdict::NotPromoted => (
            Outcome::Failed,
            format!("no replica was promoted within --wait {wait:?}{second}"),
        ),
        super::Verdict::Interrupted => (
            Outcome::Unverified,
            "interrupted (Ctrl-C) while watching: the failover was requested and may finish without cachectl; check where each node ended".to_string(),
        ),
    };
    report.outcome = outcome;
    report.reason = reason;
}

/// /health/ready's status, or why there was none.
async fn ready(app: &App) -> String {
    match app
        .warm(reqwest::Method::GET, app.join("/health/ready"))
        .await
    {
        Ok(status) => status.to_string(),
        Err(why) => why,
    }
}
