//! A target of many nodes, in the engine's one pipeline: locate it (ask its
//! Sentinels; read a Cluster's own view), collect every other node at once
//! under the run's deadline, fill the topology's cross-node figures
//! (replica lag in bytes, keys and memory per primary), and evaluate each
//! node's facts and the topology's own.

use serde_json::Value;
use tokio::time::Instant;

use crate::error::CliError;
use crate::facts::collect::collect_until;
use crate::facts::Facts;
use crate::findings::evaluate::{evaluate, evaluate_root, Evaluation};
use crate::runbook::RunbookSet;
use crate::target::topology::Topology;
use crate::target::{cluster, connect, sentinel, NodeAddr, Role, TargetSpec, Timeouts, Via};

/// For a Sentinel target, asks the Sentinels: the spec of the primary they
/// name (unchanged when none does) and what they said. A master that no
/// answering Sentinel watches is the operator's mistake (a typo in
/// `--master`), not an outage: a usage error naming the masters they do
/// watch.
pub async fn locate(
    spec: &TargetSpec,
    timeouts: &Timeouts,
    deadline: Instant,
) -> Result<(TargetSpec, Option<Topology>), CliError> {
    let Via::Sentinel(target) = &spec.via else {
        return Ok((spec.clone(), None));
    };
    let found = sentinel::discover(spec, target, timeouts, deadline).await;
    unknown_master(&target.master, &found.fact)?;
    let mut located = spec.clone();
    if let Some(primary) = found.primary() {
        located.addr = primary.clone();
    }
    Ok((located, Some(found)))
}

/// The usage error for a master that Sentinels answered about, none of
/// them watching it.
pub fn unknown_master(master: &str, fact: &Value) -> Result<(), CliError> {
    let unaware = fact["unaware"].as_array().map_or(0, Vec::len);
    if fact["reachable"] != 0 || unaware == 0 {
        return Ok(());
    }
    let known: Vec<&str> = fact["known_masters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    Err(CliError::Usage(format!(
        "--master `{master}`: none of the {unaware} Sentinels that answered watches a master of that name; they watch: {}",
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    )))
}

/// Whether the seed's facts say it is a Cluster node (or --cluster said so).
pub fn is_cluster(spec: &TargetSpec, seed: &Facts) -> bool {
    matches!(spec.via, Via::Cluster)
        || seed
            .get("info")
            .is_some_and(|i| i["cluster_enabled"].as_i64() == Some(1))
}

/// Reads the Cluster through the seed node.
pub async fn cluster_of(
    spec: &TargetSpec,
    timeouts: &Timeouts,
    deadline: Instant,
) -> Result<Topology, String> {
    let session = tokio::time::timeout_at(deadline, connect::connect(spec, timeouts))
        .await
        .map_err(|_| "the run's deadline passed".to_string())?
        .map_err(|f| f.detail)?;
    let seed = tokio::time::timeout_at(deadline, cluster::view(&session, &spec.addr))
        .await
        .map_err(|_| "the run's deadline passed".to_string())?;
    let mut found = cluster::discover(&seed)?;
    found.reach = spec.cli_reach();
    // Every other node's own view, at once: one node may not have noticed
    // what another has (a slot it dropped, a node it flags failed).
    let mut tasks = tokio::task::JoinSet::new();
    for (i, m) in found.members.iter().enumerate() {
        if m.addr == spec.addr {
            continue;
        }
        let (node, timeouts) = (spec.at(m.addr.clone()), *timeouts);
        let i = i + 1;
        tasks.spawn(async move {
            let asked = async {
                match connect::connect(&node, &timeouts).await {
                    Ok(s) => cluster::view(&s, &node.addr).await,
                    Err(f) => cluster::unanswered(&node.addr, f.detail),
                }
            };
            let view = tokio::time::timeout_at(deadline, asked)
                .await
                .unwrap_or_else(|_| {
                    cluster::unanswered(&node.addr, "the run's deadline passed".into())
                });
            (i, view)
        });
    }
    let mut views = vec![(0, seed)];
    while let Some(done) = tasks.join_next().await {
        if let Ok(v) = done {
            views.push(v);
        }
    }
    views.sort_by_key(|(i, _)| *i);
    let views: Vec<cluster::View> = views.into_iter().map(|(_, v)| v).collect();
    cluster::add_views(&mut found.fact, &views);
    Ok(found)
}

