//! `cachectl failover`: the plan for the target's topology (Sentinel, a
//! primary with replicas, a Cluster shard), its pre-checks, one consent
//! through the mutation path, the audited commands, and the watch that
//! verifies every node (and Sentinel) agrees on the new primary.

use serde::Serialize;
use tokio::time::Instant;

use crate::cli::{FailoverArgs, OutputFormat};
use crate::engine::{self, resolve, Context};
use crate::error::{CliError, Status};
use crate::failover::{self, After, Candidate, Check, Standing, Timeline, Watch};
use crate::http::probe::App;
use crate::model::Safety;
use crate::mutate::preflight::{self, NodeState};
use crate::mutate::{Mode, Mutator, Operation, Origin};
use crate::render::{self, Printer};
use crate::target::{cluster, connect, sentinel, NodeAddr, TargetSpec, Via};

/// One command of the plan, on its node.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub node: NodeAddr,
    /// Sent to a Sentinel (its own credentials), not a data node.
    pub sentinel: bool,
    pub command: Vec<String>,
}

/// What a failover is going to do, and whether it may.
#[derive(Debug, Serialize)]
pub struct FailoverReport {
    /// sentinel, replication or cluster.
    pub topology: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master: Option<String>,
    /// None when the Sentinels did not agree on one.
    pub old_primary: Option<NodeAddr>,
    /// The replica asked for, or the one the Sentinels are expected to pick.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<NodeAddr>,
    pub candidates: Vec<Candidate>,
    pub checks: Vec<Check>,
    pub steps: Vec<Step>,
    pub mode: Mode,
    /// refused, planned, skipped, applied, unverified or failed.
    pub outcome: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_primary: Option<NodeAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    pub nodes_after: Vec<After>,
    /// The probe writes sent while watching (not in a Cluster, not with
    /// --no-probe): part of the consented operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbePlan>,
    /// /health/ready of --app before and after (status, or the failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_log: Option<String>,
}

/// The probe writes of a failover's watch, as planned.
#[derive(Debug, Clone, Serialize)]
pub struct ProbePlan {
    /// The command, `<ms>` standing for the milliseconds since the request.
    pub command: String,
    pub every_ms: u64,
    /// Sent to whichever of these is the primary of the moment.
    pub nodes: Vec<NodeAddr>,
    /// Nodes watched but left out of the probe: they could not be reached
    /// to pre-flight it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<String>,
}

fn usage(e: impl std::fmt::Display) -> CliError {
    CliError::Usage(e.to_string())
}

/// The plan before consent: the report so far, the nodes to watch, and
/// the refusal if a pre-check failed.
struct Plan {
    report: FailoverReport,
    nodes: Vec<NodeAddr>,
    refusal: Option<String>,
    /// What is typed (interactive) to consent: the primary, or the forced
    /// mode and the replica.
    confirm: String,
    /// FORCE or TAKEOVER: only with the typed confirmation.
    forced: bool,
}

