//! Asking a master's Sentinels, all at once under the run's deadline: who
//! the primary is (and whether they agree), the replicas they know, the
//! quorum (SENTINEL CKQUORUM) and the failover settings. A Sentinel that
//! does not answer is part of the answer, not a failed run.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use tokio::time::{timeout_at, Instant};

use super::connect::connect;
use super::topology::{field, pairs, Member, Topology};
use super::{NodeAddr, Role, SentinelTarget, TargetSpec, Timeouts};
use crate::redis::reply;

/// What one Sentinel said.
#[derive(Debug, Default)]
struct View {
    error: Option<String>,
    primary: Option<NodeAddr>,
    master: Vec<(String, String)>,
    replicas: Vec<Vec<(String, String)>>,
    /// CKQUORUM's answer: Ok(text) or Err(text) (NOQUORUM, ...).
    quorum: Option<Result<String, String>>,
}

async fn ask(spec: TargetSpec, master: String, timeouts: Timeouts, deadline: Instant) -> View {
    let session = match timeout_at(deadline, connect(&spec, &timeouts)).await {
        Ok(Ok(s)) => s,
        Ok(Err(f)) => {
            return View {
                error: Some(format!("{}: {}", f.kind.as_str(), f.detail)),
                ..View::default()
            }
        }
        Err(_) => {
            return View {
                error: Some("the run's deadline passed while connecting".into()),
                ..View::default()
            }
        }
    };
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    for sub in ["GET-MASTER-ADDR-BY-NAME", "MASTER", "REPLICAS", "CKQUORUM"] {
        pipe.cmd("SENTINEL").arg(sub).arg(&master);
    }
    let replies: Vec<redis::Value> = match timeout_at(deadline, session.query_pipeline(&pipe)).await
    {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            return View {
                error: Some(format!("SENTINEL failed: {}", e.detail)),
                ..View::default()
            }
        }
        Err(_) => {
            return View {
                error: Some("the run's deadline passed".into()),
                ..View::default()
            }
        }
    };
    let error_text = |v: &redis::Value| match v {
        redis::Value::ServerError(e) => Some(crate::secret::scrub(&format!(
            "{} {}",
            e.code(),
            e.details().unwrap_or_default()
        ))),
        _ => None,
    };
    if let Some(e) = replies.first().and_then(error_text) {
        return View {
            error: Some(format!("not a Sentinel of `{master}`? {e}")),
            ..View::default()
        };
    }
    let primary = match replies.first() {
        Some(redis::Value::Array(hp)) if hp.len() == 2 => {
            match (reply::text(&hp[0]), reply::int(&hp[1])) {
                (Some(h), Some(p)) => Some(NodeAddr::tcp(h, p as u16)),
                _ => None,
            }
        }
        _ => None,
    };
    let replicas = match replies.get(2) {
        Some(redis::Value::Array(items)) => items.iter().map(pairs).collect(),
        _ => Vec::new(),
    };
    let quorum = replies.get(3).map(|v| match error_text(v) {
        Some(e) => Err(e),
        None => Ok(reply::text(v).unwrap_or_default()),
    });
    View {
        error: None,
        primary,
        master: replies.get(1).map(pairs).unwrap_or_default(),
        replicas,
        quorum,
    }
}

fn int(pairs: &[(String, String)], name: &str) -> i64 {
    field(pairs, name).parse().unwrap_or(0)
}

