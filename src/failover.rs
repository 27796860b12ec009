//! Failover, the domain: the state of each node (ROLE, replica-priority),
//! which replicas are fit to be promoted, and watching the topology settle
//! afterwards: when the new primary was promoted, when every node (and
//! Sentinel) agreed, and how many probe writes were refused meanwhile.

use std::time::Duration;

use serde::Serialize;
use tokio::time::{timeout, Instant};

use crate::redis::role;
use crate::target::connect::Consented;
use crate::target::connect::{connect, Session};
use crate::target::{NodeAddr, SentinelTarget, TargetSpec, Timeouts};

/// The probe key: short-lived, named for what wrote it.
pub const PROBE_KEY: &str = "cachectl:failover:probe";

/// How often the watch looks (and probes).
pub const PROBE_EVERY_MS: u64 = 100;

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
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

/// What happened after the failover was asked for.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timeline {
    /// Milliseconds from the request until the new primary's ROLE said
    /// master, and until every node (and Sentinel) agreed on it.
    pub promoted_after_ms: Option<u64>,
    pub agreed_after_ms: Option<u64>,
    /// Probe writes sent to the primary of the moment, and refused
    /// (READONLY, errors, no answer within 250 ms).
    pub probe_writes: u64,
    pub writes_refused: u64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub first_refusal: String,
    /// Every node seen as the new primary during the watch, in order: two
    /// or more is a second failover.
    pub primaries: Vec<String>,
}

/// Where a node stands once the watch ends.
#[derive(Debug, Clone, Serialize)]
pub struct After {
    pub addr: String,
    pub role: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub primary: String,
}

/// What to watch after the request.
pub struct Watch<'a> {
    pub spec: &'a TargetSpec,
    pub timeouts: &'a Timeouts,
    pub old: NodeAddr,
    /// The replica asked for (None: the Sentinels choose).
    pub expect: Option<NodeAddr>,
    /// Every data node of the shard, the old primary included.
    pub nodes: Vec<NodeAddr>,
    pub sentinels: Option<&'a SentinelTarget>,
    pub wait: Duration,
    /// The consent to send the probe writes (the failover's own), or none
    /// to watch without writing.
    pub probe: Option<&'a crate::mutate::Consent>,
}

/// A session kept across ticks, reopened when it fails.
struct Link {
    spec: TargetSpec,
    session: Option<Session>,
}

impl Link {
    /// The session, opened again when the last one failed.
    async fn session(&mut self, t: &Timeouts, limit: Duration) -> Result<Session, String> {
        if self.session.is_none() {
            match timeout(limit, connect(&self.spec, t)).await {
                Ok(Ok(s)) => self.session = Some(s),
                Ok(Err(f)) => return Err(f.detail),
                Err(_) => return Err("no answer".into()),
            }
        }
        Ok(self.session.clone().expect("connected"))
    }

    async fn query<T: redis::FromRedisValue>(
        &mut self,
        cmd: &redis::Cmd,
        t: &Timeouts,
        limit: Duration,
    ) -> Result<T, String> {
        let session = self.session(t, limit).await?;
        let answer = timeout(limit, session.query::<T>(cmd)).await;
        self.settle(answer)
    }

    /// A probe write, under the failover's consent.
    async fn write(
        &mut self,
        pipe: &redis::Pipeline,
        consent: &crate::mutate::Consent,
        t: &Timeouts,
        limit: Duration,
    ) -> Result<(), String> {
        let session = self.session(t, limit).await?;
        let answer = timeout(limit, session.write::<Vec<redis::Value>>(pipe, consent)).await;
        match self.settle(answer)?.first() {
            Some(redis::Value::ServerError(e)) => {
                Err(format!("{} {}", e.code(), e.details().unwrap_or_default()))
            }
            _ => Ok(()),
        }
    }

    /// An answer, or why not; a connection that failed is dropped.
    fn settle<T>(
        &mut self,
        answer: Result<
            Result<T, crate::target::connect::CommandFailure>,
            tokio::time::error::Elapsed,
        >,
    ) -> Result<T, String> {
        match answer {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                if e.kind != crate::target::connect::CommandFailureKind::Error {
                    self.session = None;
                }
                Err(e.detail)
            }
            Err(_) => {
                self.session = None;
                Err("no answer".into())
            }
        }
    }
}

