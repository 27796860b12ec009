//! What `cachectl watch` follows from refresh to refresh: each node (its
//! kept connection, its counters, round trips and history) and since when
//! each finding has held. The loop that refreshes and shows it is
//! `engine::watch`.
//!
//! It only reads (`Session::query` sends no write). A refresh asks every
//! node at once, each on a connection kept between refreshes: the
//! diagnosis's commands in one pipeline (`facts::collect::Scope::Again`),
//! then a burst of `PINGS` round trips (CLIENT LIST, whose cost grows with
//! the clients, only every `CLIENT_LIST_EVERY` above `CLIENT_LIST_UP_TO`
//! of them). The runbooks judge each refresh's
//! facts with counters measured over the last `WINDOW` (a finding clears a
//! window after its cause stops) and the round trips of that window. A node
//! that goes away is shown down, since when, and dialled again each
//! refresh; the topology (Sentinel, Cluster) is read again every
//! `TOPOLOGY_EVERY`, so a failover's new primary is followed.

pub mod view;

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant, SystemTime};

use crate::facts::collect::{self, Scope};
use crate::facts::derive::Counters;
use crate::facts::Facts;
use crate::target::connect::Session;
use crate::target::{TargetSpec, Timeouts};

pub use view::{Cleared, NodeFigures, Seen, WatchView};

/// Round trips sampled per node and refresh.
pub const PINGS: usize = 5;
/// What counters and round trips are judged over.
pub const WINDOW: Duration = Duration::from_secs(60);
/// How far back the sparklines go.
pub const HISTORY: Duration = Duration::from_secs(300);
/// How often a topology is read again.
pub const TOPOLOGY_EVERY: Duration = Duration::from_secs(15);
/// Above this many clients, CLIENT LIST (a server's cost grows with them:
/// some 13 ms at 10,000) is asked every `CLIENT_LIST_EVERY`, not every
/// refresh; in between the last answer stands.
pub const CLIENT_LIST_UP_TO: i64 = 1000;
pub const CLIENT_LIST_EVERY: Duration = Duration::from_secs(30);
/// Findings kept in the list of those that cleared.
const CLEARED_KEPT: usize = 8;

/// One node's figures at one refresh.
#[derive(Debug, Clone, Copy, Default)]
pub struct Point {
    pub ops_per_s: Option<f64>,
    pub hit_ratio: Option<f64>,
    pub used_memory: Option<i64>,
    pub p99_us: Option<u64>,
}

/// Counters at one refresh, to measure later ones from.
#[derive(Debug, Clone, Copy)]
struct Mark {
    at: Instant,
    counters: Counters,
    commands: f64,
}

/// A node followed from refresh to refresh.
pub struct Tracked {
    pub spec: TargetSpec,
    session: Option<Session>,
    marks: VecDeque<Mark>,
    pings: VecDeque<(Instant, Duration)>,
    points: VecDeque<Point>,
    /// Whether anonymous clients get in: asked once, by the diagnosis.
    access: Option<serde_json::Value>,
    /// The last `clients` root, when it was read, and the clients INFO
    /// counted then.
    clients: Option<(Instant, serde_json::Value)>,
    connected: i64,
    /// Since when it has not answered, and why.
    down: Option<(SystemTime, String)>,
    latest: Option<Figures>,
    /// Points of history kept: `HISTORY` at one a refresh.
    kept: usize,
}

/// What one refresh measured of a node, for its row.
#[derive(Debug, Clone, Copy, Default)]
struct Figures {
    point: Point,
    evictions_per_s: Option<f64>,
    p50_us: Option<u64>,
}

/// The nodes of a watch, read all at once each refresh.
pub struct Nodes {
    pub list: Vec<Tracked>,
    every: Duration,
}

impl Nodes {
    /// The nodes of a diagnosis's facts (the node it is about first), as
    /// `spec` reaches them.
    pub fn of(all: &[&Facts], spec: &TargetSpec, every: Duration, wall: SystemTime) -> Nodes {
        let now = Instant::now();
        let list = all
            .iter()
            .map(|facts| {
                let mut node = Tracked::new(
                    spec.at(facts.node.addr.clone()),
                    facts.get("access").cloned(),
                    every,
                );
                node.observe(facts, now, Vec::new(), wall);
                node
            })
            .collect();
        Nodes { list, every }
    }

