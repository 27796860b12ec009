//! Which keys are hot: per node, the keys read and written most, with the
//! method named. In order of preference:
//! - `HOTKEYS` (Redis 8.6+): the server's own top-K by CPU time and network
//!   bytes, tracked for `--sample`;
//! - `OBJECT FREQ` under an LFU policy: the server's access-frequency
//!   counter of every key (a SCAN, or in a Cluster the keys of the hot slots);
//! - `CLUSTER SLOT-STATS` (Valkey 8+, Redis 8.2+): the hot slots, first, so
//!   that the keys are looked for where the load is;
//! - a MONITOR sample, opt-in (`--sample 10s`): every command the server
//!   runs for that long, within a cap on lines and bytes, its keys counted
//!   as reads or writes by the server's own command table (seed 001,
//!   Commands Reference: "Monitor real-time commands: MONITOR").
//!
//! Memory is bounded: a key table of at most `KEYS_HELD` entries (pruned to
//! the busiest half when full, and then said to be approximate), a pattern
//! table of at most `PATTERNS_HELD`.

pub mod monitor;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use redis::Value;
use serde::Serialize;

use crate::redis::reply;
use crate::scan::pattern;
use crate::target::connect::{RawFeed, Session};
use crate::target::{TargetSpec, Timeouts};
use monitor::{Access, Specs};

/// How a node's hot keys were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Redis 8.6's HOTKEYS: CPU time and network bytes per key.
    Hotkeys,
    /// OBJECT FREQ under an LFU policy: the server's logarithmic access
    /// counter (not a count of commands).
    ObjectFreq,
    /// A MONITOR sample: commands counted, reads and writes apart.
    Monitor,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Hotkeys => "hotkeys",
            Method::ObjectFreq => "object-freq",
            Method::Monitor => "monitor",
        }
    }
}

/// One hot key.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HotKey {
    /// Escaped as redis-cli shows it.
    pub key: String,
    pub node: String,
    /// Commands that read it / wrote it (MONITOR); null where the method
    /// does not tell them apart.
    pub reads: Option<u64>,
    pub writes: Option<u64>,
    /// Commands per second over the sample (MONITOR).
    pub per_s: Option<f64>,
    /// OBJECT FREQ's counter (LFU), 0-255, logarithmic.
    pub freq: Option<u64>,
    /// HOTKEYS: CPU microseconds and network bytes spent on it.
    pub cpu_us: Option<u64>,
    pub net_bytes: Option<u64>,
    /// Its part of what was measured on its node (commands, frequency,
    /// CPU time), 0 to 1: what orders the list.
    pub share: f64,
    pub pattern: String,
    pub method: Method,
}

/// A key pattern's part of a MONITOR sample.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HotPattern {
    pub pattern: String,
    pub node: String,
    pub reads: u64,
    pub writes: u64,
    pub share: f64,
}

/// A hot slot (CLUSTER SLOT-STATS).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HotSlot {
    pub node: String,
    pub slot: u64,
    pub key_count: u64,
    /// With cluster-slot-stats-enabled: CPU time and network bytes.
    pub cpu_usec: Option<u64>,
    pub network_bytes_in: Option<u64>,
    pub network_bytes_out: Option<u64>,
}

/// What was done on one node.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NodeHot {
    pub node: String,
    /// How its keys were measured; null when none could be.
    pub method: Option<Method>,
    /// Why this method, or why none.
    pub reason: String,
    /// The sample's length (HOTKEYS, MONITOR), seconds.
    pub seconds: Option<f64>,
    /// MONITOR: lines and bytes read, and why the sample ended early.
    pub lines: Option<u64>,
    pub bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capped: Option<String>,
    pub reads: Option<u64>,
    pub writes: Option<u64>,
    /// Keys looked at (OBJECT FREQ).
    pub keys_seen: Option<u64>,
    /// The key table was pruned (more distinct keys than it holds): counts
    /// of the keys shown may be low by at most what was pruned.
    pub approximate: bool,
    /// CLUSTER SLOT-STATS answered (and whether it had CPU figures).
    pub slot_stats: Option<String>,
}