pub fn run(args: FailoverArgs, printer: &Printer) -> Result<Status, CliError> {
    let policy = resolve::policy(&args.mutation)?;
    let spec = resolve::target(&args.target)?;
    let ctx = Context::new(printer, resolve::timeouts(&args.target))?;
    let to = args
        .to
        .as_deref()
        .map(NodeAddr::parse)
        .transpose()
        .map_err(|e| usage(format!("--to: {e}")))?;
    let app = match args.app.as_deref().filter(|a| !a.trim().is_empty()) {
        Some(base) => Some({
            let mut app = resolve::AppClient {
                ca: None,
                follow_redirects: false,
                interval: std::time::Duration::ZERO,
                max_body: 1 << 20,
                request_timeout: ctx.timeouts.command,
            }
            .build(base, &ctx.timeouts)?;
            resolve::headers(&args.app_header, &mut app)?;
            app
        }),
        None => None,
    };
    let deadline = Instant::now() + ctx.timeouts.overall;
    let mut plan = match &spec.via {
        Via::Sentinel(_) => {
            if to.is_some() {
                return Err(usage("the Sentinels choose the replica they promote (lowest replica-priority, then the furthest ahead): --to is for a primary with replicas or a Cluster"));
            }
            ctx.runtime
                .block_on(sentinel_plan(&spec, &args, &ctx, deadline))?
        }
        _ => {
            let facts = match engine::reach(&ctx, &spec, args.output.output)? {
                engine::Reach::Open(r) => r.facts,
                engine::Reach::Closed(status) => return Ok(status),
            };
            if crate::engine::topology::is_cluster(&spec, &facts) {
                ctx.runtime
                    .block_on(cluster_plan(&spec, &args, &ctx, to.as_ref()))?
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
                let server = facts.server();
                ctx.runtime
                    .block_on(replication_plan(&spec, &args, &ctx, to.as_ref(), server))?
            }
        }
    };
    plan.report.mode = policy.mode;
    plan.report.audit_log = policy.audit.as_ref().map(|a| a.path.display().to_string());
    // The watch probes writes on the primary of the moment (not in a
    // Cluster, whose writes go to slots, not to one primary).
    if !args.no_probe && plan.report.topology != "cluster" && plan.refusal.is_none() {
        plan.report.probe = Some(ProbePlan {
            command: probe_command().join(" "),
            every_ms: failover::PROBE_EVERY_MS,
            nodes: plan.nodes.clone(),
            left_out: Vec::new(),
        });
    }
    if policy.mode == Mode::Interactive {
        // The plan before the question; the result repeats it on stdout.
        printer.status(&describe(&plan.report));
    }
    let target = spec.redacted_url();
    let status = go(&ctx, &spec, &args, app.as_ref(), &mut plan, policy, &target);
    match args.output.output {
        OutputFormat::Json => {
            printer.out_json(&render::json::envelope("failover", &target, &plan.report))?
        }
        OutputFormat::Table => printer.out(&summary(&plan.report))?,
    }
    Ok(status)
}

/// The spec of a step's node: a Sentinel (its own credentials) or a data
/// node.
fn step_spec(spec: &TargetSpec, step: &Step) -> TargetSpec {
    match (&spec.via, step.sentinel) {
        (Via::Sentinel(s), true) => spec.sentinel(s, step.node.clone()),
        _ => spec.at(step.node.clone()),
    }
}

