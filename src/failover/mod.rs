//! Failover, the domain: the state of each node (ROLE, replica-priority),
//! which replicas are fit to be promoted, and watching the topology settle
//! afterwards: when the new primary was promoted, when every node (and
//! Sentinel) agreed, and how many probe writes were refused meanwhile.

pub mod execute;
pub mod plan;
pub mod watch;

pub use watch::{NodeAfter, Timeline, Verdict};

use serde::Serialize;
use tokio::time::timeout;

use crate::redis::role;
use crate::target::connect::connect;
use crate::target::{NodeAddr, TargetSpec, Timeouts};

/// The probe key: short-lived, named for what wrote it.
pub const PROBE_KEY: &str = "cachectl:failover:probe";

/// How often the watch looks (and probes).
pub const PROBE_EVERY_MS: u64 = 100;

/// How long a probe write lives (PX), in milliseconds.
const PROBE_TTL_MS: u64 = 5000;

/// The probe's write: SET of `PROBE_KEY` to `value` (the milliseconds
/// since the request), expiring. The plan shows it with `<ms>` for the
/// value; the watch sends it with the figure.
pub fn probe_command(value: &str) -> Vec<String> {
    vec![
        "SET".into(),
        PROBE_KEY.into(),
        value.into(),
        "PX".into(),
        PROBE_TTL_MS.to_string(),
    ]
}

/// One data node as ROLE (and CONFIG GET replica-priority) tell it.
#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    pub addr: String,
    pub reachable: bool,
    /// master, slave, or empty when unreachable.
    pub role: String,
    /// A replica's primary, host:port.
    pub primary: String,
    /// A replica's link state (connected, connect, sync...).
    pub link: String,
    pub offset: i64,
    /// replica-priority (0: never promoted); 100 when CONFIG is refused.
    pub priority: i64,
    /// A primary's replicas as its ROLE lists them, host:port.
    #[serde(skip)]
    pub replicas: Vec<String>,
    /// min-replicas-to-write, when CONFIG answered.
    #[serde(skip)]
    pub min_replicas: Option<usize>,
    /// FAILOVER is there under its own name (COMMAND INFO answers it): not
    /// before 6.2, nor where it is renamed or disabled.
    #[serde(skip)]
    pub has_failover: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub error: String,
}

/// A node that could not be asked, and why.
pub fn unanswered(addr: &NodeAddr, why: &str) -> Standing {
    Standing {
        addr: addr.to_string(),
        reachable: false,
        role: String::new(),
        primary: String::new(),
        link: String::new(),
        offset: 0,
        priority: 100,
        replicas: Vec::new(),
        min_replicas: None,
        has_failover: false,
        error: why.to_string(),
    }
}

/// ROLE and replica-priority of `addr`, each step under the command timeout.
pub async fn state(spec: &TargetSpec, timeouts: &Timeouts) -> Standing {
    let mut out = unanswered(&spec.addr, "");
    let session = match timeout(timeouts.connect + timeouts.command, connect(spec, timeouts)).await
    {
        Ok(Ok(s)) => s,
        Ok(Err(f)) => {
            out.error = format!("{}: {}", f.kind.as_str(), f.detail);
            return out;
        }
        Err(_) => {
            out.error = "no answer in time".into();
            return out;
        }
    };
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    pipe.cmd("ROLE");
    // One parameter a CONFIG GET: 6.2 refuses several.
    pipe.cmd("CONFIG").arg("GET").arg("replica-priority");
    pipe.cmd("CONFIG").arg("GET").arg("min-replicas-to-write");
    pipe.cmd("COMMAND").arg("INFO").arg("failover");
    match session.query_pipeline::<Vec<redis::Value>>(&pipe).await {
        Ok(replies) => {
            let r = replies.first().map(role::parse).unwrap_or_default();
            out.reachable = !r.role.is_empty();
            out.role = r.role;
            out.primary = r.primary;
            out.link = r.link_state;
            out.offset = r.offset;
            out.replicas = r.replicas.into_iter().map(|x| x.addr).collect();
            let config = |i: usize| {
                replies
                    .get(i)
                    .map(crate::target::topology::pairs)
                    .and_then(|kv| kv.first().and_then(|(_, v)| v.parse::<i64>().ok()))
            };
            if let Some(p) = config(1) {
                out.priority = p;
            }
            out.min_replicas = config(2).map(|n| n.max(0) as usize);
            out.has_failover = matches!(
                replies.get(3),
                Some(redis::Value::Array(items)) if matches!(items.first(), Some(redis::Value::Array(_)))
            );
            if !out.reachable {
                out.error = "ROLE gave no answer".into();
            }
        }
        Err(e) => out.error = e.detail,
    }
    out
}