/// Collects every member but `seed` at once.
pub async fn collect_others(
    spec: &TargetSpec,
    topology: &Topology,
    seed: &NodeAddr,
    timeouts: &Timeouts,
    deadline: Instant,
) -> Vec<Facts> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, m) in topology.members.iter().enumerate() {
        if &m.addr == seed {
            continue;
        }
        let node = spec.at(m.addr.clone());
        let timeouts = *timeouts;
        tasks.spawn(async move { (i, collect_until(&node, &timeouts, deadline, None).await) });
    }
    let mut out = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok(facts) = done {
            out.push(facts);
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, f)| f).collect()
}

fn info_int(facts: &Facts, field: &str) -> Option<i64> {
    facts.get("info").and_then(|i| i[field].as_i64())
}

/// Keys in every database of a node (INFO keyspace).
fn keys(facts: &Facts) -> u64 {
    facts
        .get("keyspace")
        .and_then(Value::as_object)
        .map_or(0, |dbs| {
            dbs.values().filter_map(|db| db["keys"].as_u64()).sum()
        })
}

/// Fills what needs more than one node's facts.
/// Each node's `derived.nodes_on_host`: how many of the run's nodes share
/// its host (its address), so that sizing advice (maxmemory as a share of
/// the host's RAM) divides the host among them.
pub fn share_hosts<'a>(nodes: impl Iterator<Item = &'a mut Facts>) {
    let mut nodes: Vec<&mut Facts> = nodes.collect();
    let hosts: Vec<String> = nodes.iter().map(|f| f.node.addr.host()).collect();
    for (f, host) in nodes.iter_mut().zip(&hosts) {
        let n = hosts.iter().filter(|h| *h == host).count();
        if let Some(d) = f.values.get_mut("derived").and_then(|d| d.as_object_mut()) {
            d.insert("nodes_on_host".into(), n.into());
        }
    }
}

pub fn cross_node(topology: &mut Topology, nodes: &[&Facts]) {
    let of = |addr: &str| nodes.iter().find(|f| f.node.addr.to_string() == addr);
    match topology.kind {
        crate::target::topology::Kind::Sentinel => {
            // Every node's own word on which of them is the primary.
            let claimants: Vec<String> = nodes
                .iter()
                .filter(|f| {
                    f.get("role").is_some_and(|r| r["role"] == "master")
                        || f.get("info").is_some_and(|i| i["role"] == "master")
                })
                .map(|f| f.node.addr.to_string())
                .collect();
            topology.fact["claimants"] = claimants.into();
            let primary = topology.fact["primary"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let head = of(&primary).and_then(|f| info_int(f, "master_repl_offset"));
            if let Some(replicas) = topology.fact["replicas"].as_array_mut() {
                for r in replicas {
                    let addr = r["addr"].as_str().unwrap_or_default();
                    let own = of(addr).and_then(|f| {
                        info_int(f, "slave_repl_offset").or(info_int(f, "master_repl_offset"))
                    });
                    r["lag_bytes"] = match (head, own) {
                        (Some(h), Some(o)) => (h - o).max(0).into(),
                        _ => (-1).into(),
                    };
                }
            }
        }
        crate::target::topology::Kind::Cluster => {
            let per_primary: Vec<(u64, u64)> = topology
                .members
                .iter()
                .filter(|m| m.role == Role::Primary)
                .filter_map(|m| of(&m.addr.to_string()))
                .filter(|f| f.get("info").is_some())
                .map(|f| {
                    (
                        keys(f),
                        info_int(f, "used_memory").unwrap_or(0).max(0) as u64,
                    )
                })
                .collect();
            cluster::add_balance(&mut topology.fact, &per_primary);
        }
        crate::target::topology::Kind::Replication => {}
    }
}

/// Evaluates each node's facts with the node checks, and the topology's
/// root with its own checks; one evaluation, findings worst first.
pub fn evaluate_all(
    set: &RunbookSet,
    nodes: &[&Facts],
    topology: Option<&Topology>,
    deadline: Option<std::time::Instant>,
) -> Evaluation {
    let mut all = Evaluation::default();
    for facts in nodes {
        all.add(evaluate(set, facts, deadline));
    }
    if let Some(t) = topology {
        let mut facts = Facts::new(t.asked.clone());
        facts.reach = Some(t.reach.clone());
        facts
            .values
            .insert(t.kind.as_str().to_string(), t.fact.clone());
        all.add(evaluate_root(set, &facts, t.kind.as_str(), deadline));
    }
    if let Some(node) = nodes.first() {
        if let Some(finding) = all.nothing_judged(&node.node.addr) {
            all.findings.push(finding);
        }
    }
    all.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.score.cmp(&a.score))
            .then(a.id.cmp(&b.id))
            .then(a.node.to_string().cmp(&b.node.to_string()))
    });
    all
}
