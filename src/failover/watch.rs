//! The watch after a failover is requested: every node (and Sentinel)
//! asked until they agree on the new primary or --wait passes, with the
//! probe writes that measure how long writes were refused.

use std::time::Duration;

use serde::Serialize;
use tokio::time::{timeout, Instant};

use super::{probe_command, PROBE_EVERY_MS};
use crate::redis::role;
use crate::target::connect::Consented;
use crate::target::connect::{connect, Session};
use crate::target::{NodeAddr, SentinelTarget, TargetSpec, Timeouts};

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
pub struct NodeAfter {
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
    pub after: Vec<NodeAfter>,
    /// The primary the nodes and Sentinels agree on when the watch ends
    /// (not the first one promoted, if another took over since).
    pub new: Option<NodeAddr>,
    pub verdict: Verdict,
}

/// How a watch ends, from where the nodes are: agreed; two or more
/// masters (split, each node's role named); a node that did not answer
/// (never taken to agree); promoted but not agreed; nothing promoted.
pub fn judge_end(after: &[NodeAfter], agreed: bool, promoted: bool) -> Verdict {
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
pub(super) fn majority_named(named: &[NodeAddr]) -> Option<NodeAddr> {
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
) -> (Vec<NodeAddr>, Vec<NodeAfter>) {
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
            Ok(r) if !r.role.is_empty() => NodeAfter {
                addr: link.spec.addr.to_string(),
                role: r.role,
                primary: r.primary,
            },
            _ => NodeAfter {
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
        let masters: Vec<&NodeAfter> = after.iter().filter(|a| a.role == "master").collect();
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
                let cmd = set.cmd("SET");
                for word in &probe_command(&elapsed.to_string())[1..] {
                    cmd.arg(word);
                }
                if let Err(e) = link.write(&set, consent, t, limit).await {
                    timeline.writes_refused += 1;
                    if timeline.first_refusal.is_empty() {
                        timeline.first_refusal = format!("{target}: {e}");
                    }
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(tick) => {}
            () = stop.wait() => break Verdict::Interrupted,
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
