//! What a watch shows at one refresh, beside its report: each node's
//! figures with their recent history, since when each finding has held,
//! and those that cleared (docs/json.md, `watch`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::{Nodes, Timeline, HISTORY};
use crate::facts::Facts;
use crate::findings::Finding;
use crate::target::Role;

#[derive(Debug, Clone, Serialize)]
pub struct WatchView {
    /// Refreshes since the watch began (0: its first diagnosis).
    pub refresh: u64,
    /// Seconds between refreshes.
    pub every_s: f64,
    /// When the watch began and when this refresh was read, Unix seconds.
    pub started: u64,
    pub at: u64,
    /// What the findings' counters and round trips are measured over,
    /// seconds (since the server started, on the first diagnosis).
    pub window_s: i64,
    /// What the history covers at most, seconds.
    pub history_s: u64,
    pub nodes: Vec<NodeFigures>,
    /// Since when each finding of the report has held.
    pub findings: Vec<Seen>,
    /// Findings that held and no longer do, latest first.
    pub cleared: Vec<Cleared>,
}

/// One node's figures now, and their history (oldest first, one point a
/// refresh; `null` where a refresh had none).
#[derive(Debug, Clone, Serialize)]
pub struct NodeFigures {
    pub node: String,
    pub role: Role,
    pub up: bool,
    /// Since when it has not answered (Unix seconds), and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down_since: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down_reason: Option<String>,
    /// Commands per second since the last refresh.
    pub ops_per_s: Option<f64>,
    /// Hits of the lookups since the last refresh (none without lookups).
    pub hit_ratio: Option<f64>,
    pub used_memory: Option<i64>,
    /// 0: no limit.
    pub maxmemory: Option<i64>,
    pub clients: Option<i64>,
    pub maxclients: Option<i64>,
    pub evictions_per_s: Option<f64>,
    /// Round trips of the window's PINGs, from here.
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub history: History,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct History {
    pub ops_per_s: Vec<Option<f64>>,
    pub hit_ratio: Vec<Option<f64>>,
    pub used_memory: Vec<Option<i64>>,
    pub p99_ms: Vec<Option<f64>>,
}

/// A finding of the report, and since when it has held (Unix seconds).
#[derive(Debug, Clone, Serialize)]
pub struct Seen {
    pub id: String,
    pub node: String,
    pub since: u64,
}

/// A finding that no longer holds: since when it held, and when it
/// cleared (Unix seconds).
#[derive(Debug, Clone, Serialize)]
pub struct Cleared {
    pub id: String,
    pub node: String,
    pub since: u64,
    pub cleared: u64,
}

pub(super) fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn ms(us: u64) -> f64 {
    (us as f64 / 10.0).round() / 100.0
}

/// What a view is made of: the watch's parts at one refresh.
pub struct Frame<'a> {
    pub nodes: &'a Nodes,
    /// Every node's facts of the refresh.
    pub facts: &'a [&'a Facts],
    pub findings: &'a [Finding],
    pub timeline: &'a Timeline,
    pub refresh: u64,
    pub every: Duration,
    pub started: SystemTime,
}

impl WatchView {
    pub fn of(f: &Frame<'_>) -> WatchView {
        let nodes = f
            .nodes
            .list
            .iter()
            .map(|n| {
                let facts = f.facts.iter().find(|x| x.node.addr == n.spec.addr);
                let info = facts.and_then(|x| x.get("info"));
                let derived = facts.and_then(|x| x.get("derived"));
                let int = |v: Option<&serde_json::Value>, k: &str| v.and_then(|v| v[k].as_i64());
                let latest = n.latest.unwrap_or_default();
                let up = n.down.is_none();
                NodeFigures {
                    node: n.spec.addr.to_string(),
                    role: facts.map_or(Role::Unknown, |x| x.node.role),
                    up,
                    down_since: n.down.as_ref().map(|(t, _)| unix(*t)),
                    down_reason: n.down.as_ref().map(|(_, why)| why.clone()),
                    ops_per_s: latest.point.ops_per_s.filter(|_| up),
                    hit_ratio: latest.point.hit_ratio.filter(|_| up),
                    used_memory: int(info, "used_memory").filter(|_| up),
                    maxmemory: int(derived, "maxmemory").filter(|_| up),
                    clients: int(info, "connected_clients").filter(|_| up),
                    maxclients: int(derived, "maxclients").filter(|_| up),
                    evictions_per_s: latest.evictions_per_s.filter(|_| up),
                    p50_ms: latest.p50_us.filter(|_| up).map(ms),
                    p99_ms: latest.point.p99_us.filter(|_| up).map(ms),
                    history: History {
                        ops_per_s: n.points.iter().map(|p| p.ops_per_s).collect(),
                        hit_ratio: n.points.iter().map(|p| p.hit_ratio).collect(),
                        used_memory: n.points.iter().map(|p| p.used_memory).collect(),
                        p99_ms: n.points.iter().map(|p| p.p99_us.map(ms)).collect(),
                    },
                }
            })
            .collect();
        let findings = f
            .findings
            .iter()
            .map(|x| {
                let node = x.node.to_string();
                let since = f.timeline.since(&x.id, &node).map_or(0, unix);
                Seen {
                    id: x.id.clone(),
                    node,
                    since,
                }
            })
            .collect();
        let window_s = f
            .facts
            .first()
            .and_then(|x| x.get("derived"))
            .and_then(|v| v["window_s"].as_i64())
            .unwrap_or(0);
        WatchView {
            refresh: f.refresh,
            every_s: f.every.as_secs_f64(),
            started: unix(f.started),
            at: unix(SystemTime::now()),
            window_s,
            history_s: HISTORY.as_secs(),
            nodes,
            findings,
            cleared: f.timeline.cleared(),
        }
    }
}
