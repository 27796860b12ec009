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
    /// It answered, but watches no master of that name: the masters it
    /// does watch (SENTINEL MASTERS).
    unaware: Option<Vec<String>>,
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
    // A Sentinel that does not watch `master` says so to SENTINEL MASTER
    // (GET-MASTER-ADDR-BY-NAME answers nil): which masters does it watch?
    let unknown = replies
        .get(1)
        .and_then(error_text)
        .is_some_and(|e| e.to_ascii_lowercase().contains("no such master"));
    if unknown {
        let names = match timeout_at(
            deadline,
            session.query::<redis::Value>(redis::cmd("SENTINEL").arg("MASTERS")),
        )
        .await
        {
            Ok(Ok(redis::Value::Array(items))) => items
                .iter()
                .map(|m| field(&pairs(m), "name").to_string())
                .filter(|n| !n.is_empty())
                .collect(),
            _ => Vec::new(),
        };
        return View {
            unaware: Some(names),
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
        unaware: None,
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
    let unreachable: Vec<String> = views
        .iter()
        .filter_map(|(i, v)| v.error.as_ref().map(|e| format!("{}: {e}", addr(*i))))
        .collect();
    // Those that answered but do not watch the master, and what they do watch.
    let unaware: Vec<String> = views
        .iter()
        .filter(|(_, v)| v.unaware.is_some())
        .map(|(i, _)| addr(*i))
        .collect();
    let mut known_masters: Vec<String> = views
        .iter()
        .filter_map(|(_, v)| v.unaware.clone())
        .flatten()
        .collect();
    known_masters.sort();
    known_masters.dedup();
    let answered: Vec<&(usize, View)> = views
        .iter()
        .filter(|(_, v)| v.error.is_none() && v.unaware.is_none())
        .collect();
    // The primary a strict majority of the answering Sentinels name: fewer
    // is no agreement, and no node is trusted on its word.
    let named: Vec<String> = answered
        .iter()
        .filter_map(|(_, v)| v.primary.as_ref().map(std::string::ToString::to_string))
        .collect();
    let distinct: BTreeSet<&String> = named.iter().collect();
    let votes = |p: &str| named.iter().filter(|n| n.as_str() == p).count();
    let leading = distinct
        .iter()
        .max_by_key(|p| votes(p))
        .map(|p| (*p).clone());
    let leading_votes = leading.as_deref().map_or(0, votes);
    let primary = leading.filter(|_| 2 * leading_votes > answered.len());
    // The Sentinels of that majority: what the master looks like and its
    // replicas are taken from them (not from a dissenting one's word).
    let agreeing: Vec<&View> = answered
        .iter()
        .map(|(_, v)| v)
        .filter(|v| {
            primary.is_some() && v.primary.as_ref().map(std::string::ToString::to_string) == primary
        })
        .collect();
    let first = agreeing
        .first()
        .copied()
        .or(answered.first().map(|(_, v)| v));
    let master = first.map(|v| v.master.as_slice()).unwrap_or_default();
    // How many Sentinels there are: those given, or as many as the
    // answering ones know of (num-other-sentinels + 1), whichever is more.
    let known = answered
        .iter()
        .map(|(_, v)| int(&v.master, "num-other-sentinels") + 1)
        .max()
        .unwrap_or(0);
    let expected = (target.sentinels.len() as i64).max(known);
    let majority = 2 * answered.len() as i64 > expected;
    let quorum_text = answered
        .iter()
        .filter_map(|(i, v)| match &v.quorum {
            Some(Err(e)) => Some(format!("{}: {e}", addr(*i))),
            _ => None,
        })
        .collect::<Vec<_>>();
    let ckquorum_ok = !answered.is_empty()
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
    // Replicas are taken from the Sentinels that agree on the primary, and
    // only those most of them list: a lone (or rogue) Sentinel cannot make
    // cachectl connect, with the nodes' credentials, to an address of its
    // choosing.
    let replica_addr = |r: &[(String, String)]| {
        let port = field(r, "port").parse::<u16>().ok()?;
        Some(NodeAddr::tcp(field(r, "ip"), port))
    };
    let listed_by = |addr: &NodeAddr| {
        agreeing
            .iter()
            .filter(|v| {
                v.replicas
                    .iter()
                    .any(|r| replica_addr(r).as_ref() == Some(addr))
            })
            .count()
    };
    let mut replicas: Vec<Value> = Vec::new();
    for v in &agreeing {
        for r in &v.replicas {
            let Some(addr) = replica_addr(r) else {
                continue;
            };
            if members.iter().any(|m| m.addr == addr) || 2 * listed_by(&addr) <= agreeing.len() {
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
    // The Sentinel the topology's facts come from (the first given when
    // none answered), which its manual fixes name.
    let asked = answered.first().map_or_else(
        || target.sentinels[0].clone(),
        |(i, _)| target.sentinels[*i].clone(),
    );
    let ckquorum = quorum_text.first().cloned().unwrap_or_else(|| {
        first
            .and_then(|v| v.quorum.clone())
            .and_then(Result::ok)
            .unwrap_or_default()
    });
    let named_by: Vec<Value> = distinct
        .iter()
        .map(|p| {
            let by: Vec<String> = answered
                .iter()
                .filter(|(_, v)| v.primary.as_ref().is_some_and(|n| n.to_string() == **p))
                .map(|(i, _)| addr(*i))
                .collect();
            json!({"primary": p, "sentinels": by})
        })
        .collect();
    let fact = json!({
        "master": target.master,
        "asked": asked.to_string(),
        "asked_host": asked.host(),
        "asked_port": asked.port(),
        "sentinels": target.sentinels.len(),
        "expected": expected,
        "reachable": answered.len(),
        "majority": majority,
        "unreachable": unreachable,
        "unaware": unaware,
        "known_masters": known_masters,
        "known_sentinels": known,
        "quorum": int(master, "quorum"),
        "quorum_ok": majority && ckquorum_ok,
        "ckquorum": if majority || answered.is_empty() {
            ckquorum
        } else {
            format!(
                "{} of {expected} Sentinels answered, not a majority: a failover cannot be authorised, whatever the answering ones say ({ckquorum})",
                answered.len()
            )
        },
        "primaries": distinct.iter().map(|p| (*p).clone()).collect::<Vec<_>>(),
        "named_by": named_by,
        "agree": distinct.len() == 1,
        "primary": primary.clone().unwrap_or_default(),
        "primary_votes": leading_votes,
        "claimants": [],
        "primary_down": flags.split(',').any(|f| matches!(f, "s_down" | "o_down")),
        "failover_in_progress": flags.contains("failover_in_progress"),
        "down_after_ms": int(master, "down-after-milliseconds"),
        "failover_timeout_ms": int(master, "failover-timeout"),
        "parallel_syncs": int(master, "parallel-syncs"),
        "replicas": replicas,
    });
    Topology {
        kind: super::topology::Kind::Sentinel,
        reach: spec.sentinel(target, asked.clone()).cli_reach(),
        asked,
        members,
        fact,
    }
}

/// The fact's `named_by`: each primary named, with the Sentinels naming it
/// (joined by ", ").
pub fn namings(fact: &Value) -> Vec<(String, String)> {
    fact["named_by"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            let sentinels: Vec<&str> = n["sentinels"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str())
                .collect();
            (
                n["primary"].as_str().unwrap_or_default().to_string(),
                sentinels.join(", "),
            )
        })
        .collect()
}
