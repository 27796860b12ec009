//! `cachectl clients kill`: each node's CLIENT LIST filtered, the matched clients
//! shown, one consent, the audited kills.

use serde::Serialize;

use crate::clients::{Client, ClientsView, Filter, Spared};
use crate::engine::writer::Writer;
use crate::engine::{self, Context};
use crate::error::{CliError, Status};
use crate::facts::Facts;
use crate::model::Safety;
use crate::mutate::{Mode, Operation, Origin};
use crate::outcome::Outcome;
use crate::redis::client_list::{self, ClientInfo};
use crate::render;
use crate::target::connect::Session;
use crate::target::NodeAddr;

/// One full CLIENT LIST, and cachectl's own client id.
/// A node's clients and cachectl's own id there. The connection is used
/// up: it goes, with its read buffer (as big as the list), before the list
/// is parsed.
pub fn client_list(
    ctx: &Context<'_>,
    session: Session,
) -> Result<(Vec<ClientInfo>, i64), CliError> {
    ctx.runtime.block_on(async {
        let own = session
            .query::<i64>(&redis::cmd("CLIENT").arg("ID").clone())
            .await
            .unwrap_or(-1);
        let text: String = session
            .query(&redis::cmd("CLIENT").arg("LIST").clone())
            .await
            .map_err(|e| CliError::Other(anyhow::anyhow!("CLIENT LIST failed: {}", e.detail)))?;
        drop(session);
        tokio::task::yield_now().await;
        Ok((client_list::parse(&text), own))
    })
}

/// What `clients kill` did.
#[derive(Debug, Serialize)]
pub struct KillReport {
    pub node: NodeAddr,
    pub mode: Mode,
    /// Clients the filters matched and that may be killed.
    pub matched: Vec<Client>,
    pub killed: u64,
    /// Clients the filters matched but that are never killed.
    pub spared: Vec<Spared>,
    /// applied, planned, skipped, blocked or failed.
    pub outcome: Outcome,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_log: Option<String>,
}