/// The probe's write, as it is sent (the value is the ms since the request).
fn probe_command() -> Vec<String> {
    ["SET", failover::PROBE_KEY, "<ms>", "PX", "5000"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// The one operation a failover is: its steps on their nodes and, when
/// probing, the probe writes to the nodes watched. One consent covers it
/// all and nothing else.
fn operation(report: &FailoverReport, confirm: &str) -> Operation {
    let mut commands: Vec<Vec<String>> = report.steps.iter().map(|s| s.command.clone()).collect();
    let mut targets: Vec<NodeAddr> = report.steps.iter().map(|s| s.node.clone()).collect();
    if let Some(probe) = &report.probe {
        commands.push(probe_command());
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
                command: probe_command(),
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
        let user = match step.sentinel {
            true => sentinel_user.clone(),
            false => spec.username.clone(),
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
    args: &FailoverArgs,
    app: Option<&App>,
    plan: &mut Plan,
    policy: crate::mutate::Policy,
    target: &str,
) -> Status {
    if let Some(why) = &plan.refusal {
        plan.report.outcome = "refused".into();
        plan.report.reason = why.clone();
        return Status::Critical;
    }
    if plan.forced && policy.mode == Mode::Yes {
        plan.report.outcome = "skipped".into();
        plan.report.reason = "CLUSTER FAILOVER FORCE or TAKEOVER runs only interactively, with the mode and the replica typed back".into();
        return Status::Unknown;
    }
    let report = &mut plan.report;
    // Nothing is sent, not even a pre-flight, under --dry-run: the plan is
    // what it prints.
    if policy.mode != Mode::DryRun {
        let steps = report.steps.clone();
        if let Err(why) = ctx
            .runtime
            .block_on(preflight(spec, ctx, &steps, report.probe.as_mut()))
        {
            report.outcome = "blocked".into();
            report.reason = why;
            return Status::Unknown;
        }
    }
    let probe = report.probe.is_some();
    let op = operation(report, &plan.confirm);
    let mut mutator = Mutator::new(policy, target.to_string());
    let consent = match mutator.consent(&op) {
        Ok(consent) => consent,
        Err(held) => {
            report.outcome = held.outcome.into();
            report.reason = held.reason.clone();
            return held.status();
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
            report.outcome = "failed".into();
            report.reason = why;
            return Status::Critical;
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
            "sentinel" => None,
            _ => report.expected.clone(),
        },
        nodes: plan.nodes.clone(),
        sentinels: match &spec.via {
            Via::Sentinel(s) => Some(s),
            _ => None,
        },
        wait: args.wait,
        probe: probe.then_some(&consent),
    };
    let stop = ctx
        .runtime
        .block_on(async { crate::interrupt::Interrupt::catch() });
    let watched = match probe {
        // The probe writes are part of the operation: one audit record
        // before the watch starts, one with their count after.
        true => {
            let on = Operation {
                commands: vec![probe_command()],
                targets: report
                    .probe
                    .as_ref()
                    .map(|p| p.nodes.clone())
                    .unwrap_or_default(),
                summary: Some(format!(
                    "{} every {} ms on the primary of the moment, until every node agrees or --wait",
                    probe_command().join(" "),
                    failover::PROBE_EVERY_MS
                )),
                ..op.clone()
            };
            let shown = on.summary.clone().unwrap_or_default();
            let work = async { Ok(failover::watch(&watch, requested, &stop).await) };
            ctx.runtime
                .block_on(mutator.audited(&on, &consent, shown, work, |w| {
                    format!(
                        "{} probe writes sent, {} refused",
                        w.timeline.probe_writes, w.timeline.writes_refused
                    )
                }))
                .map_err(|e| e.reason)
        }
        false => Ok(ctx
            .runtime
            .block_on(failover::watch(&watch, requested, &stop))),
    };
    let watched = match watched {
        Ok(w) => w,
        Err(why) => {
            report.outcome = "unverified".into();
            report.reason =
                format!("the failover was requested, but the watch could not run: {why}");
            return Status::Critical;
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
    let wait = args.wait;
    let (outcome, reason, status) = match watched.verdict {
        failover::Verdict::Agreed => ("applied", second.trim_start_matches("; ").to_string(), Status::Ok),
        failover::Verdict::Split(roles) => (
            "split",
            format!(
                "more than one node says it is the primary: {}{second}",
                roles.join("; ")
            ),
            Status::Critical,
        ),
        failover::Verdict::Unreachable(nodes) => (
            "unverified",
            format!(
                "{} did not answer (a reconnect was tried): whether they follow the new primary is not known{second}",
                nodes.join(", ")
            ),
            Status::Critical,
        ),
        failover::Verdict::Promoted => (
            "unverified",
            format!(
                "the new primary was promoted, but not every node{} agreed on it within --wait {wait:?}{second}",
                if report.topology == "sentinel" { " and Sentinel" } else { "" },
            ),
            Status::Critical,
        ),
        failover::Verdict::NotPromoted => (
            "failed",
            format!("no replica was promoted within --wait {wait:?}{second}"),
            Status::Critical,
        ),
        failover::Verdict::Interrupted => (
            "unverified",
            "interrupted (Ctrl-C) while watching: the failover was requested and may finish without cachectl; check where each node ended".to_string(),
            Status::Critical,
        ),
    };
    report.outcome = outcome.into();
    report.reason = reason;
    status
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

/// Judges the primary's replicas (their ROLE and priority), all asked at
/// once and under the run's deadline: twenty hung replicas cost one
/// command timeout, not twenty.
async fn candidates(
    spec: &TargetSpec,
    ctx: &Context<'_>,
    primary: &Standing,
    replicas: &[(NodeAddr, bool)],
    args: &FailoverArgs,
) -> Vec<Candidate> {
    let deadline = Instant::from_std(ctx.deadline);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (addr, _)) in replicas.iter().enumerate() {
        let (node, timeouts) = (spec.at(addr.clone()), ctx.timeouts);
        tasks.spawn(async move {
            let state = tokio::time::timeout_at(deadline, failover::state(&node, &timeouts))
                .await
                .unwrap_or_else(|_| {
                    failover::unanswered(&node.addr, "the run's deadline (--timeout) passed")
                });
            (i, state)
        });
    }
    let mut states: Vec<(usize, Standing)> = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok(s) = done {
            states.push(s);
        }
    }
    states.sort_by_key(|(i, _)| *i);
    states
        .into_iter()
        .map(|(i, state)| failover::judge(state, primary, replicas[i].1, args.max_lag, args.force))
        .collect()
}

/// min-replicas-to-write on the primary, against the replicas the new
/// primary will have (the others, and the old primary once it follows).
/// min-replicas-to-write on the primary, against the replicas the new
/// primary will have (the others, and the old primary once it follows).
fn min_replicas_check(primary: &Standing, replicas: usize) -> Check {
    match primary.min_replicas {
        Some(n) => Check {
            name: "min-replicas",
            ok: replicas >= n,
            detail: format!(
                "min-replicas-to-write {n}; the new primary will have {replicas} replicas (the others and the old primary)"
            ),
        },
        None => Check {
            name: "min-replicas",
            ok: true,
            detail: "min-replicas-to-write could not be read (CONFIG refused): not checked".into(),
        },
    }
}

/// The replica to promote (`to`, or the best fit), as a pre-check.
fn fit_replica(
    candidates: &[Candidate],
    to: Option<&NodeAddr>,
    checks: &mut Vec<Check>,
) -> Option<NodeAddr> {
    match failover::choose(candidates, to) {
        Ok(c) => {
            checks.push(Check {
                name: "fit replica",
                ok: true,
                detail: format!("{} ({} bytes behind)", c.state.addr, c.lag_bytes),
            });
            NodeAddr::parse(&c.state.addr).ok()
        }
        Err(why) => {
            checks.push(Check {
                name: "fit replica",
                ok: false,
                detail: why,
            });
            None
        }
    }
}

impl Plan {
    /// The plan from its report and pre-checks: the nodes to watch are the
    /// old primary and its replicas; any failed check refuses it.
    fn of(
        mut report: FailoverReport,
        checks: Vec<Check>,
        replicas: &[(NodeAddr, bool)],
        confirm: String,
        forced: bool,
    ) -> Plan {
        let refusal = refusal(&checks);
        report.checks = checks;
        let mut nodes: Vec<NodeAddr> = report.old_primary.iter().cloned().collect();
        nodes.extend(replicas.iter().map(|r| r.0.clone()));
        Plan {
            report,
            nodes,
            refusal,
            confirm,
            forced,
        }
    }
}

fn refusal(checks: &[Check]) -> Option<String> {
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect();
    (!failed.is_empty()).then(|| format!("refused: {}", failed.join("; ")))
}

fn skeleton(topology: &'static str, old: Option<NodeAddr>) -> FailoverReport {
    FailoverReport {
        topology,
        master: None,
        old_primary: old,
        expected: None,
        candidates: Vec::new(),
        checks: Vec::new(),
        steps: Vec::new(),
        mode: Mode::DryRun,
        outcome: String::new(),
        reason: String::new(),
        new_primary: None,
        timeline: None,
        probe: None,
        nodes_after: Vec::new(),
        app_before: None,
        app_after: None,
        audit_log: None,
    }
}

async fn sentinel_plan(
    spec: &TargetSpec,
    args: &FailoverArgs,
    ctx: &Context<'_>,
    deadline: Instant,
) -> Result<Plan, CliError> {
    let Via::Sentinel(target) = &spec.via else {
        unreachable!("a Sentinel target")
    };
    let topo = sentinel::discover(spec, target, &ctx.timeouts, deadline).await;
    let f = &topo.fact;
    crate::engine::topology::unknown_master(&target.master, f)?;
    // A failover is authorised by a majority of all the Sentinels there
    // are, agreeing on the primary: a minority that has not yet noticed
    // the others are gone must not start one.
    let unreachable: Vec<&str> = f["unreachable"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u.as_str())
        .collect();
    let named: Vec<String> = crate::target::sentinel::namings(f)
        .into_iter()
        .map(|(primary, by)| format!("{primary} by {by}"))
        .collect();
    let mut checks = vec![
        Check {
            name: "sentinels",
            ok: f["majority"] == true,
            detail: format!(
                "{} of {} answered{}{}",
                f["reachable"],
                f["expected"],
                if f["majority"] == true {
                    ""
                } else {
                    ", not a majority"
                },
                if unreachable.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", unreachable.join("; "))
                }
            ),
        },
        Check {
            name: "quorum",
            ok: f["quorum_ok"] == true,
            detail: format!(
                "SENTINEL CKQUORUM: {}",
                f["ckquorum"].as_str().unwrap_or_default()
            ),
        },
        Check {
            name: "agreement",
            ok: f["agree"] == true && topo.primary().is_some(),
            detail: if named.is_empty() {
                "no Sentinel named a primary".into()
            } else {
                format!("primary named: {}", named.join("; "))
            },
        },
    ];
    let Some(old) = topo.primary().cloned() else {
        let mut report = skeleton("sentinel", None);
        report.master = Some(target.master.clone());
        return Ok(Plan::of(report, checks, &[], String::new(), false));
    };
    let mut report = skeleton("sentinel", Some(old.clone()));
    report.master = Some(target.master.clone());
    let primary = failover::state(&spec.at(old.clone()), &ctx.timeouts).await;
    let replicas: Vec<(NodeAddr, bool)> = topo
        .members
        .iter()
        .filter(|m| m.addr != old)
        .map(|m| {
            let down = f["replicas"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r["addr"] == m.addr.to_string() && r["down"] == true);
            (m.addr.clone(), down)
        })
        .collect();
    report.candidates = candidates(spec, ctx, &primary, &replicas, args).await;
    match failover::choose(&report.candidates, None) {
        Ok(c) => {
            report.expected = NodeAddr::parse(&c.state.addr).ok();
            checks.push(Check {
                name: "fit replica",
                ok: true,
                detail: format!("{} (expected: the Sentinels choose)", c.state.addr),
            });
        }
        Err(why) => checks.push(Check {
            name: "fit replica",
            ok: false,
            detail: why,
        }),
    }
    checks.push(min_replicas_check(&primary, replicas.len()));
    let asked = topo.asked.clone();
    report.steps = vec![Step {
        node: asked,
        sentinel: true,
        command: vec!["SENTINEL".into(), "FAILOVER".into(), target.master.clone()],
    }];
    Ok(Plan::of(report, checks, &replicas, old.to_string(), false))
}

async fn replication_plan(
    spec: &TargetSpec,
    args: &FailoverArgs,
    ctx: &Context<'_>,
    to: Option<&NodeAddr>,
    server: Option<crate::facts::server::ServerId>,
) -> Result<Plan, CliError> {
    let primary = failover::state(spec, &ctx.timeouts).await;
    let old = spec.addr.clone();
    let mut report = skeleton("replication", Some(old.clone()));
    if !primary.reachable {
        return Err(CliError::Other(anyhow::anyhow!(
            "cannot read ROLE on {old}: {}",
            primary.error
        )));
    }
    let replicas: Vec<(NodeAddr, bool)> = primary
        .replicas
        .iter()
        .filter_map(|r| NodeAddr::parse(r).ok().map(|a| (a, false)))
        .collect();
    report.candidates = candidates(spec, ctx, &primary, &replicas, args).await;
    let mut checks = Vec::new();
    let chosen = fit_replica(&report.candidates, to, &mut checks);
    checks.push(min_replicas_check(&primary, replicas.len()));
    report.expected = chosen.clone();
    if let Some(new) = &chosen {
        let (host, port) = (new.host(), new.port().to_string());
        if server.as_ref().is_some_and(|s| s.has("6.2")) {
            // The primary pauses writes, waits for the replica to catch up,
            // then swaps roles with it: nothing acknowledged is lost.
            let mut cmd: Vec<String> = ["FAILOVER", "TO", &host, &port, "TIMEOUT", "10000"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            if args.force {
                cmd.push("FORCE".into());
            }
            report.steps.push(Step {
                node: old.clone(),
                sentinel: false,
                command: cmd,
            });
            // FAILOVER leaves the other replicas on the old primary (now a
            // replica itself): repoint them at the new one.
            for (n, _) in &replicas {
                if n != new {
                    report.steps.push(Step {
                        node: n.clone(),
                        sentinel: false,
                        command: vec!["REPLICAOF".into(), host.clone(), port.clone()],
                    });
                }
            }
        } else {
            report.steps.push(Step {
                node: new.clone(),
                sentinel: false,
                command: vec!["REPLICAOF".into(), "NO".into(), "ONE".into()],
            });
            for n in std::iter::once(&old).chain(replicas.iter().map(|r| &r.0)) {
                if n != new {
                    report.steps.push(Step {
                        node: n.clone(),
                        sentinel: false,
                        command: vec!["REPLICAOF".into(), host.clone(), port.clone()],
                    });
                }
            }
        }
    }
    Ok(Plan::of(report, checks, &replicas, old.to_string(), false))
}

async fn cluster_plan(
    spec: &TargetSpec,
    args: &FailoverArgs,
    ctx: &Context<'_>,
    to: Option<&NodeAddr>,
) -> Result<Plan, CliError> {
    let nodes = cluster::nodes_at(spec, &ctx.timeouts)
        .await
        .map_err(|e| CliError::Other(anyhow::anyhow!(e)))?;
    let me = nodes
        .iter()
        .find(|n| n.has("myself"))
        .ok_or_else(|| usage("CLUSTER NODES has no `myself` line"))?;
    // The shard: the target's primary (itself, or the one it replicates).
    let primary = match &me.primary_id {
        Some(id) => nodes.iter().find(|n| &n.id == id).ok_or_else(|| {
            usage(format!(
                "{}'s primary {id} is not in CLUSTER NODES",
                me.addr
            ))
        })?,
        None => me,
    };
    let old = primary.addr.clone();
    let mut report = skeleton("cluster", Some(old.clone()));
    let replicas: Vec<(NodeAddr, bool)> = nodes
        .iter()
        .filter(|n| n.primary_id.as_deref() == Some(primary.id.as_str()))
        .map(|n| (n.addr.clone(), n.has("fail") || n.has("fail?")))
        .collect();
    let primary_state = failover::state(&spec.at(old.clone()), &ctx.timeouts).await;
    report.candidates = candidates(spec, ctx, &primary_state, &replicas, args).await;
    let forced = args.cluster_force || args.takeover;
    if forced {
        // The primary may be down: its offset cannot be compared, and a
        // replica's link to it is expectedly broken.
        for c in &mut report.candidates {
            if c.state.reachable && c.state.role == "slave" {
                c.fit = true;
                c.why_not.clear();
            }
        }
    }
    // A replica named as the target is the one to promote.
    let wanted = to
        .cloned()
        .or_else(|| (me.primary_id.is_some()).then(|| me.addr.clone()));
    let mut checks = vec![Check {
        name: "primary",
        ok: forced || !primary.has("fail"),
        detail: if primary.has("fail") {
            format!(
                "{} is down (fail): CLUSTER FAILOVER needs its agreement; --cluster-force (or --takeover) promotes without it",
                primary.addr
            )
        } else {
            format!("{} flags {}", primary.addr, primary.flags.join(","))
        },
    }];
    let chosen = fit_replica(&report.candidates, wanted.as_ref(), &mut checks);
    let mode = if args.takeover {
        Some("TAKEOVER")
    } else if args.cluster_force {
        Some("FORCE")
    } else {
        None
    };
    report.expected = chosen.clone();
    if let Some(new) = &chosen {
        let mut command = vec!["CLUSTER".to_string(), "FAILOVER".into()];
        command.extend(mode.map(str::to_string));
        report.steps.push(Step {
            node: new.clone(),
            sentinel: false,
            command,
        });
    }
    let confirm = match (mode, &chosen) {
        (Some(m), Some(c)) => format!("{m} {c}"),
        _ => old.to_string(),
    };
    Ok(Plan::of(report, checks, &replicas, confirm, forced))
}

/// The plan, as stderr shows it before asking.
fn describe(r: &FailoverReport) -> String {
    let mut out = format!(
        "failover ({}{}): primary {}\n",
        r.topology,
        r.master
            .as_ref()
            .map(|m| format!(" `{m}`"))
            .unwrap_or_default(),
        r.old_primary
            .as_ref()
            .map_or_else(|| "none agreed on".to_string(), ToString::to_string)
    );
    for c in &r.checks {
        out.push_str(&format!(
            "  [{}] {}: {}\n",
            if c.ok { "ok" } else { "FAIL" },
            c.name,
            render::clean(&c.detail)
        ));
    }
    for c in &r.candidates {
        out.push_str(&format!(
            "  replica {} offset {} lag {} priority {}: {}\n",
            c.state.addr,
            c.state.offset,
            c.lag_bytes,
            c.state.priority,
            if c.fit {
                "fit".to_string()
            } else {
                render::clean(&c.why_not).into_owned()
            }
        ));
    }
    for s in &r.steps {
        out.push_str(&format!(
            "  then on {}{}: {}\n",
            s.node,
            if s.sentinel { " (Sentinel)" } else { "" },
            s.command.join(" ")
        ));
    }
    if let Some(p) = &r.probe {
        out.push_str(&format!(
            "  while watching: {} every {} ms on the primary of the moment ({}; --no-probe for none)\n",
            p.command,
            p.every_ms,
            p.nodes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for n in &p.left_out {
            out.push_str(&format!(
                "  not probed (unreachable at the pre-flight): {}\n",
                render::clean(n)
            ));
        }
    }
    out.trim_end().to_string()
}

/// The result as the table shows it: every line escaped (node names and
/// roles are the servers' own text).
fn summary(r: &FailoverReport) -> String {
    unsafe_summary(r)
        .lines()
        .map(|l| render::clean(l).into_owned() + "\n")
        .collect()
}

fn unsafe_summary(r: &FailoverReport) -> String {
    let mut out = format!("{}: {}\n", r.outcome, describe(r));
    if !r.reason.is_empty() {
        out.push_str(&format!("{}\n", render::clean(&r.reason)));
    }
    if let Some(t) = &r.timeline {
        out.push_str(&format!(
            "new primary {}: promoted after {} ms, every node agreed after {} ms; {} of {} probe writes refused\n",
            r.new_primary.as_ref().map(|n| n.to_string()).unwrap_or_else(|| "none".into()),
            t.promoted_after_ms.map_or("-".into(), |m| m.to_string()),
            t.agreed_after_ms.map_or("-".into(), |m| m.to_string()),
            t.writes_refused,
            t.probe_writes
        ));
    }
    for a in &r.nodes_after {
        out.push_str(&format!(
            "  {} {}{}\n",
            a.addr,
            a.role,
            if a.primary.is_empty() {
                String::new()
            } else {
                format!(" of {}", a.primary)
            }
        ));
    }
    if r.app_before.is_some() || r.app_after.is_some() {
        let shown = |s: &Option<String>| {
            s.as_deref().map_or_else(
                || "not asked".to_string(),
                |s| render::clean(s).into_owned(),
            )
        };
        out.push_str(&format!(
            "app /health/ready: before {}, after {}\n",
            shown(&r.app_before),
            shown(&r.app_after)
        ));
    }
    out
}
