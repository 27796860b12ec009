//! A failover's plan, for each topology (Sentinel, a primary with
//! replicas, a Cluster shard): the candidates judged, the pre-checks, the
//! steps, and the report that shows them.

use serde::Serialize;
use tokio::time::Instant;

use super::{Candidate, NodeAfter, PreCheck, Standing, Timeline};
use crate::engine::Context;
use crate::error::CliError;
use crate::mutate::Mode;
use crate::outcome::Outcome;
use crate::render;
use crate::target::topology::Kind;
use crate::target::{cluster, sentinel, NodeAddr, TargetSpec, Via};

/// What a failover is asked: which replica, how far behind it may be, how
/// long to wait for agreement, the Cluster's forced modes, the probe.
#[derive(Debug, Clone)]
pub struct FailoverSettings {
    /// The replica to promote (a primary with replicas, or a Cluster).
    pub to: Option<NodeAddr>,
    /// Promote even a replica further behind than `max_lag`.
    pub force: bool,
    /// Bytes of replication offset a replica may be behind.
    pub max_lag: u64,
    /// How long to wait for promotion and agreement.
    pub wait: std::time::Duration,
    /// CLUSTER FAILOVER FORCE.
    pub cluster_force: bool,
    /// CLUSTER FAILOVER TAKEOVER.
    pub takeover: bool,
    /// No probe writes while watching.
    pub no_probe: bool,
}

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
    pub topology: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master: Option<String>,
    /// None when the Sentinels did not agree on one.
    pub old_primary: Option<NodeAddr>,
    /// The replica asked for, or the one the Sentinels are expected to pick.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<NodeAddr>,
    pub candidates: Vec<Candidate>,
    pub checks: Vec<PreCheck>,
    pub steps: Vec<Step>,
    pub mode: Mode,
    /// refused, planned, skipped, blocked, applied, unverified, split or
    /// failed.
    pub outcome: Outcome,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_primary: Option<NodeAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    pub nodes_after: Vec<NodeAfter>,
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

pub(super) fn usage(e: impl std::fmt::Display) -> CliError {
    CliError::Usage(e.to_string())
}

/// The plan before consent: the report so far, the nodes to watch, and
/// the refusal if a pre-check failed.
pub struct Plan {
    pub report: FailoverReport,
    pub nodes: Vec<NodeAddr>,
    pub refusal: Option<String>,
    /// What is typed (interactive) to consent: the primary, or the forced
    /// mode and the replica.
    pub confirm: String,
    /// FORCE or TAKEOVER: only with the typed confirmation.
    pub forced: bool,
}