/// Kills the clients `filter` matches on the writer's node (in a Cluster,
/// on every node), after showing them; one consent covers them all.
pub fn run(
    w: &mut Writer<'_>,
    facts: &Facts,
    filter: &Filter,
) -> Result<(KillReport, Status), CliError> {
    if filter.is_empty() {
        return Err(CliError::Usage(
            "clients kill needs at least one filter (--idle, --age, --host, --name, --user, --client-type, --client-db, --cmd): it does not kill every client".into(),
        ));
    }
    let (ctx, spec, printer) = (&w.ctx, w.spec.clone(), w.ctx.printer);
    // A Cluster's clients are on every node: each node's list, filtered,
    // and killed there. Otherwise the target (through Sentinels, the
    // primary they name).
    let seed = engine::session(ctx, &spec)?;
    let nodes: Vec<crate::target::TargetSpec> = if crate::engine::topology::is_cluster(&spec, facts)
    {
        ctx.runtime
            .block_on(crate::engine::topology::cluster_of(
                &spec,
                &ctx.timeouts,
                tokio::time::Instant::now() + ctx.timeouts.overall,
            ))
            .map_err(|e| CliError::Other(anyhow::anyhow!(e)))?
            .members
            .iter()
            .map(|m| spec.at(m.addr.clone()))
            .collect()
    } else {
        vec![spec.clone()]
    };
    let several = nodes.len() > 1;
    // Each node's list, what it matched (by id), and its connection; the
    // lists are kept (compact: their texts shared) to group the matched
    // clients without copying them.
    let mut lists: Vec<(Vec<ClientInfo>, std::collections::HashSet<i64>)> = Vec::new();
    // Each node and the ids to kill there.
    let mut per_node: Vec<(NodeAddr, Vec<i64>)> = Vec::new();
    let mut matched: Vec<Client> = Vec::new();
    let mut spared = Vec::new();
    let mut seed = Some(seed);
    for node in &nodes {
        // The connection that read a node's list goes with its read buffer
        // (30 MB at 100,000 clients); the kills get fresh ones.
        let session = match (node.addr == spec.addr, seed.take()) {
            (true, Some(s)) => s,
            _ => engine::session(ctx, node)?,
        };
        let (list, own) = client_list(ctx, session)?;
        let (mut m, s) = crate::clients::select(&list, filter, own);
        let ids: std::collections::HashSet<i64> = m.iter().map(|x| x.id).collect();
        if several {
            for c in &mut m {
                c.node = node.addr.to_string();
            }
        }
        lists.push((list, ids));
        per_node.push((node.addr.clone(), m.iter().map(|c| c.id).collect()));
        matched.extend(m);
        spared.extend(s);
    }
    let groups = ClientsView::of(
        lists
            .iter()
            .flat_map(|(list, ids)| list.iter().filter(|c| ids.contains(&c.id))),
        0,
    );
    drop(lists);
    // A dry run's result is the plan: the report (stdout) carries it.
    if w.mode() != Mode::DryRun {
        printer.status(&render::table::kill_plan(
            &spec.addr, &matched, &groups, &spared,
        ));
    }
    let mut report = KillReport {
        node: spec.addr.clone(),
        mode: w.mode(),
        killed: 0,
        spared,
        outcome: Outcome::Skipped,
        reason: String::new(),
        audit_log: w.audit_log(),
        matched,
    };
    if report.matched.is_empty() {
        report.outcome = Outcome::Applied;
        report.reason = "no client matched".into();
    } else {
        // The operation names its verb with one command (what the preflight
        // checks) and counts the clients; the audit record lists every id.
        let kill_op = |node: &NodeAddr, targets: Vec<NodeAddr>, ids: &[i64]| Operation {
            node: node.clone(),
            targets,
            db: None,
            origin: Origin::command("clients kill", None),
            title: format!("kill {} clients", report.matched.len()),
            safety: Safety::Destructive,
            commands: vec![vec![
                "CLIENT".into(),
                "KILL".into(),
                "ID".into(),
                ids.first().copied().unwrap_or(0).to_string(),
            ]],
            count: Some(ids.len() as u64),
            summary: Some(format!(
                "CLIENT KILL ID {}",
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(" ")
            )),
            confirm: None,
        };
        // One consent for them all, asked about the target node, covering
        // every node with a client to kill (each pre-flighted).
        let receiving: Vec<&(NodeAddr, Vec<i64>)> =
            per_node.iter().filter(|(_, ids)| !ids.is_empty()).collect();
        let all_ids: Vec<i64> = report.matched.iter().map(|c| c.id).collect();
        let op = kill_op(
            &spec.addr,
            receiving.iter().map(|(a, _)| a.clone()).collect(),
            &all_ids,
        );
        let node = crate::engine::writer::node(&w.spec, facts);
        let checked: Vec<Session> = receiving
            .iter()
            .map(|(a, _)| engine::session(ctx, &spec.at(a.clone())))
            .collect::<Result<_, _>>()?;
        let mutator = &mut w.mutator;
        let cleared = ctx
            .runtime
            .block_on(mutator.clear(&checked, &node, &op, &op.commands[..1]));
        match cleared {
            Err(held) => {
                report.outcome = held.outcome;
                report.reason = held.reason;
            }
            Ok(consent) => {
                // From here Ctrl-C is heard between nodes: a batch sent is
                // seen to its reply and audited, the next is not sent.
                let stop = ctx
                    .runtime
                    .block_on(async { crate::interrupt::Interrupt::catch() });
                let mut failed = None;
                for ((addr, ids), session) in receiving.into_iter().zip(&checked) {
                    if stop.fired() {
                        failed = Some(format!(
                            "interrupted (Ctrl-C) before {addr}: nothing was sent there"
                        ));
                        break;
                    }
                    let on = kill_op(addr, Vec::new(), ids);
                    let mut pipe = redis::pipe();
                    for id in ids {
                        pipe.cmd("CLIENT").arg("KILL").arg("ID").arg(*id);
                    }
                    let shown = on.summary.clone().unwrap_or_default();
                    match ctx
                        .runtime
                        .block_on(mutator.send_audited(session, &on, &consent, &pipe, shown))
                    {
                        Ok(replies) => {
                            report.killed += replies
                                .iter()
                                .filter(|r| {
                                    matches!(r, redis::Value::Int(1))
                                        || matches!(r, redis::Value::Okay)
                                })
                                .count() as u64;
                        }
                        Err(e) => {
                            failed = Some(format!("{addr}: {}", e.reason));
                            break;
                        }
                    }
                }
                match failed {
                    None => {
                        report.outcome = Outcome::Applied;
                        report.reason = format!(
                            "{} of {} killed (a client gone meanwhile is not counted)",
                            report.killed,
                            report.matched.len()
                        );
                    }
                    Some(why) => {
                        report.outcome = Outcome::Failed;
                        report.reason = format!("{why}; {} killed before", report.killed);
                    }
                }
            }
        }
    }
    let status = report.outcome.status();
    Ok((report, status))
}