    /// Reads every node at once, each by `deadline`: its facts, in order,
    /// with the round trips of the window and what was not asked again.
    pub async fn read(
        &mut self,
        timeouts: &Timeouts,
        deadline: tokio::time::Instant,
    ) -> Vec<Facts> {
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for (i, node) in self.list.iter_mut().enumerate() {
            let (spec, session, timeouts) = (node.spec.clone(), node.session.take(), *timeouts);
            let baseline = node.baseline();
            let ask_access = node.access.is_none();
            let scope = Scope::Again {
                clients: node.clients_due(started),
            };
            tasks.spawn(async move {
                let (facts, session) =
                    collect::collect_with(session, &spec, &timeouts, deadline, baseline, scope)
                        .await;
                let pings = match &session {
                    Some(s) => tokio::time::timeout_at(deadline, collect::ping_burst(s, PINGS))
                        .await
                        .unwrap_or_default(),
                    None => Vec::new(),
                };
                let access = match &session {
                    Some(_) if ask_access => {
                        collect::anonymous_access(&spec, &timeouts, deadline).await
                    }
                    _ => None,
                };
                (i, facts, session, pings, access)
            });
        }
        let mut read: Vec<Option<Facts>> = vec![None; self.list.len()];
        while let Some(done) = tasks.join_next().await {
            if let Ok((i, mut facts, session, pings, access)) = done {
                let node = &mut self.list[i];
                node.session = session;
                if let Some(anonymous) = access {
                    node.access = Some(serde_json::json!({ "anonymous": anonymous }));
                }
                node.observe(&facts, Instant::now(), pings, SystemTime::now());
                node.judged(&mut facts);
                read[i] = Some(facts);
            }
        }
        // A task that panicked leaves its node unread, and says so.
        read.into_iter()
            .zip(&self.list)
            .map(|(f, n)| {
                f.unwrap_or_else(|| collect::unlocated(&n.spec, "its refresh did not finish"))
            })
            .collect()
    }

    /// Follows `addr` from now on, unless it is followed already.
    pub fn follow(&mut self, addr: &crate::target::NodeAddr, spec: &TargetSpec) {
        if !self.list.iter().any(|n| &n.spec.addr == addr) {
            self.list
                .push(Tracked::new(spec.at(addr.clone()), None, self.every));
        }
    }

    /// Puts `addr` first: the node the run is about (a new primary).
    pub fn put_first(&mut self, addr: &crate::target::NodeAddr) {
        if let Some(i) = self.list.iter().position(|n| &n.spec.addr == addr) {
            self.list.swap(0, i);
        }
    }

    /// The nodes that do not answer.
    pub fn down(&self) -> Vec<String> {
        self.list
            .iter()
            .filter(|n| n.down.is_some())
            .map(|n| n.spec.addr.to_string())
            .collect()
    }

    /// A node that answers, to ask a Cluster's view of.
    pub fn one_up(&self) -> Option<&TargetSpec> {
        self.list.iter().find(|n| n.down.is_none()).map(|n| &n.spec)
    }
}

/// Since when each finding has held, and those that cleared.
#[derive(Debug, Default)]
pub struct Timeline {
    seen: BTreeMap<(String, String), SystemTime>,
    cleared: VecDeque<Cleared>,
}

impl Timeline {
    /// Takes in the findings of a refresh (check id, node) at `now`: new
    /// ones start, those gone clear, except on a node `down` (one that does
    /// not answer has not cleared: it cannot be judged; a finding keeps its
    /// time if it holds once the node is back).
    pub fn track(&mut self, current: Vec<(String, String)>, down: &[String], now: SystemTime) {
        let gone: Vec<(String, String)> = self
            .seen
            .keys()
            .filter(|k| !current.contains(k) && !down.contains(&k.1))
            .cloned()
            .collect();
        for key in gone {
            if let Some(since) = self.seen.remove(&key) {
                self.cleared.push_front(Cleared {
                    id: key.0,
                    node: key.1,
                    since: view::unix(since),
                    cleared: view::unix(now),
                });
                self.cleared.truncate(CLEARED_KEPT);
            }
        }
        for key in current {
            self.cleared
                .retain(|c| (&c.id, &c.node) != (&key.0, &key.1));
            self.seen.entry(key).or_insert(now);
        }
    }

    /// Since when the finding `id` on `node` has held.
    pub fn since(&self, id: &str, node: &str) -> Option<SystemTime> {
        self.seen.get(&(id.to_string(), node.to_string())).copied()
    }

    pub fn cleared(&self) -> Vec<Cleared> {
        self.cleared.iter().cloned().collect()
    }
}