/// How a watch ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The new primary is promoted and every node (and Sentinel) agrees.
    Agreed,
    /// Promoted, but not every node or Sentinel agreed within --wait.
    Promoted,
    /// No replica was promoted within --wait.
    NotPromoted,
    /// Two or more nodes say they are the primary: each node's role.
    Split(Vec<String>),
    /// Nodes that did not answer, a reconnect tried: the outcome cannot be
    /// verified (an unanswering node is never taken to agree).
    Unreachable(Vec<String>),
    /// Ctrl-C during the watch.
    Interrupted,
}

/// What the watch saw.
pub struct Watched {
    pub timeline: Timeline,
    pub after: Vec<After>,
    /// The primary the nodes and Sentinels agree on when the watch ends
    /// (not the first one promoted, if another took over since).
    pub new: Option<NodeAddr>,
    pub verdict: Verdict,
}

/// How a watch ends, from where the nodes are: agreed; two or more
/// masters (split, each node's role named); a node that did not answer
/// (never taken to agree); promoted but not agreed; nothing promoted.
pub fn judge_end(after: &[After], agreed: bool, promoted: bool) -> Verdict {
    if agreed {
        return Verdict::Agreed;
    }
    if after.iter().filter(|a| a.role == "master").count() > 1 {
        return Verdict::Split(
            after
                .iter()
                .map(|a| match a.role.as_str() {
                    "slave" => format!("{} replica of {}", a.addr, a.primary),
                    r => format!("{} {r}", a.addr),
                })
                .collect(),
        );
    }
    let unreachable: Vec<String> = after
        .iter()
        .filter(|a| a.role == "unreachable")
        .map(|a| a.addr.clone())
        .collect();
    if !unreachable.is_empty() {
        Verdict::Unreachable(unreachable)
    } else if promoted {
        Verdict::Promoted
    } else {
        Verdict::NotPromoted
    }
}

/// The primary most of the answering Sentinels name now, if most name one.
fn majority_named(named: &[NodeAddr]) -> Option<NodeAddr> {
    named
        .iter()
        .find(|n| 2 * named.iter().filter(|m| m == n).count() > named.len())
        .cloned()
}

/// Asks every node its role (and the Sentinels whom they name).
async fn look(
    w: &Watch<'_>,
    nodes: &mut [Link],
    sentinels: &mut [Link],
    limit: Duration,
) -> (Vec<NodeAddr>, Vec<After>) {
    let t = w.timeouts;
    let mut named = Vec::new();
    if let Some(s) = w.sentinels {
        let mut cmd = redis::cmd("SENTINEL");
        cmd.arg("GET-MASTER-ADDR-BY-NAME").arg(&s.master);
        for link in sentinels.iter_mut() {
            if let Ok((h, p)) = link.query::<(String, u16)>(&cmd, t, limit).await {
                named.push(NodeAddr::tcp(h, p));
            }
        }
    }
    let mut after = Vec::with_capacity(nodes.len());
    for link in nodes.iter_mut() {
        let r = link
            .query::<redis::Value>(&redis::cmd("ROLE"), t, limit)
            .await
            .map(|v| role::parse(&v));
        after.push(match r {
            Ok(r) if !r.role.is_empty() => After {
                addr: link.spec.addr.to_string(),
                role: r.role,
                primary: r.primary,
            },
            _ => After {
                addr: link.spec.addr.to_string(),
                role: "unreachable".into(),
                primary: String::new(),
            },
        });
    }
    (named, after)
}