/// `cachectl hotkeys`, and the hot-keys part of `memory --keys`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HotkeysView {
    /// Hottest first (by share of what each node measured).
    pub keys: Vec<HotKey>,
    pub patterns: Vec<HotPattern>,
    pub slots: Vec<HotSlot>,
    pub nodes: Vec<NodeHot>,
    /// Every node measured by some method.
    pub measured: bool,
}

impl HotkeysView {
    /// The facts the hotkeys runbook reads.
    pub fn fact(&self) -> serde_json::Value {
        let unmeasured: Vec<String> = self
            .nodes
            .iter()
            .filter(|n| n.method.is_none())
            .map(|n| format!("{} ({})", n.node, n.reason))
            .collect();
        let capped: Vec<String> = self
            .nodes
            .iter()
            .filter_map(|n| Some(format!("{} ({})", n.node, n.capped.as_ref()?)))
            .collect();
        serde_json::json!({
            "measured": self.measured,
            "unmeasured": unmeasured,
            "capped": capped,
            "keys": self.keys.iter().map(|k| serde_json::json!({
                "key": k.key,
                "node": k.node,
                "share": k.share,
                "method": k.method.as_str(),
                "pattern": k.pattern,
                "reads": k.reads,
                "writes": k.writes,
            })).collect::<Vec<_>>(),
        })
    }
}

/// What to measure and how long.
#[derive(Debug, Clone)]
pub struct HotSettings {
    /// The opt-in time-boxed sample (HOTKEYS tracking, or MONITOR).
    pub sample: Option<Duration>,
    /// A method asked for by name (else the best the node has).
    pub method: Option<Method>,
    pub top: usize,
    /// MONITOR: at most this many lines and bytes per node.
    pub max_lines: u64,
    pub max_bytes: u64,
    /// OBJECT FREQ: keys per SCAN.
    pub count: u64,
    pub deadline: Instant,
}

/// Distinct keys a MONITOR sample keeps counts of, and patterns.
const KEYS_HELD: usize = 100_000;
const PATTERNS_HELD: usize = 10_000;
/// Longest MONITOR line kept (the command and its keys come first).
const LINE_MAX: usize = 64 * 1024;
/// Hot slots reported per node, and whose keys OBJECT FREQ looks at.
const SLOTS_SHOWN: usize = 8;
/// Keys asked per hot slot (CLUSTER GETKEYSINSLOT).
const KEYS_PER_SLOT: u64 = 1000;

/// Counts per key and per pattern, bounded.
#[derive(Debug, Default)]
pub struct Counter {
    keys: HashMap<Vec<u8>, (u64, u64)>,
    patterns: HashMap<Vec<u8>, (u64, u64)>,
    pub reads: u64,
    pub writes: u64,
    pub pruned: bool,
}

impl Counter {
    pub fn add(&mut self, key: &[u8], access: Access) {
        let write = access == Access::Write;
        if write {
            self.writes += 1;
        } else {
            self.reads += 1;
        }
        let bump = |c: &mut (u64, u64)| {
            if write {
                c.1 += 1;
            } else {
                c.0 += 1;
            }
        };
        if let Some(c) = self.keys.get_mut(key) {
            bump(c);
        } else {
            if self.keys.len() >= KEYS_HELD {
                self.prune();
            }
            bump(self.keys.entry(key.to_vec()).or_default());
        }
        let p = pattern::of(key);
        let room = self.patterns.len() < PATTERNS_HELD;
        match self.patterns.get_mut(&p) {
            Some(c) => bump(c),
            None if room => bump(self.patterns.entry(p).or_default()),
            None => {}
        }
    }

    /// Keeps the busiest half of the keys.
    fn prune(&mut self) {
        let mut counts: Vec<u64> = self.keys.values().map(|(r, w)| r + w).collect();
        let mid = counts.len() / 2;
        let (_, median, _) = counts.select_nth_unstable(mid);
        let median = *median;
        self.keys.retain(|_, (r, w)| *r + *w > median);
        self.pruned = true;
    }

