//! The `memory` root (MEMORY STATS highlights) and `memory_doctor` (MEMORY
//! DOCTOR's advice). Only the fields every supported server reports are
//! kept, under names CEL can read (`.` and `-` become `_`).

use std::collections::BTreeMap;

use redis::Value;
use serde_json::json;

use crate::redis::reply;

/// MEMORY STATS fields kept: (server name, fact name, CEL type, meaning).
pub const STATS: &[(&str, &str, &str, &str)] = &[
    (
        "peak.allocated",
        "peak_allocated",
        "int",
        "peak memory allocated, bytes",
    ),
    (
        "total.allocated",
        "total_allocated",
        "int",
        "memory allocated now, bytes (used_memory)",
    ),
    (
        "startup.allocated",
        "startup_allocated",
        "int",
        "memory allocated at start-up, bytes",
    ),
    (
        "replication.backlog",
        "replication_backlog",
        "int",
        "replication backlog, bytes",
    ),
    (
        "clients.slaves",
        "clients_replicas",
        "int",
        "replica client buffers, bytes",
    ),
    (
        "clients.normal",
        "clients_normal",
        "int",
        "normal client buffers, bytes",
    ),
    ("aof.buffer", "aof_buffer", "int", "AOF buffers, bytes"),
    (
        "lua.caches",
        "lua_caches",
        "int",
        "Lua script caches, bytes",
    ),
    (
        "overhead.total",
        "overhead_total",
        "int",
        "everything but the dataset, bytes",
    ),
    ("keys.count", "keys_count", "int", "keys in all databases"),
    (
        "keys.bytes-per-key",
        "bytes_per_key",
        "int",
        "mean bytes per key (dataset and overhead)",
    ),
    (
        "dataset.bytes",
        "dataset_bytes",
        "int",
        "the dataset, bytes",
    ),
    (
        "dataset.percentage",
        "dataset_percentage",
        "double",
        "the dataset's share of net memory, %",
    ),
    (
        "peak.percentage",
        "peak_percentage",
        "double",
        "memory now as a share of the peak, %",
    ),
    (
        "allocator-fragmentation.ratio",
        "allocator_fragmentation_ratio",
        "double",
        "allocator active / allocated",
    ),
    (
        "rss-overhead.ratio",
        "rss_overhead_ratio",
        "double",
        "RSS / allocator resident",
    ),
    (
        "fragmentation",
        "fragmentation",
        "double",
        "RSS / used memory",
    ),
    (
        "fragmentation.bytes",
        "fragmentation_bytes",
        "int",
        "RSS - used memory, bytes",
    ),
];

/// The `memory` root from a MEMORY STATS reply (flat array or map); a
/// field the server does not report is 0. `None` when the reply is not a
/// MEMORY STATS reply.
pub fn stats(v: &Value) -> Option<serde_json::Value> {
    let mut found: BTreeMap<String, f64> = BTreeMap::new();
    let mut keep = |k: &Value, v: &Value| {
        if let (Some(k), Some(num)) = (
            reply::text(k),
            reply::text(v).and_then(|t| t.parse::<f64>().ok()),
        ) {
            found.insert(k, num);
        }
    };
    match v {
        Value::Array(items) if items.len() % 2 == 0 => {
            for pair in items.chunks(2) {
                keep(&pair[0], &pair[1]);
            }
        }
        Value::Map(pairs) => pairs.iter().for_each(|(k, v)| keep(k, v)),
        _ => return None,
    }
    if !found.contains_key("total.allocated") {
        return None;
    }
    let mut out = serde_json::Map::new();
    for (name, fact, ty, _) in STATS {
        let n = found.get(*name).copied().unwrap_or(0.0);
        let value = if *ty == "int" {
            json!(n as i64)
        } else {
            json!((n * 10_000.0).round() / 10_000.0)
        };
        out.insert((*fact).to_string(), value);
    }
    Some(out.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_declared_fields() {
        let b = |s: &str| Value::BulkString(s.as_bytes().to_vec());
        let v = Value::Array(vec![
            b("total.allocated"),
            Value::Int(872088),
            b("dataset.percentage"),
            b("99.74723052978516"),
            b("db.0"),
            Value::Array(vec![]),
            b("fragmentation"),
            b("5.7183823585510254"),
        ]);
        let s = stats(&v).unwrap();
        assert_eq!(s["total_allocated"], 872088);
        assert_eq!(s["dataset_percentage"], 99.7472);
        assert_eq!(s["fragmentation"], 5.7184);
        assert_eq!(s["lua_caches"], 0);
        assert!(stats(&Value::Okay).is_none());
    }
}

/// The memory part of a report: usage against the limit, the policy,
/// evictions and expiries, MEMORY STATS and MEMORY DOCTOR.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct MemoryView {
    pub used_bytes: i64,
    pub peak_bytes: i64,
    pub rss_bytes: i64,
    /// 0 when unlimited.
    pub maxmemory_bytes: i64,
    /// used / maxmemory; 0 when unlimited.
    pub used_ratio: f64,
    pub policy: String,
    pub fragmentation_ratio: f64,
    pub evicted_keys: i64,
    pub expired_keys: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doctor: Option<String>,
}

impl MemoryView {
    /// From collected facts; `None` without INFO.
    pub fn of(facts: &super::Facts) -> Option<MemoryView> {
        let info = facts.get("info")?;
        let int = |f: &str| info.get(f).and_then(serde_json::Value::as_i64).unwrap_or(0);
        let derived = facts.get("derived");
        Some(MemoryView {
            used_bytes: int("used_memory"),
            peak_bytes: int("used_memory_peak"),
            rss_bytes: int("used_memory_rss"),
            maxmemory_bytes: derived
                .and_then(|d| d["maxmemory"].as_i64())
                .unwrap_or_else(|| int("maxmemory")),
            used_ratio: derived
                .and_then(|d| d["memory_ratio"].as_f64())
                .unwrap_or(0.0),
            policy: info
                .get("maxmemory_policy")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
            fragmentation_ratio: info
                .get("mem_fragmentation_ratio")
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(0.0),
            evicted_keys: int("evicted_keys"),
            expired_keys: int("expired_keys"),
            stats: facts.get("memory").cloned(),
            doctor: facts
                .get("memory_doctor")
                .and_then(|d| d["text"].as_str())
                .map(str::to_string),
        })
    }
}