impl Tracked {
    fn new(spec: TargetSpec, access: Option<serde_json::Value>, every: Duration) -> Tracked {
        Tracked {
            spec,
            session: None,
            marks: VecDeque::new(),
            pings: VecDeque::new(),
            points: VecDeque::new(),
            access,
            clients: None,
            connected: 0,
            down: None,
            latest: None,
            kept: (HISTORY.as_secs_f64() / every.as_secs_f64().max(0.1)).ceil() as usize,
        }
    }

    /// The counters to measure this refresh's window from: the last
    /// refresh at least `WINDOW` ago, or the oldest there is.
    fn baseline(&self) -> Option<Counters> {
        self.marks.front().map(|m| m.counters)
    }

    /// Whether this refresh asks CLIENT LIST: while the clients are few,
    /// each time; else every `CLIENT_LIST_EVERY`.
    fn clients_due(&self, now: Instant) -> bool {
        match &self.clients {
            Some((at, _)) if self.connected > CLIENT_LIST_UP_TO => {
                now.duration_since(*at) >= CLIENT_LIST_EVERY
            }
            _ => true,
        }
    }

    /// Takes in one refresh's facts and round trips.
    fn observe(&mut self, facts: &Facts, at: Instant, pings: Vec<Duration>, wall: SystemTime) {
        if let Some(c) = facts.get("clients") {
            self.clients = Some((at, c.clone()));
        }
        let up = facts
            .get("connection")
            .is_some_and(|c| c["ok"] == true && c["lost"] != true);
        if up {
            self.down = None;
        } else if self.down.is_none() {
            let why = facts.get("connection").map_or_else(String::new, |c| {
                let error = c["error"].as_str().unwrap_or_default();
                if c["lost"] == true {
                    "connection lost".to_string()
                } else {
                    error.replace('_', " ")
                }
            });
            self.down = Some((wall, why));
        }
        for p in pings {
            self.pings.push_back((at, p));
        }
        while self
            .pings
            .front()
            .is_some_and(|(t, _)| at.duration_since(*t) > WINDOW)
        {
            self.pings.pop_front();
        }
        let info = facts.get("info");
        let num = |f: &str| info.and_then(|i| i[f].as_f64());
        if let Some(n) = num("connected_clients") {
            self.connected = n as i64;
        }
        let mark = facts.counters.map(|counters| Mark {
            at,
            counters,
            commands: num("total_commands_processed").unwrap_or(0.0),
        });
        let previous = self.marks.back().copied();
        let rate = |now: f64, then: f64, secs: f64| {
            (now >= then && secs > 0.0).then(|| ((now - then) / secs * 10.0).round() / 10.0)
        };
        let mut figures = Figures::default();
        if let (Some(m), Some(p)) = (mark, previous) {
            let secs = m.at.duration_since(p.at).as_secs_f64();
            // A restart in between resets the counters: no rate from it.
            if m.counters.uptime_s >= p.counters.uptime_s {
                // Less the watch's own commands of one refresh.
                let own = own_commands(facts);
                figures.point.ops_per_s =
                    rate((m.commands - own).max(p.commands), p.commands, secs);
                figures.evictions_per_s =
                    rate(m.counters.evicted_keys, p.counters.evicted_keys, secs);
                let hits = m.counters.keyspace_hits - p.counters.keyspace_hits;
                let lookups = hits + m.counters.keyspace_misses - p.counters.keyspace_misses;
                figures.point.hit_ratio = (lookups > 0.0 && hits >= 0.0)
                    .then(|| (hits / lookups * 1000.0).round() / 1000.0);
            }
        } else if let Some(ops) = num("instantaneous_ops_per_sec") {
            // The first reading: the server's own recent rate.
            figures.point.ops_per_s = Some(ops);
        }
        figures.point.used_memory = num("used_memory").map(|m| m as i64);
        let samples: Vec<Duration> = self.pings.iter().map(|(_, d)| *d).collect();
        if let Some(f) = crate::latency::Figures::of(&samples) {
            figures.p50_us = Some(f.p50_us);
            figures.point.p99_us = Some(f.p99_us);
        }
        if let Some(m) = mark {
            self.marks.push_back(m);
            // One mark older than the window is kept: the window's start.
            while self.marks.len() > 2 && at.duration_since(self.marks[1].at) > WINDOW {
                self.marks.pop_front();
            }
        }
        self.points.push_back(figures.point);
        while self.points.len() > self.kept {
            self.points.pop_front();
        }
        self.latest = Some(figures);
    }