    /// The `n` busiest keys, and patterns: (name, reads, writes).
    fn top(map: &HashMap<Vec<u8>, (u64, u64)>, n: usize) -> Vec<(&Vec<u8>, u64, u64)> {
        let mut all: Vec<_> = map.iter().map(|(k, (r, w))| (k, *r, *w)).collect();
        all.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then(a.0.cmp(b.0)));
        all.truncate(n);
        all
    }
}

/// What one node answered.
struct NodeResult {
    node: NodeHot,
    keys: Vec<HotKey>,
    patterns: Vec<HotPattern>,
    slots: Vec<HotSlot>,
}

/// What a node has to offer: its policy, HOTKEYS, slot stats.
struct Abilities {
    lfu: bool,
    policy: String,
    hotkeys: bool,
}

async fn abilities(session: &Session) -> Abilities {
    let policy: String = session
        .query::<Vec<String>>(redis::cmd("CONFIG").arg("GET").arg("maxmemory-policy"))
        .await
        .ok()
        .and_then(|v| v.get(1).cloned())
        .unwrap_or_default();
    let hotkeys = matches!(
        session
            .query::<Value>(redis::cmd("COMMAND").arg("INFO").arg("HOTKEYS"))
            .await,
        Ok(Value::Array(items)) if items.first().is_some_and(|v| *v != Value::Nil)
    );
    Abilities {
        lfu: policy.ends_with("-lfu"),
        policy,
        hotkeys,
    }
}

/// Measures every node at once.
pub async fn measure(
    nodes: &[(TargetSpec, Session)],
    cluster: bool,
    settings: &HotSettings,
    timeouts: &Timeouts,
    interrupt: &crate::interrupt::Interrupt,
    announce: &dyn Fn(&str),
) -> HotkeysView {
    let how = How {
        settings,
        timeouts,
        interrupt,
        announce,
    };
    let results = crate::scan::join_all(
        nodes
            .iter()
            .map(|(spec, session)| node(spec, session, cluster, &how))
            .collect(),
    )
    .await;
    let mut view = HotkeysView {
        keys: Vec::new(),
        patterns: Vec::new(),
        slots: Vec::new(),
        nodes: Vec::new(),
        measured: !results.is_empty(),
    };
    for r in results {
        view.measured &= r.node.method.is_some();
        view.nodes.push(r.node);
        view.keys.extend(r.keys);
        view.patterns.extend(r.patterns);
        view.slots.extend(r.slots);
    }
    let by_share = |a: f64, b: f64| b.partial_cmp(&a).unwrap_or(std::cmp::Ordering::Equal);
    view.keys
        .sort_by(|a, b| by_share(a.share, b.share).then(a.key.cmp(&b.key)));
    view.keys.truncate(settings.top);
    view.patterns
        .sort_by(|a, b| by_share(a.share, b.share).then(a.pattern.cmp(&b.pattern)));
    view.patterns.truncate(settings.top);
    view
}

/// What every node's measure shares.
struct How<'a> {
    settings: &'a HotSettings,
    timeouts: &'a Timeouts,
    interrupt: &'a crate::interrupt::Interrupt,
    /// Says a MONITOR sample's cost before it starts.
    announce: &'a dyn Fn(&str),
}

