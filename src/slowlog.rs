//! What is slow: the whole slow log grouped by command shape (the command
//! and the pattern of its key), with the seeds' advice for the commands
//! that should not be there; INFO commandstats ranked; errorstats; the
//! latency monitor's latest and history.

use std::collections::BTreeMap;

use serde::Serialize;

use redis::Value;

use crate::facts::Facts;
use crate::redis::reply;
use crate::redis::slowlog::{self as parser, SlowlogEntry};
use crate::scan::pattern;
use crate::target::connect::Session;

/// The seeds' advice for a command in the slow log, if it is one of the
/// anti-patterns.
pub fn advice(e: &SlowlogEntry) -> Option<&'static str> {
    let arg = |i: usize| e.args.get(i).map(|a| a.to_ascii_lowercase());
    let whole_range = arg(1).as_deref() == Some("0") && arg(2).as_deref() == Some("-1");
    Some(match e.command.as_str() {
        "keys" => "KEYS walks the whole keyspace and blocks every client: use SCAN (seed 001: never use KEYS in production)",
        "del" => "DEL of a big key frees it in the foreground: use UNLINK",
        "hgetall" | "smembers" => "reads a whole big collection in one command: use HSCAN/SSCAN, or split the key",
        "lrange" | "zrange" if whole_range => "reads a whole big collection (0 -1): page through it, or split the key",
        "flushall" | "flushdb" if arg(0).as_deref() != Some("async") => {
            "empties the database in the foreground: add ASYNC"
        }
        "save" => "SAVE blocks the server for the whole dump: use BGSAVE",
        "debug" => "DEBUG has no place on a live cache",
        "eval" | "evalsha" | "fcall" | "eval_ro" | "evalsha_ro" | "fcall_ro" => {
            "a script blocks every client while it runs: keep scripts short"
        }
        _ => return None,
    })
}

/// Entries of one command shape.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    pub command: String,
    /// The pattern of the first argument (the key, for most commands).
    pub pattern: String,
    pub count: u64,
    pub total_us: i64,
    pub max_us: i64,
    /// Clients that ran it (address and name), up to 5.
    pub clients: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
    /// The nodes whose slow logs hold it, in a view of several nodes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
}

/// A commandstats line.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommandStat {
    pub command: String,
    pub calls: i64,
    pub usec: i64,
    pub usec_per_call: f64,
}

/// The slow log part of a report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SlowlogView {
    /// Entries read (the whole log).
    pub entries: u64,
    /// slowlog-log-slower-than and slowlog-max-len, as configured.
    pub slower_than_us: i64,
    pub max_len: i64,
    pub groups: Vec<Group>,
    /// INFO commandstats: slowest per call, and most time in all.
    pub by_time_per_call: Vec<CommandStat>,
    pub by_total_time: Vec<CommandStat>,
    /// INFO errorstats: error replies by prefix.
    pub errors: BTreeMap<String, i64>,
    /// LATENCY LATEST events, LATENCY HISTORY of each, LATENCY DOCTOR.
    pub latency: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_doctor: Option<String>,
}

/// Groups entries by command and key pattern, slowest total first.
pub fn group(entries: &[SlowlogEntry]) -> Vec<Group> {
    group_with_nodes(entries.iter().map(|e| (None, e)))
}

/// Groups the slow logs of several nodes as one, each group naming the
/// nodes it was seen on.
pub fn group_nodes(logs: &[(String, Vec<SlowlogEntry>)]) -> Vec<Group> {
    group_with_nodes(
        logs.iter()
            .flat_map(|(node, entries)| entries.iter().map(move |e| (Some(node.as_str()), e))),
    )
}