    /// Fills what the refresh did not ask for: the round trips of the
    /// window (what the latency checks judge) and the diagnosis's answer
    /// on anonymous access.
    fn judged(&self, facts: &mut Facts) {
        if self.down.is_some() {
            return;
        }
        let samples: Vec<Duration> = self.pings.iter().map(|(_, d)| *d).collect();
        if samples.is_empty() {
            facts.set_unavailable(
                "ping",
                "PING",
                "timeout",
                "no PING was answered in the refresh's time",
            );
        } else {
            facts.set("ping", collect::ping_stats(&samples));
        }
        if facts.get("clients").is_none() && !facts.unavailable.contains_key("clients") {
            if let Some((_, clients)) = &self.clients {
                facts.set("clients", clients);
            }
        }
        match &self.access {
            Some(access) => facts.set("access", access),
            None => facts.set_unavailable(
                "access",
                crate::facts::catalog::Source::Anonymous.command(),
                "error",
                "could not tell whether unauthenticated clients are refused",
            ),
        }
    }
}

/// The commands one refresh sends a node: the round trips, the pipeline
/// (CONFIG GET one parameter at a time before Redis 7).
fn own_commands(facts: &Facts) -> f64 {
    let config = match facts.server() {
        Some(s)
            if s.flavour == "redis" && crate::facts::server::parse_version(&s.version).0 < 7 =>
        {
            crate::facts::catalog::CONFIG_PARAMS.len()
        }
        _ => 1,
    };
    (PINGS + 7 + config) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::NodeAddr;

    fn facts(commands: u64, hits: u64, misses: u64, clients: i64) -> Facts {
        let mut f = Facts::new(NodeAddr::tcp("10.0.0.5", 6379));
        let mut info = crate::redis::info::parse(&format!(
            "redis_version:7.0.15\r\nuptime_in_seconds:100\r\ntotal_commands_processed:{commands}\r\n\
             keyspace_hits:{hits}\r\nkeyspace_misses:{misses}\r\nevicted_keys:0\r\n\
             connected_clients:{clients}\r\nused_memory:1048576\r\n"
        ));
        f.counters = Some(Counters::of(&info));
        f.set("info", std::mem::take(&mut info.fields));
        f.set("connection", serde_json::json!({"ok": true, "lost": false}));
        f.set("clients", serde_json::json!({"connected": clients}));
        f
    }

    #[test]
    fn rates_leave_out_the_watchs_own_commands_and_lookups_make_the_hit_rate() {
        let spec = crate::target::parse_url("redis://10.0.0.5:6379").unwrap();
        let mut node = Tracked::new(spec, None, Duration::from_secs(1));
        let t0 = Instant::now();
        node.observe(&facts(1000, 0, 0, 5), t0, Vec::new(), SystemTime::now());
        // A second later: 2,000 commands of the load and 12 of the watch.
        let own = own_commands(&facts(0, 0, 0, 5));
        assert_eq!(own, 13.0);
        node.observe(
            &facts(3013, 90, 10, 5),
            t0 + Duration::from_secs(1),
            vec![Duration::from_micros(200); 5],
            SystemTime::now(),
        );
        let f = node.latest.unwrap();
        assert_eq!(f.point.ops_per_s, Some(2000.0));
        assert_eq!(f.point.hit_ratio, Some(0.9));
        assert_eq!((f.p50_us, f.point.p99_us), (Some(200), Some(200)));
        assert_eq!(node.baseline().map(|c| c.keyspace_hits), Some(0.0));
    }

    #[test]
    fn client_list_is_asked_every_refresh_while_clients_are_few_else_every_30s() {
        let spec = crate::target::parse_url("redis://10.0.0.5:6379").unwrap();
        let mut node = Tracked::new(spec, None, Duration::from_secs(2));
        let t0 = Instant::now();
        assert!(node.clients_due(t0));
        node.observe(&facts(0, 0, 0, 800), t0, Vec::new(), SystemTime::now());
        assert!(node.clients_due(t0 + Duration::from_secs(2)));
        node.observe(&facts(0, 0, 0, 5000), t0, Vec::new(), SystemTime::now());
        assert!(!node.clients_due(t0 + Duration::from_secs(2)));
        assert!(node.clients_due(t0 + CLIENT_LIST_EVERY));
        // In between, the last answer stands for the runbooks.
        let mut later = facts(0, 0, 0, 5000);
        later.values.remove("clients");
        node.judged(&mut later);
        assert_eq!(later.get("clients").unwrap()["connected"], 5000);
    }
}
