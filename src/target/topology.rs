//! A target of more than one node: the nodes found (through its Sentinels,
//! or a Cluster's own view) and the topology's fact root, which runbooks
//! read as `sentinel` or `cluster`.

use serde_json::Value;

use super::{NodeAddr, Role};

/// How a target's nodes hang together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A primary and its replicas, found through Sentinels.
    Sentinel,
    /// A Redis Cluster.
    Cluster,
    /// A primary with replicas, found from the primary (failover).
    Replication,
}

impl Kind {
    /// The name, which is also the fact root of the topology's facts.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Sentinel => "sentinel",
            Kind::Cluster => "cluster",
            Kind::Replication => "replication",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What discovery found.
#[derive(Debug, Clone)]
pub struct Topology {
    /// Sentinel or Cluster: also the name of the fact root.
    pub kind: Kind,
    /// Where the topology's facts come from (a Sentinel, a Cluster node).
    pub asked: NodeAddr,
    /// The data nodes to diagnose: the primary (or primaries) first.
    pub members: Vec<Member>,
    /// The `sentinel` or `cluster` root.
    pub fact: Value,
    /// How redis-cli reaches `asked`: the manual fixes of the topology's
    /// own findings are pasted against it.
    pub reach: super::CliReach,
}

/// One data node, with the role the topology gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub addr: NodeAddr,
    pub role: Role,
}

impl Topology {
    /// The primary the topology names, if any.
    pub fn primary(&self) -> Option<&NodeAddr> {
        self.members
            .iter()
            .find(|m| m.role == Role::Primary)
            .map(|m| &m.addr)
    }
}

/// A field/value reply (a flat array in RESP2, a map in RESP3) as pairs of
/// text.
pub fn pairs(v: &redis::Value) -> Vec<(String, String)> {
    use crate::redis::reply::text;
    match v {
        redis::Value::Map(kv) => kv
            .iter()
            .filter_map(|(k, v)| Some((text(k)?, text(v).unwrap_or_default())))
            .collect(),
        redis::Value::Array(items) => items
            .chunks(2)
            .filter_map(|kv| match kv {
                [k, v] => Some((text(k)?, text(v).unwrap_or_default())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The value of `field` among `pairs`.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}