/// Judges the primary's replicas (their ROLE and priority), all asked at
/// once and under the run's deadline: twenty hung replicas cost one
/// command timeout, not twenty.
async fn candidates(
    spec: &TargetSpec,
    ctx: &Context<'_>,
    primary: &Standing,
    replicas: &[(NodeAddr, bool)],
    settings: &FailoverSettings,
) -> Vec<Candidate> {
    let deadline = Instant::from_std(ctx.deadline);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (addr, _)) in replicas.iter().enumerate() {
        let (node, timeouts) = (spec.at(addr.clone()), ctx.timeouts);
        tasks.spawn(async move {
            let state = tokio::time::timeout_at(deadline, super::state(&node, &timeouts))
                .await
                .unwrap_or_else(|_| {
                    super::unanswered(&node.addr, "the run's deadline (--timeout) passed")
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
        .map(|(i, state)| {
            super::judge(
                state,
                primary,
                replicas[i].1,
                settings.max_lag,
                settings.force,
            )
        })
        .collect()
}

/// min-replicas-to-write on the primary, against the replicas the new
/// primary will have (the others, and the old primary once it follows).
/// min-replicas-to-write on the primary, against the replicas the new
/// primary will have (the others, and the old primary once it follows).
fn min_replicas_check(primary: &Standing, replicas: usize) -> PreCheck {
    match primary.min_replicas {
        Some(n) => PreCheck {
            name: "min-replicas",
            ok: replicas >= n,
            detail: format!(
                "min-replicas-to-write {n}; the new primary will have {replicas} replicas (the others and the old primary)"
            ),
        },
        None => PreCheck {
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
    checks: &mut Vec<PreCheck>,
) -> Option<NodeAddr> {
    match super::choose(candidates, to) {
        Ok(c) => {
            checks.push(PreCheck {
                name: "fit replica",
                ok: true,
                detail: format!("{} ({} bytes behind)", c.state.addr, c.lag_bytes),
            });
            NodeAddr::parse(&c.state.addr).ok()
        }
        Err(why) => {
            checks.push(PreCheck {
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
        checks: Vec<PreCheck>,
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

fn refusal(checks: &[PreCheck]) -> Option<String> {
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect();
    (!failed.is_empty()).then(|| format!("refused: {}", failed.join("; ")))
}

fn skeleton(topology: Kind, old: Option<NodeAddr>) -> FailoverReport {
    FailoverReport {
        topology,
        master: None,
        old_primary: old,
        expected: None,
        candidates: Vec::new(),
        checks: Vec::new(),
        steps: Vec::new(),
        mode: Mode::DryRun,
        outcome: Outcome::Planned,
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

pub(super) async fn sentinel_plan(
    spec: &TargetSpec,
    settings: &FailoverSettings,
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
        PreCheck {
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
        PreCheck {
            name: "quorum",
            ok: f["quorum_ok"] == true,
            detail: format!(
                "SENTINEL CKQUORUM: {}",
                f["ckquorum"].as_str().unwrap_or_default()
            ),
        },
        PreCheck {
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
        let mut report = skeleton(Kind::Sentinel, None);
        report.master = Some(target.master.clone());
        return Ok(Plan::of(report, checks, &[], String::new(), false));
    };
    let mut report = skeleton(Kind::Sentinel, Some(old.clone()));
    report.master = Some(target.master.clone());
    let primary = super::state(&spec.at(old.clone()), &ctx.timeouts).await;
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
    report.candidates = candidates(spec, ctx, &primary, &replicas, settings).await;
    match super::choose(&report.candidates, None) {
        Ok(c) => {
            report.expected = NodeAddr::parse(&c.state.addr).ok();
            checks.push(PreCheck {
                name: "fit replica",
                ok: true,
                detail: format!("{} (expected: the Sentinels choose)", c.state.addr),
            });
        }
        Err(why) => checks.push(PreCheck {
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

pub(super) async fn replication_plan(
    spec: &TargetSpec,
    settings: &FailoverSettings,
    ctx: &Context<'_>,
    to: Option<&NodeAddr>,
) -> Result<Plan, CliError> {
    let primary = super::state(spec, &ctx.timeouts).await;
    let old = spec.addr.clone();
    let mut report = skeleton(Kind::Replication, Some(old.clone()));
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
    report.candidates = candidates(spec, ctx, &primary, &replicas, settings).await;
    let mut checks = Vec::new();
    let chosen = fit_replica(&report.candidates, to, &mut checks);
    checks.push(min_replicas_check(&primary, replicas.len()));
    report.expected.clone_from(&chosen);
    if let Some(new) = &chosen {
        let (host, port) = (new.host(), new.port().to_string());
        // FAILOVER from 6.2, unless renamed or disabled (managed services
        // do): without it the replica is promoted with REPLICAOF NO ONE.
        if primary.has_failover {
            // The primary pauses writes, waits for the replica to catch up,
            // then swaps roles with it: nothing acknowledged is lost.
            let mut cmd: Vec<String> = ["FAILOVER", "TO", &host, &port, "TIMEOUT", "10000"]
                .iter()
                .map(std::string::ToString::to_string)
                .collect();
            if settings.force {
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

pub(super) async fn cluster_plan(
    spec: &TargetSpec,
    settings: &FailoverSettings,
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
    let mut report = skeleton(Kind::Cluster, Some(old.clone()));
    let replicas: Vec<(NodeAddr, bool)> = nodes
        .iter()
        .filter(|n| n.primary_id.as_deref() == Some(primary.id.as_str()))
        .map(|n| (n.addr.clone(), n.has("fail") || n.has("fail?")))
        .collect();
    let primary_state = super::state(&spec.at(old.clone()), &ctx.timeouts).await;
    report.candidates = candidates(spec, ctx, &primary_state, &replicas, settings).await;
    let forced = settings.cluster_force || settings.takeover;
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
    let mut checks = vec![PreCheck {
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
    let mode = if settings.takeover {
        Some("TAKEOVER")
    } else if settings.cluster_force {
        Some("FORCE")
    } else {
        None
    };
    report.expected.clone_from(&chosen);
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
pub fn describe(r: &FailoverReport) -> String {
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

/// The result as the table shows it; the servers' own text (addresses,
/// roles) escaped.
pub fn table(r: &FailoverReport) -> String {
    let mut out = format!("{}: {}\n", r.outcome, describe(r));
    if !r.reason.is_empty() {
        out.push_str(&format!("{}\n", render::clean(&r.reason)));
    }
    if let Some(t) = &r.timeline {
        out.push_str(&format!(
            "new primary {}: promoted after {} ms, every node agreed after {} ms; {} of {} probe writes refused\n",
            r.new_primary.as_ref().map_or_else(|| "none".into(), |n| render::clean(&n.to_string()).into_owned()),
            t.promoted_after_ms.map_or("-".into(), |m| m.to_string()),
            t.agreed_after_ms.map_or("-".into(), |m| m.to_string()),
            t.writes_refused,
            t.probe_writes
        ));
    }
    for a in &r.nodes_after {
        out.push_str(&format!(
            "  {} {}{}\n",
            render::clean(&a.addr),
            render::clean(&a.role),
            if a.primary.is_empty() {
                String::new()
            } else {
                format!(" of {}", render::clean(&a.primary))
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

crate::render::document::write_view!(FailoverReport, "failover", |r, _| table(r));

#[cfg(test)]
mod snapshots {
    use super::*;

    fn standing(port: u16, role: &str, offset: i64) -> Standing {
        Standing {
            addr: format!("10.0.0.{port}:6379"),
            reachable: true,
            role: role.into(),
            primary: "10.0.0.5:6379".into(),
            link: "connected".into(),
            offset,
            priority: 100,
            replicas: Vec::new(),
            min_replicas: None,
            has_failover: false,
            error: String::new(),
        }
    }

    fn node(last: u8) -> NodeAddr {
        NodeAddr::tcp(format!("10.0.0.{last}"), 6379)
    }

    fn planned() -> FailoverReport {
        let mut r = skeleton(Kind::Replication, Some(node(5)));
        r.expected = Some(node(7));
        r.candidates = vec![
            Candidate {
                state: standing(6, "slave", 90_000),
                lag_bytes: 2_000_000,
                down: false,
                fit: false,
                why_not:
                    "2000000 bytes behind (over --max-lag 1048576; --force promotes it anyway)"
                        .into(),
            },
            Candidate {
                state: standing(7, "slave", 2_090_000),
                lag_bytes: 0,
                down: false,
                fit: true,
                why_not: String::new(),
            },
        ];
        r.checks = vec![
            PreCheck {
                name: "fit replica",
                ok: true,
                detail: "10.0.0.7:6379 (0 bytes behind)".into(),
            },
            PreCheck {
                name: "min-replicas",
                ok: true,
                detail: "min-replicas-to-write 0; the new primary will have 2 replicas (the others and the old primary)".into(),
            },
        ];
        let words = |w: &[&str]| {
            w.iter()
                .map(std::string::ToString::to_string)
                .collect::<Vec<_>>()
        };
        r.steps = vec![
            Step {
                node: node(5),
                sentinel: false,
                command: words(&["FAILOVER", "TO", "10.0.0.7", "6379", "TIMEOUT", "10000"]),
            },
            Step {
                node: node(6),
                sentinel: false,
                command: words(&["REPLICAOF", "10.0.0.7", "6379"]),
            },
        ];
        r.probe = Some(ProbePlan {
            command: super::super::probe_command("<ms>").join(" "),
            every_ms: super::super::PROBE_EVERY_MS,
            nodes: vec![node(5), node(6), node(7)],
            left_out: Vec::new(),
        });
        r.outcome = Outcome::Planned;
        r.reason = "--dry-run: nothing was changed".into();
        r
    }

    #[test]
    fn a_failover_planned() {
        let r = planned();
        crate::render::json::pin_report!(r, table(&r), "failover", "failover");
    }

    #[test]
    fn a_failover_applied_and_verified() {
        let mut r = planned();
        r.mode = Mode::Yes;
        r.outcome = Outcome::Applied;
        r.reason = String::new();
        r.new_primary = Some(node(7));
        r.timeline = Some(Timeline {
            promoted_after_ms: Some(412),
            agreed_after_ms: Some(1630),
            probe_writes: 17,
            writes_refused: 4,
            first_refusal: "10.0.0.5:6379: READONLY You can't write against a read only replica."
                .into(),
            primaries: vec!["10.0.0.7:6379".into()],
        });
        let after = |last: u8, role: &str, primary: &str| NodeAfter {
            addr: format!("10.0.0.{last}:6379"),
            role: role.into(),
            primary: primary.into(),
        };
        r.nodes_after = vec![
            after(7, "master", ""),
            after(5, "slave", "10.0.0.7:6379"),
            after(6, "slave", "10.0.0.7:6379"),
        ];
        r.app_before = Some("200".into());
        r.app_after = Some("200".into());
        r.audit_log = Some("/var/lib/cachectl/audit.jsonl".into());
        crate::render::json::pin_report!(r, table(&r), "failover", "failover");
    }
}