async fn node(spec: &TargetSpec, session: &Session, cluster: bool, how: &How<'_>) -> NodeResult {
    let (settings, interrupt) = (how.settings, how.interrupt);
    let name = spec.addr.to_string();
    let can = abilities(session).await;
    let mut result = NodeResult {
        node: NodeHot {
            node: name.clone(),
            method: None,
            reason: String::new(),
            seconds: None,
            lines: None,
            bytes: None,
            capped: None,
            reads: None,
            writes: None,
            keys_seen: None,
            approximate: false,
            slot_stats: None,
        },
        keys: Vec::new(),
        patterns: Vec::new(),
        slots: Vec::new(),
    };
    if cluster {
        let (slots, said) = slot_stats(session, &name).await;
        result.slots = slots;
        result.node.slot_stats = Some(said);
    }
    let method = match settings.method {
        Some(m) => Some(m),
        None if can.hotkeys && settings.sample.is_some() => Some(Method::Hotkeys),
        None if can.lfu => Some(Method::ObjectFreq),
        None if settings.sample.is_some() => Some(Method::Monitor),
        None => None,
    };
    let outcome = match method {
        Some(Method::Hotkeys) if !can.hotkeys => Err(
            "the server has no HOTKEYS command (Redis 8.6 and later have it)".to_string(),
        ),
        Some(Method::Hotkeys) => match settings.sample {
            Some(d) => hotkeys(session, &name, d, settings, interrupt, &mut result).await,
            None => Err("HOTKEYS tracks for a while: give --sample 10s".into()),
        },
        Some(Method::ObjectFreq) if !can.lfu => Err(format!(
            "OBJECT FREQ needs an LFU policy, and maxmemory-policy is {}",
            if can.policy.is_empty() { "unknown (CONFIG GET refused)" } else { &can.policy }
        )),
        Some(Method::ObjectFreq) => {
            let slots: Vec<u64> = result
                .slots
                .iter()
                .filter(|s| s.cpu_usec.is_some_and(|c| c > 0))
                .map(|s| s.slot)
                .collect();
            frequencies(session, &name, &slots, settings, interrupt, &mut result).await
        }
        Some(Method::Monitor) => match settings.sample {
            Some(d) => sample(spec, &name, d, how, &mut result).await,
            None => Err("a MONITOR sample is opt-in: give --sample 10s".into()),
        },
        None => Err(format!(
            "no method measures this node without sampling: it has no HOTKEYS (Redis 8.6+), its policy {} keeps no access frequency (an LFU policy does), and MONITOR is opt-in; `cachectl hotkeys --sample 10s` samples it",
            if can.policy.is_empty() { "(unknown)" } else { &can.policy }
        )),
    };
    match outcome {
        Ok(reason) => {
            result.node.method = method;
            result.node.reason = reason;
        }
        Err(why) => result.node.reason = why,
    }
    result
}

/// The hottest slots of a Cluster node: by CPU time where the server
/// keeps it (cluster-slot-stats-enabled), else by keys. What was said of
/// the slot stats.
async fn slot_stats(session: &Session, name: &str) -> (Vec<HotSlot>, String) {
    let ask = |metric: &'static str| {
        let mut cmd = redis::cmd("CLUSTER");
        cmd.arg("SLOT-STATS")
            .arg("ORDERBY")
            .arg(metric)
            .arg("LIMIT")
            .arg(SLOTS_SHOWN);
        cmd
    };
    let (reply, said) = match session.query::<Value>(&ask("cpu-usec")).await {
        Ok(v) => (v, "by CPU time".to_string()),
        Err(e) => match session.query::<Value>(&ask("key-count")).await {
            Ok(v) => (
                v,
                format!(
                    "by keys only: CPU figures are off ({}); CONFIG SET cluster-slot-stats-enabled yes turns them on",
                    crate::text::clean(&e.detail)
                ),
            ),
            Err(e) => {
                return (
                    Vec::new(),
                    format!(
                        "not available ({}): Valkey 8 and Redis 8.2 have CLUSTER SLOT-STATS",
                        crate::text::clean(&e.detail)
                    ),
                )
            }
        },
    };
    let mut slots = Vec::new();
    if let Value::Array(items) = reply {
        for item in items {
            let Value::Array(pair) = item else { continue };
            let (Some(slot), Some(stats)) = (pair.first().and_then(reply::int), pair.get(1)) else {
                continue;
            };
            let fields = pairs(stats);
            let get = |k: &str| fields.get(k).copied();
            slots.push(HotSlot {
                node: name.to_string(),
                slot: slot.max(0) as u64,
                key_count: get("key-count").unwrap_or(0),
                cpu_usec: get("cpu-usec"),
                network_bytes_in: get("network-bytes-in"),
                network_bytes_out: get("network-bytes-out"),
            });
        }
    }
    (slots, said)
}