/// Watches until the new primary is promoted and every node (and
/// Sentinel) agrees on it, --wait passes, or Ctrl-C. A node that does not
/// answer never counts as agreeing; at the end one more look is taken with
/// fresh connections before it is judged unreachable. Two nodes that say
/// master are a split; a primary that changes again during the watch is a
/// second failover, in the timeline.
pub async fn watch(
    w: &Watch<'_>,
    requested: Instant,
    stop: &crate::interrupt::Interrupt,
) -> Watched {
    let tick = Duration::from_millis(PROBE_EVERY_MS);
    let limit = Duration::from_millis(250);
    let t = w.timeouts;
    let link = |spec: TargetSpec| Link {
        spec,
        session: None,
    };
    let mut nodes: Vec<Link> = w.nodes.iter().map(|a| link(w.spec.at(a.clone()))).collect();
    let mut sentinels: Vec<Link> = w
        .sentinels
        .map(|s| {
            s.sentinels
                .iter()
                .map(|a| link(w.spec.sentinel(s, a.clone())))
                .collect()
        })
        .unwrap_or_default();
    let mut timeline = Timeline::default();
    let mut last_look_fresh = false;
    let verdict = loop {
        let (named, after) = look(w, &mut nodes, &mut sentinels, limit).await;
        let elapsed = requested.elapsed().as_millis() as u64;
        let masters: Vec<&After> = after.iter().filter(|a| a.role == "master").collect();
        // The primary of the moment: the one asked for, or the one the
        // Sentinels' majority names, or the one node (not the old) that
        // says master.
        let candidate = match (&w.expect, majority_named(&named)) {
            (Some(e), _) => Some(e.clone()),
            (None, Some(n)) if n != w.old => Some(n),
            _ => masters
                .iter()
                .find(|a| a.addr != w.old.to_string())
                .and_then(|a| NodeAddr::parse(&a.addr).ok()),
        };
        // Every node seen as the new primary: by its own word, or by the
        // Sentinels' (who name it before it may answer).
        let seen = masters
            .iter()
            .map(|m| m.addr.clone())
            .chain(majority_named(&named).map(|n| n.to_string()));
        for addr in seen {
            if addr != w.old.to_string() && !timeline.primaries.contains(&addr) {
                timeline.primaries.push(addr);
            }
        }
        let mut agreed = false;
        if let Some(c) = &candidate {
            let cs = c.to_string();
            let promoted = after.iter().any(|a| a.addr == cs && a.role == "master");
            if promoted && timeline.promoted_after_ms.is_none() {
                timeline.promoted_after_ms = Some(elapsed);
            }
            let nodes_agree = after
                .iter()
                .filter(|a| a.addr != cs)
                .all(|a| a.role == "slave" && a.primary == cs);
            let sentinels_agree = w.sentinels.is_none_or(|s| {
                2 * named.len() > s.sentinels.len() && named.iter().all(|n| n == c)
            });
            agreed = promoted && nodes_agree && sentinels_agree;
            if agreed {
                timeline.agreed_after_ms = Some(elapsed);
            }
        }
        let over = requested.elapsed() >= w.wait;
        if agreed || (over && last_look_fresh) {
            let new = candidate.filter(|_| agreed).or_else(|| {
                (masters.len() == 1)
                    .then(|| NodeAddr::parse(&masters[0].addr).ok())
                    .flatten()
            });
            let verdict = judge_end(&after, agreed, timeline.promoted_after_ms.is_some());
            return Watched {
                timeline,
                after,
                new,
                verdict,
            };
        }
        if over {
            // One last look, over fresh connections: a connection the
            // failover's reconfiguration dropped is not a node down.
            for l in nodes.iter_mut().chain(sentinels.iter_mut()) {
                l.session = None;
            }
            last_look_fresh = true;
            continue;
        }
        // A write to the primary of the moment: refused while none is.
        if let Some(consent) = w.probe {
            let target = candidate
                .clone()
                .or_else(|| majority_named(&named))
                .unwrap_or_else(|| w.old.clone());
            // Only where the consent reaches: a node left out of the probe
            // (unreachable at the pre-flight) is not written to.
            let allowed = consent.refuses(&target, "SET").is_none();
            if let Some(link) = nodes
                .iter_mut()
                .find(|l| l.spec.addr == target)
                .filter(|_| allowed)
            {
                timeline.probe_writes += 1;
                let mut set = redis::pipe();
                set.cmd("SET")
                    .arg(PROBE_KEY)
                    .arg(elapsed)
                    .arg("PX")
                    .arg(5000);
                if let Err(e) = link.write(&set, consent, t, limit).await {
                    timeline.writes_refused += 1;
                    if timeline.first_refusal.is_empty() {
                        timeline.first_refusal = format!("{target}: {e}");
                    }
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = stop.wait() => break Verdict::Interrupted,
        }
    };
    let (_, after) = look(w, &mut nodes, &mut sentinels, limit).await;
    Watched {
        timeline,
        after,
        new: None,
        verdict,
    }
}

#[cfg(test)]
mod tests {
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
            error: String::new(),
        }
    }

    #[test]
    fn the_end_of_a_watch_never_takes_silence_for_agreement() {
        let node = |addr: &str, role: &str, primary: &str| After {
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