/// The table of a kill: what was killed, or for a dry run what would be
/// (the clients, and those spared).
pub fn table(report: &KillReport, width: u16) -> String {
    let reason = if report.reason.is_empty() {
        String::new()
    } else {
        format!(" ({})", render::clean(&report.reason))
    };
    let line = if report.outcome == Outcome::Planned {
        format!(
            "{}: would kill {} clients on {}{reason}",
            report.outcome,
            report.matched.len(),
            report.node,
        )
    } else {
        format!(
            "{}: {} of {} matched clients killed on {}{reason}",
            report.outcome,
            report.killed,
            report.matched.len(),
            report.node,
        )
    };
    let mut out = render::table::wrap(&line, width, "", "  ");
    if report.outcome == Outcome::Planned {
        out.push_str(&render::table::kill_list(&report.matched, &report.spared));
    }
    out.push('\n');
    out
}

crate::render::document::write_view!(KillReport, "kill", table);

#[cfg(test)]
mod snapshots {
    use super::*;

    fn report(mode: Mode, outcome: Outcome) -> KillReport {
        let list = client_list::parse(
            "id=7 addr=10.1.0.4:51234 laddr=10.0.0.5:6379 fd=9 name=leaky-pool age=3600 idle=3500 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=get user=app redir=-1 resp=2 lib-name= lib-ver=\n\
             id=8 addr=10.1.0.4:51236 laddr=10.0.0.5:6379 fd=10 name=leaky-pool age=3600 idle=3400 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=get user=app redir=-1 resp=2 lib-name= lib-ver=\n\
             id=3 addr=10.0.0.6:40000 laddr=10.0.0.5:6379 fd=8 name= age=9000 idle=3600 flags=S db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=replconf user=default redir=-1 resp=2 lib-name= lib-ver=\n",
        );
        let filter = Filter {
            idle: Some(std::time::Duration::from_secs(3000)),
            ..Filter::default()
        };
        let (matched, spared) = crate::clients::select(&list, &filter, -1);
        KillReport {
            node: NodeAddr::tcp("10.0.0.5", 6379),
            mode,
            killed: if outcome == Outcome::Applied { 2 } else { 0 },
            spared,
            outcome,
            reason: match outcome {
                Outcome::Applied => "2 of 2 killed (a client gone meanwhile is not counted)".into(),
                _ => "--dry-run: nothing was changed".into(),
            },
            audit_log: (mode != Mode::DryRun).then(|| "/var/lib/cachectl/audit.jsonl".into()),
            matched,
        }
    }

    #[test]
    fn idle_clients_killed() {
        let r = report(Mode::Yes, Outcome::Applied);
        crate::render::json::pin_report!(r, table(&r, 80), "clients kill", "kill");
    }

    #[test]
    fn idle_clients_dry_run() {
        let r = report(Mode::DryRun, Outcome::Planned);
        crate::render::json::pin_report!(r, table(&r, 80), "clients kill", "kill");
    }
}