/// Asks every Sentinel of `target`; the nodes are the primary most of them
/// name and every replica any of them knows.
pub async fn discover(
    spec: &TargetSpec,
    target: &SentinelTarget,
    timeouts: &Timeouts,
    deadline: Instant,
) -> Topology {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, addr) in target.sentinels.iter().enumerate() {
        let s = spec.sentinel(target, addr.clone());
        let (master, timeouts) = (target.master.clone(), *timeouts);
        tasks.spawn(async move { (i, ask(s, master, timeouts, deadline).await) });
    }
    let mut views: Vec<(usize, View)> = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok(v) = done {
            views.push(v);
        }
    }
    views.sort_by_key(|(i, _)| *i);
    let addr = |i: usize| target.sentinels[i].to_string();
    let answered: Vec<&(usize, View)> = views.iter().filter(|(_, v)| v.error.is_none()).collect();
    let unreachable: Vec<String> = views
        .iter()
        .filter_map(|(i, v)| v.error.as_ref().map(|e| format!("{}: {e}", addr(*i))))
        .collect();
    // The primary most Sentinels name (the first named among equals).
    let named: Vec<String> = answered
        .iter()
        .filter_map(|(_, v)| v.primary.as_ref().map(|p| p.to_string()))
        .collect();
    let distinct: BTreeSet<&String> = named.iter().collect();
    let votes = |p: &str| named.iter().filter(|n| n.as_str() == p).count();
    let first_named = |p: &str| named.iter().position(|n| n.as_str() == p);
    let primary = distinct
        .iter()
        .max_by_key(|p| (votes(p), std::cmp::Reverse(first_named(p))))
        .map(|p| p.to_string());
    let first = answered.first().map(|(_, v)| v);
    let master = first.map(|v| v.master.as_slice()).unwrap_or_default();
    let quorum_text = answered
        .iter()
        .filter_map(|(i, v)| match &v.quorum {
            Some(Err(e)) => Some(format!("{}: {e}", addr(*i))),
            _ => None,
        })
        .collect::<Vec<_>>();
    let quorum_ok = !answered.is_empty()
        && answered
            .iter()
            .all(|(_, v)| matches!(v.quorum, Some(Ok(_))));
    let mut members: Vec<Member> = Vec::new();
    if let Some(p) = primary.as_deref().and_then(|p| NodeAddr::parse(p).ok()) {
        members.push(Member {
            addr: p,
            role: Role::Primary,
        });
    }
    let mut replicas: Vec<Value> = Vec::new();
    for (_, v) in &answered {
        for r in &v.replicas {
            let Ok(port) = field(r, "port").parse::<u16>() else {
                continue;
            };
            let addr = NodeAddr::tcp(field(r, "ip"), port);
            if members.iter().any(|m| m.addr == addr) {
                continue;
            }
            let flags = field(r, "flags").to_string();
            let down = flags
                .split(',')
                .any(|f| matches!(f, "s_down" | "o_down" | "disconnected"));
            replicas.push(json!({
                "addr": addr.to_string(),
                "flags": flags,
                "down": down,
                "link_ok": field(r, "master-link-status") == "ok",
                "offset": int(r, "slave-repl-offset"),
                "priority": int(r, "slave-priority"),
                "lag_bytes": -1,
            }));
            members.push(Member {
                addr,
                role: Role::Replica,
            });
        }
    }
    let flags = field(master, "flags");
    let fact = json!({
        "master": target.master,
        "sentinels": target.sentinels.len(),
        "reachable": answered.len(),
        "unreachable": unreachable,
        "known_sentinels": int(master, "num-other-sentinels") + i64::from(first.is_some()),
        "quorum": int(master, "quorum"),
        "quorum_ok": quorum_ok,
        "ckquorum": quorum_text.first().cloned().unwrap_or_else(|| {
            first
                .and_then(|v| v.quorum.clone())
                .and_then(Result::ok)
                .unwrap_or_default()
        }),
        "primaries": distinct.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        "agree": distinct.len() == 1,
        "primary": primary.clone().unwrap_or_default(),
        "primary_down": flags.split(',').any(|f| matches!(f, "s_down" | "o_down")),
        "failover_in_progress": flags.contains("failover_in_progress"),
        "down_after_ms": int(master, "down-after-milliseconds"),
        "failover_timeout_ms": int(master, "failover-timeout"),
        "parallel_syncs": int(master, "parallel-syncs"),
        "replicas": replicas,
    });
    Topology {
        kind: "sentinel",
        asked: answered
            .first()
            .map(|(i, _)| target.sentinels[*i].clone())
            .unwrap_or_else(|| target.sentinels[0].clone()),
        members,
        fact,
    }
}