fn group_with_nodes<'a>(
    entries: impl Iterator<Item = (Option<&'a str>, &'a SlowlogEntry)>,
) -> Vec<Group> {
    let mut map: BTreeMap<(String, String), Group> = BTreeMap::new();
    for (node, e) in entries {
        let pat = e
            .args
            .first()
            .map(|a| pattern::show(&pattern::of(a.as_bytes())))
            .unwrap_or_default();
        let g = map
            .entry((e.command.clone(), pat.clone()))
            .or_insert_with(|| Group {
                command: e.command.clone(),
                pattern: pat,
                count: 0,
                total_us: 0,
                max_us: 0,
                clients: Vec::new(),
                advice: advice(e).map(str::to_string),
                nodes: Vec::new(),
            });
        if let Some(node) = node {
            if !g.nodes.iter().any(|n| n == node) {
                g.nodes.push(node.to_string());
            }
        }
        g.count += 1;
        g.total_us += e.duration_us;
        g.max_us = g.max_us.max(e.duration_us);
        let who = if e.client_name.is_empty() {
            e.client_addr.clone()
        } else {
            format!("{} ({})", e.client_addr, e.client_name)
        };
        if g.clients.len() < 5 && !g.clients.contains(&who) {
            g.clients.push(who);
        }
    }
    let mut groups: Vec<Group> = map.into_values().collect();
    groups.sort_by(|a, b| b.total_us.cmp(&a.total_us).then(a.command.cmp(&b.command)));
    groups
}