/// A replica that could be promoted, or why not.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    #[serde(flatten)]
    pub state: Standing,
    /// The primary's offset minus this replica's; -1 when unknown.
    pub lag_bytes: i64,
    /// Flagged down by the Sentinels.
    pub down: bool,
    pub fit: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub why_not: String,
}

/// Judges a replica: reachable, linked to `primary`, promotable, not
/// flagged down, and at most `max_lag` bytes behind (unless `force`).
pub fn judge(
    state: Standing,
    primary: &Standing,
    down: bool,
    max_lag: u64,
    force: bool,
) -> Candidate {
    let lag_bytes = if state.reachable && primary.reachable {
        (primary.offset - state.offset).max(0)
    } else {
        -1
    };
    let why_not = if !state.reachable {
        format!("does not answer ({})", state.error)
    } else if state.role != "slave" {
        format!("is a {}, not a replica", state.role)
    } else if state.primary != primary.addr {
        format!("replicates {}, not {}", state.primary, primary.addr)
    } else if state.link != "connected" {
        format!("its link to the primary is {}", state.link)
    } else if down {
        "the Sentinels flag it down".into()
    } else if state.priority == 0 {
        "replica-priority 0: never to be promoted".into()
    } else if lag_bytes > max_lag as i64 && !force {
        format!("{lag_bytes} bytes behind the primary (over --max-lag {max_lag}; --force promotes it anyway)")
    } else {
        String::new()
    };
    Candidate {
        state,
        lag_bytes,
        down,
        fit: why_not.is_empty(),
        why_not,
    }
}

