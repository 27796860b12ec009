//! A node's key figures, as the outputs that carry numbers need them (the
//! report's `figures`: Nagios perfdata, the Prometheus textfile, the
//! Markdown summary): read from its facts, absent where a fact was.

use serde::Serialize;

use super::Facts;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyFigures {
    pub node: String,
    pub used_memory: Option<i64>,
    /// 0: no limit.
    pub maxmemory: Option<i64>,
    pub connected_clients: Option<i64>,
    pub maxclients: Option<i64>,
    /// Hits of the lookups since start (or over the run's window).
    pub hit_ratio: Option<f64>,
    pub evicted_keys: Option<i64>,
    /// INFO's recent rate of commands.
    pub ops_per_sec: Option<i64>,
    /// Keys in every database.
    pub keys: Option<i64>,
    /// The round trips' judged percentile (p90 of a short burst, p99 of a
    /// long one), ms.
    pub latency_ms: Option<f64>,
    /// The furthest a replica is behind, seconds (0 without replicas).
    pub max_replica_lag: Option<i64>,
}

impl KeyFigures {
    /// The figures of a node that answered INFO; `None` otherwise.
    pub fn of(facts: &Facts) -> Option<KeyFigures> {
        let info = facts.get("info")?;
        let derived = facts.get("derived");
        let int = |v: Option<&serde_json::Value>, k: &str| v.and_then(|v| v[k].as_i64());
        let keys = facts
            .get("keyspace")
            .and_then(|k| k.as_object())
            .map(|dbs| {
                dbs.values()
                    .filter_map(|db| db["keys"].as_i64())
                    .sum::<i64>()
            });
        Some(KeyFigures {
            node: facts.node.addr.to_string(),
            used_memory: int(Some(info), "used_memory"),
            maxmemory: int(derived, "maxmemory"),
            connected_clients: int(Some(info), "connected_clients"),
            maxclients: int(derived, "maxclients"),
            hit_ratio: derived
                .filter(|d| d["lookups"].as_i64().unwrap_or(0) > 0)
                .and_then(|d| d["hit_ratio"].as_f64()),
            evicted_keys: int(Some(info), "evicted_keys"),
            ops_per_sec: int(Some(info), "instantaneous_ops_per_sec"),
            keys: keys.or(Some(0)),
            latency_ms: facts.get("ping").and_then(|p| p["tail_ms"].as_f64()),
            max_replica_lag: int(derived, "max_replica_lag"),
        })
    }
}