/// A flat or map reply of name, integer pairs.
fn pairs(v: &Value) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    match v {
        Value::Array(items) => {
            for p in items.chunks(2) {
                if let (Some(k), Some(n)) = (
                    p.first().and_then(reply::text),
                    p.get(1).and_then(reply::int),
                ) {
                    out.insert(k, n.max(0) as u64);
                }
            }
        }
        Value::Map(items) => {
            for (k, n) in items {
                if let (Some(k), Some(n)) = (reply::text(k), reply::int(n)) {
                    out.insert(k, n.max(0) as u64);
                }
            }
        }
        _ => {}
    }
    out
}

/// Redis 8.6's HOTKEYS: tracking by CPU and network for `d`, then the
/// top keys; the tracking is reset after. A session already running
/// (someone else's) is left alone and said.
async fn hotkeys(
    session: &Session,
    name: &str,
    d: Duration,
    settings: &HotSettings,
    interrupt: &crate::interrupt::Interrupt,
    result: &mut NodeResult,
) -> Result<String, String> {
    let secs = d.as_secs().max(1);
    let mut start = redis::cmd("HOTKEYS");
    start
        .arg("START")
        .arg("METRICS")
        .arg(2)
        .arg("CPU")
        .arg("NET")
        .arg("COUNT")
        .arg(settings.top.max(10))
        .arg("DURATION")
        .arg(secs);
    session.query::<Value>(&start).await.map_err(|e| {
        format!(
            "HOTKEYS START was refused ({}): another tracking session may be running",
            crate::text::clean(&e.detail)
        )
    })?;
    let began = Instant::now();
    let until = (began + Duration::from_secs(secs)).min(settings.deadline);
    tokio::select! {
        () = tokio::time::sleep_until(tokio::time::Instant::from_std(until)) => {}
        () = interrupt.wait() => {}
    }
    let got = session
        .query::<Value>(redis::cmd("HOTKEYS").arg("GET"))
        .await;
    let _ = session
        .query::<Value>(redis::cmd("HOTKEYS").arg("STOP"))
        .await;
    let _ = session
        .query::<Value>(redis::cmd("HOTKEYS").arg("RESET"))
        .await;
    let got = got.map_err(|e| format!("HOTKEYS GET failed: {}", crate::text::clean(&e.detail)))?;
    let fields: Vec<(String, Value)> = match &got {
        Value::Map(items) => items
            .iter()
            .filter_map(|(k, v)| Some((reply::text(k)?, v.clone())))
            .collect(),
        Value::Array(items) => items
            .chunks(2)
            .filter_map(|p| Some((reply::text(p.first()?)?, p.get(1)?.clone())))
            .collect(),
        _ => Vec::new(),
    };
    let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let list = |k: &str| -> Vec<(Vec<u8>, u64)> {
        match field(k) {
            Some(Value::Array(items)) => items
                .chunks(2)
                .filter_map(|p| {
                    let key = match p.first()? {
                        Value::BulkString(b) => b.clone(),
                        other => reply::text(other)?.into_bytes(),
                    };
                    Some((key, reply::int(p.get(1)?)?.max(0) as u64))
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    let cpu = list("by-cpu-time-us");
    let net = list("by-net-bytes");
    let total_cpu = field("all-commands-all-slots-us")
        .and_then(|v| reply::int(&v))
        .unwrap_or(0)
        .max(1) as f64;
    let mut keys: Vec<HotKey> = Vec::new();
    for (key, us) in &cpu {
        keys.push(HotKey {
            key: pattern::escape(key),
            node: name.to_string(),
            reads: None,
            writes: None,
            per_s: None,
            freq: None,
            cpu_us: Some(*us),
            net_bytes: net.iter().find(|(k, _)| k == key).map(|(_, b)| *b),
            share: *us as f64 / total_cpu,
            pattern: pattern::show(&pattern::of(key)),
            method: Method::Hotkeys,
        });
    }
    result.keys = keys;
    result.node.seconds = Some(began.elapsed().as_secs_f64());
    Ok(format!(
        "HOTKEYS tracked CPU time and network bytes per key for {secs} s (Redis 8.6+)"
    ))
}

/// OBJECT FREQ of every key (a SCAN), or in a Cluster with CPU figures per
/// slot, of the keys of its hottest slots.
async fn frequencies(
    session: &Session,
    name: &str,
    hot_slots: &[u64],
    settings: &HotSettings,
    interrupt: &crate::interrupt::Interrupt,
    result: &mut NodeResult,
) -> Result<String, String> {
    let mut top: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut seen = 0u64;
    let mut total = 0u64;
    let mut offer = |keys: Vec<Vec<u8>>, freqs: Vec<Value>| {
        for (k, f) in keys.into_iter().zip(freqs) {
            let Some(f) = reply::int(&f) else { continue };
            let f = f.max(0) as u64;
            seen += 1;
            total += f;
            top.push((f, k));
        }
        if top.len() > settings.top * 4 {
            top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            top.truncate(settings.top);
        }
    };
    let ask = |keys: &[Vec<u8>]| {
        let mut pipe = redis::pipe();
        for k in keys {
            pipe.cmd("OBJECT").arg("FREQ").arg(k.as_slice());
        }
        pipe
    };
    let fail = |e: crate::target::connect::CommandFailure| {
        format!("OBJECT FREQ failed: {}", crate::text::clean(&e.detail))
    };
    let stopped = || interrupt.fired() || Instant::now() >= settings.deadline;
    let how = if hot_slots.is_empty() {
        let mut cursor = 0;
        loop {
            if stopped() {
                result.node.capped = Some("interrupted or out of time: the keys so far".into());
                break;
            }
            let (next, keys) = crate::scan::page(session, cursor, settings.count, None, None)
                .await
                .map_err(fail)?;
            if !keys.is_empty() {
                let freqs: Vec<Value> = session.query_pipeline(&ask(&keys)).await.map_err(fail)?;
                offer(keys, freqs);
            }
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        "OBJECT FREQ of every key (the LFU policy keeps an access counter per key)".to_string()
    } else {
        for slot in hot_slots {
            if stopped() {
                break;
            }
            let keys: Vec<Vec<u8>> = session
                .query(
                    redis::cmd("CLUSTER")
                        .arg("GETKEYSINSLOT")
                        .arg(*slot)
                        .arg(KEYS_PER_SLOT),
                )
                .await
                .map_err(fail)?;
            if !keys.is_empty() {
                let freqs: Vec<Value> = session.query_pipeline(&ask(&keys)).await.map_err(fail)?;
                offer(keys, freqs);
            }
        }
        format!(
            "OBJECT FREQ of the keys of the {} hottest slots by CPU time (CLUSTER SLOT-STATS)",
            hot_slots.len()
        )
    };
    top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    top.truncate(settings.top);
    let total = total.max(1) as f64;
    result.keys = top
        .into_iter()
        .map(|(f, k)| HotKey {
            key: pattern::escape(&k),
            node: name.to_string(),
            reads: None,
            writes: None,
            per_s: None,
            freq: Some(f),
            cpu_us: None,
            net_bytes: None,
            share: f as f64 / total,
            pattern: pattern::show(&pattern::of(&k)),
            method: Method::ObjectFreq,
        })
        .collect();
    result.node.keys_seen = Some(seen);
    Ok(how)
}

/// A MONITOR sample of `d` on its own connection, within the line and
/// byte caps, its keys counted as the command table says.
async fn sample(
    spec: &TargetSpec,
    name: &str,
    d: Duration,
    how: &How<'_>,
    result: &mut NodeResult,
) -> Result<String, String> {
    let (settings, timeouts, interrupt) = (how.settings, how.timeouts, how.interrupt);
    let session = crate::target::connect::connect(spec, timeouts)
        .await
        .map_err(|f| f.detail)?;
    let table: Value = session
        .query(&redis::cmd("COMMAND"))
        .await
        .map_err(|e| format!("COMMAND failed: {}", crate::text::clean(&e.detail)))?;
    let specs = Specs::from_reply(&table);
    (how.announce)(&format!(
        "{name}: MONITOR for {} (at most {} lines, {} bytes): the server copies every command it runs to cachectl, which can cost a busy server up to half its throughput until the sample ends (bench/hotkeys.sh measures it)",
        crate::duration::format(d),
        settings.max_lines,
        settings.max_bytes
    ));
    let mut feed = RawFeed::monitor(spec, timeouts)
        .await
        .map_err(|why| format!("MONITOR could not run: {why}"))?;
    let began = Instant::now();
    let until = tokio::time::Instant::from_std((began + d).min(settings.deadline));
    let mut counter = Counter::default();
    let mut lines = 0u64;
    let capped = loop {
        if lines >= settings.max_lines {
            break Some(format!(
                "the cap of {} lines was reached",
                settings.max_lines
            ));
        }
        if feed.read >= settings.max_bytes {
            break Some(format!(
                "the cap of {} bytes was reached",
                settings.max_bytes
            ));
        }
        let line = tokio::select! {
            l = feed.line(LINE_MAX) => l,
            () = tokio::time::sleep_until(until) => break None,
            () = interrupt.wait() => break Some("interrupted (Ctrl-C)".into()),
        };
        let line = match line {
            Ok(Some(l)) => l,
            Ok(None) => break Some("the server closed the MONITOR connection".into()),
            Err(e) => break Some(format!("the MONITOR connection failed: {e}")),
        };
        lines += 1;
        if let Some((access, keys)) = monitor::parse_line(&line)
            .as_deref()
            .and_then(|a| specs.keys(a))
        {
            for k in keys {
                counter.add(k, access);
            }
        }
    };
    let bytes = feed.read;
    // Dropping the feed closes the connection: the server stops copying.
    drop(feed);
    let secs = began.elapsed().as_secs_f64().max(0.001);
    let total = (counter.reads + counter.writes).max(1) as f64;
    result.keys = Counter::top(&counter.keys, settings.top)
        .into_iter()
        .map(|(k, r, w)| HotKey {
            key: pattern::escape(k),
            node: name.to_string(),
            reads: Some(r),
            writes: Some(w),
            per_s: Some(((r + w) as f64 / secs * 10.0).round() / 10.0),
            freq: None,
            cpu_us: None,
            net_bytes: None,
            share: (r + w) as f64 / total,
            pattern: pattern::show(&pattern::of(k)),
            method: Method::Monitor,
        })
        .collect();
    result.patterns = Counter::top(&counter.patterns, settings.top)
        .into_iter()
        .map(|(p, r, w)| HotPattern {
            pattern: pattern::show(p),
            node: name.to_string(),
            reads: r,
            writes: w,
            share: (r + w) as f64 / total,
        })
        .collect();
    let n = &mut result.node;
    n.seconds = Some((secs * 10.0).round() / 10.0);
    n.lines = Some(lines);
    n.bytes = Some(bytes);
    n.reads = Some(counter.reads);
    n.writes = Some(counter.writes);
    n.approximate = counter.pruned;
    n.capped = capped;
    Ok(format!(
        "a MONITOR sample of {secs:.1} s: every command the server ran, its keys counted as reads or writes by the server's command table"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_key_table_keeps_the_busy_keys_and_says_it_was_pruned() {
        let mut c = Counter::default();
        for _ in 0..500 {
            c.add(b"hot", Access::Read);
        }
        for i in 0..(KEYS_HELD + KEYS_HELD / 2) {
            c.add(format!("k:{i}").as_bytes(), Access::Write);
            if i % 1000 == 0 {
                c.add(b"hot", Access::Read);
            }
        }
        assert!(c.pruned);
        assert!(c.keys.len() <= KEYS_HELD);
        let top = Counter::top(&c.keys, 1);
        assert_eq!(top[0].0.as_slice(), b"hot");
        assert_eq!(top[0].1, 500 + 150);
        assert_eq!(c.writes, (KEYS_HELD + KEYS_HELD / 2) as u64);
        // One pattern for the numbered keys.
        assert_eq!(c.patterns.len(), 2);
    }
}