/// The replica to promote: `to` when given (it must be fit), otherwise
/// the fit one with the lowest replica-priority, then the highest offset
/// (the Sentinels' own order).
pub fn choose<'a>(
    candidates: &'a [Candidate],
    to: Option<&NodeAddr>,
) -> Result<&'a Candidate, String> {
    if let Some(to) = to {
        let c = candidates
            .iter()
            .find(|c| c.state.addr == to.to_string())
            .ok_or_else(|| {
                format!(
                    "--to {to} is not a replica of the primary (its replicas: {})",
                    candidates
                        .iter()
                        .map(|c| c.state.addr.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        return if c.fit {
            Ok(c)
        } else {
            Err(format!("--to {to}: {}", c.why_not))
        };
    }
    candidates
        .iter()
        .filter(|c| c.fit)
        .min_by_key(|c| (c.state.priority, -c.state.offset))
        .ok_or_else(|| {
            if candidates.is_empty() {
                "the primary has no replica".to_string()
            } else {
                format!(
                    "no replica is fit to be promoted: {}",
                    candidates
                        .iter()
                        .map(|c| format!("{} {}", c.state.addr, c.why_not))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            }
        })
}

/// One pre-check, as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PreCheck {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::watch::*;
    use super::*;

    fn node(addr: &str, role: &str, primary: &str, offset: i64, priority: i64) -> Standing {
        Standing {
            addr: addr.into(),
            reachable: !role.is_empty(),
            role: role.into(),
            primary: primary.into(),
            link: "connected".into(),
            offset,
            priority,
            replicas: Vec::new(),
            min_replicas: None,
            has_failover: false,
            error: String::new(),
        }
    }

    #[test]
    fn the_end_of_a_watch_never_takes_silence_for_agreement() {
        let node = |addr: &str, role: &str, primary: &str| NodeAfter {
            addr: addr.into(),
            role: role.into(),
            primary: primary.into(),
        };
        let split = judge_end(
            &[
                node("a:1", "master", ""),
                node("b:1", "master", ""),
                node("c:1", "slave", "b:1"),
            ],
            false,
            true,
        );
        assert_eq!(
            split,
            Verdict::Split(vec![
                "a:1 master".into(),
                "b:1 master".into(),
                "c:1 replica of b:1".into()
            ])
        );
        let silent = judge_end(
            &[
                node("a:1", "slave", "b:1"),
                node("b:1", "master", ""),
                node("c:1", "unreachable", ""),
            ],
            false,
            true,
        );
        assert_eq!(silent, Verdict::Unreachable(vec!["c:1".into()]));
        assert_eq!(
            judge_end(&[node("b:1", "master", "")], true, true),
            Verdict::Agreed
        );
        assert_eq!(
            judge_end(
                &[node("a:1", "master", ""), node("b:1", "slave", "a:1")],
                false,
                false
            ),
            Verdict::NotPromoted
        );
        assert_eq!(
            majority_named(&[NodeAddr::tcp("x", 1), NodeAddr::tcp("y", 1)]),
            None
        );
        assert_eq!(
            majority_named(&[
                NodeAddr::tcp("x", 1),
                NodeAddr::tcp("y", 1),
                NodeAddr::tcp("x", 1)
            ]),
            Some(NodeAddr::tcp("x", 1))
        );
    }

    #[test]
    fn fit_replicas_and_the_one_chosen() {
        let p = node("10.0.0.1:6379", "master", "", 5000, 100);
        let c = vec![
            judge(
                node("10.0.0.2:6379", "slave", "10.0.0.1:6379", 4990, 100),
                &p,
                false,
                100,
                false,
            ),
            judge(
                node("10.0.0.3:6379", "slave", "10.0.0.1:6379", 5000, 100),
                &p,
                false,
                100,
                false,
            ),
            judge(
                node("10.0.0.4:6379", "slave", "10.0.0.1:6379", 5000, 0),
                &p,
                false,
                100,
                false,
            ),
            judge(
                node("10.0.0.5:6379", "slave", "10.0.0.1:6379", 1000, 10),
                &p,
                false,
                100,
                false,
            ),
            judge(
                node("10.0.0.6:6379", "slave", "10.0.0.1:6379", 5000, 10),
                &p,
                true,
                100,
                false,
            ),
            judge(node("10.0.0.7:6379", "", "", 0, 100), &p, false, 100, false),
        ];
        assert!(c[0].fit && c[1].fit);
        assert!(c[2].why_not.contains("replica-priority 0"));
        assert!(
            c[3].why_not.contains("4000 bytes behind"),
            "{}",
            c[3].why_not
        );
        assert!(c[4].why_not.contains("flag it down"));
        assert!(c[5].why_not.contains("does not answer"));
        assert_eq!(c[5].lag_bytes, -1);
        // Same priority: the furthest ahead.
        assert_eq!(choose(&c, None).unwrap().state.addr, "10.0.0.3:6379");
        let to = NodeAddr::parse("10.0.0.5:6379").unwrap();
        assert!(choose(&c, Some(&to)).unwrap_err().contains("bytes behind"));
        let forced = judge(
            node("10.0.0.5:6379", "slave", "10.0.0.1:6379", 1000, 10),
            &p,
            false,
            100,
            true,
        );
        assert!(forced.fit);
        let none: Vec<Candidate> = c.into_iter().skip(2).collect();
        assert!(choose(&none, None)
            .unwrap_err()
            .starts_with("no replica is fit"));
    }
}