/// The `commandstats` facts of several nodes summed per command.
pub fn merge_commandstats(nodes: &[&serde_json::Value]) -> serde_json::Value {
    let mut sum: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for stats in nodes {
        if let Some(map) = stats.as_object() {
            for (name, s) in map {
                let e = sum.entry(name.clone()).or_default();
                e.0 += s["calls"].as_i64().unwrap_or(0);
                e.1 += s["usec"].as_i64().unwrap_or(0);
            }
        }
    }
    sum.into_iter()
        .map(|(name, (calls, usec))| {
            let per_call = if calls > 0 {
                (usec as f64 / calls as f64 * 100.0).round() / 100.0
            } else {
                0.0
            };
            (
                name,
                serde_json::json!({"calls": calls, "usec": usec, "usec_per_call": per_call}),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// commandstats from the `commandstats` fact, ranked two ways (top 10 each).
pub fn ranked(commandstats: Option<&serde_json::Value>) -> (Vec<CommandStat>, Vec<CommandStat>) {
    let Some(serde_json::Value::Object(map)) = commandstats else {
        return (Vec::new(), Vec::new());
    };
    let all: Vec<CommandStat> = map
        .iter()
        .map(|(name, s)| CommandStat {
            command: name.clone(),
            calls: s["calls"].as_i64().unwrap_or(0),
            usec: s["usec"].as_i64().unwrap_or(0),
            usec_per_call: s["usec_per_call"].as_f64().unwrap_or(0.0),
        })
        .collect();
    let mut per_call = all.clone();
    per_call.sort_by(|a, b| b.usec_per_call.total_cmp(&a.usec_per_call));
    per_call.truncate(10);
    let mut total = all;
    total.sort_by_key(|c| std::cmp::Reverse(c.usec));
    total.truncate(10);
    (per_call, total)
}

/// A node's own settings of the slow log and the latency monitor.
fn config(facts: &Facts, name: &str) -> Option<i64> {
    facts
        .get("config")
        .and_then(|c| c[name].as_str())
        .and_then(|v| v.parse::<i64>().ok())
}

/// The slow log view of a diagnosis: the first node's whole slow log (up
/// to its slowlog-max-len, not a fixed newest 128), each latency event's
/// history and the latency doctor in one round trip; the other nodes'
/// slow logs (`others`, each with its facts) grouped with it, the nodes
/// named; commandstats summed over every node.
pub async fn view(first: (&Facts, &Session), others: &[(&Facts, Session)]) -> SlowlogView {
    let (facts, session) = first;
    let max_len = config(facts, "slowlog-max-len").unwrap_or(128).max(1);
    let slower_than = config(facts, "slowlog-log-slower-than").unwrap_or(-1);
    let monitor_on = config(facts, "latency-monitor-threshold").unwrap_or(0) > 0;
    let events: Vec<String> = facts
        .get("latency")
        .and_then(|l| l["events"].as_array())
        .map(|e| {
            e.iter()
                .filter_map(|x| x["event"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    pipe.cmd("SLOWLOG").arg("GET").arg(max_len);
    for event in &events {
        pipe.cmd("LATENCY").arg("HISTORY").arg(event);
    }
    if monitor_on {
        pipe.cmd("LATENCY").arg("DOCTOR");
    }
    let replies: Vec<Value> = session.query_pipeline(&pipe).await.unwrap_or_default();
    let mut replies = replies.into_iter();
    let entries = replies
        .next()
        .map(|v| parser::parse(&v))
        .unwrap_or_default();
    let mut history = serde_json::Map::new();
    for (event, reply) in events.iter().zip(replies.by_ref()) {
        if let Value::Array(points) = reply {
            let points: Vec<serde_json::Value> = points
                .iter()
                .filter_map(|p| match p {
                    Value::Array(pair) if pair.len() == 2 => Some(serde_json::json!({
                        "timestamp": reply::int(&pair[0]).unwrap_or(0),
                        "ms": reply::int(&pair[1]).unwrap_or(0),
                    })),
                    _ => None,
                })
                .collect();
            history.insert(event.clone(), points.into());
        }
    }
    let doctor = replies.next().and_then(|v| reply::text(&v));
    let mut logs = vec![(facts.node.addr.to_string(), entries.clone())];
    for (other, session) in others {
        let len = config(other, "slowlog-max-len").unwrap_or(128).max(1);
        if let Ok(v) = session
            .query::<Value>(redis::cmd("SLOWLOG").arg("GET").arg(len))
            .await
        {
            logs.push((other.node.addr.to_string(), parser::parse(&v)));
        }
    }
    let stats: Vec<&serde_json::Value> = std::iter::once(facts)
        .chain(others.iter().map(|(f, _)| *f))
        .filter_map(|f| f.get("commandstats"))
        .collect();
    let merged = merge_commandstats(&stats);
    let (by_time_per_call, by_total_time) = ranked(Some(&merged));
    SlowlogView {
        entries: logs.iter().map(|(_, e)| e.len() as u64).sum(),
        slower_than_us: slower_than,
        max_len,
        groups: if logs.len() > 1 {
            group_nodes(&logs)
        } else {
            group(&entries)
        },
        by_time_per_call,
        by_total_time,
        errors: facts
            .get("errorstats")
            .and_then(|e| serde_json::from_value(e.clone()).ok())
            .unwrap_or_default(),
        latency: serde_json::json!({
            "latest": facts.get("latency").map(|l| l["events"].clone()),
            "history": history,
        }),
        latency_doctor: doctor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(cmd: &str, args: &[&str], us: i64, addr: &str) -> SlowlogEntry {
        SlowlogEntry {
            command: cmd.into(),
            args: args.iter().map(std::string::ToString::to_string).collect(),
            duration_us: us,
            client_addr: addr.into(),
            ..SlowlogEntry::default()
        }
    }

    #[test]
    fn groups_by_shape_with_advice() {
        let entries = vec![
            entry("keys", &["*"], 20_000, "10.0.0.1:1"),
            entry("keys", &["*"], 30_000, "10.0.0.2:1"),
            entry("hgetall", &["user:1"], 5_000, "10.0.0.1:1"),
            entry("hgetall", &["user:2"], 7_000, "10.0.0.1:1"),
            entry("flushdb", &["async"], 1_000, "10.0.0.1:1"),
            entry("lrange", &["q", "0", "10"], 1_000, "10.0.0.1:1"),
        ];
        let g = group(&entries);
        assert_eq!(g[0].command, "keys");
        assert_eq!(
            (g[0].count, g[0].total_us, g[0].max_us),
            (2, 50_000, 30_000)
        );
        assert_eq!(g[0].clients.len(), 2);
        assert!(g[0].advice.as_deref().unwrap().contains("SCAN"));
        let h = g.iter().find(|x| x.command == "hgetall").unwrap();
        assert_eq!((h.pattern.as_str(), h.count), ("user:*", 2));
        assert!(g
            .iter()
            .find(|x| x.command == "flushdb")
            .unwrap()
            .advice
            .is_none());
        assert!(g
            .iter()
            .find(|x| x.command == "lrange")
            .unwrap()
            .advice
            .is_none());
    }
}
