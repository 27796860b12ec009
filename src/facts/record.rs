//! Facts recorded from a real server (`cachectl diagnose --record-facts
//! FILE`), and read back: a runbook check can then be tested against what
//! a server really said, without making one misbehave (tests/facts/, whose
//! every file `tests/it/recorded.rs` evaluates and snapshots per check).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Facts, Unavailable};
use crate::target::topology::{Kind, Member, Topology};
use crate::target::{NodeAddr, Role};

/// Bumped when a recording no longer reads as it did.
pub const RECORD_VERSION: u32 = 1;

/// What one run collected: every node's facts and the topology's own.
#[derive(Debug, Serialize, Deserialize)]
pub struct Recorded {
    pub record_version: u32,
    /// The cachectl that recorded it.
    pub tool: String,
    pub nodes: Vec<RecordedNode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<RecordedTopology>,
}

/// One node's facts: the roots collected, and those that could not be.
#[derive(Debug, Serialize, Deserialize)]
pub struct RecordedNode {
    pub addr: String,
    pub role: String,
    pub values: BTreeMap<String, Value>,
    #[serde(default)]
    pub unavailable: BTreeMap<String, RecordedUnavailable>,
}

/// Why a root was not collected.
#[derive(Debug, Serialize, Deserialize)]
pub struct RecordedUnavailable {
    pub command: String,
    pub kind: String,
    pub detail: String,
}

/// A Sentinel's or a Cluster's own facts.
#[derive(Debug, Serialize, Deserialize)]
pub struct RecordedTopology {
    /// `sentinel` or `cluster`.
    pub kind: String,
    pub asked: String,
    pub members: Vec<(String, String)>,
    pub fact: Value,
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Primary => "primary",
        Role::Replica => "replica",
        Role::Sentinel => "sentinel",
        Role::Unknown => "unknown",
    }
}

fn role_of(name: &str) -> Role {
    match name {
        "primary" => Role::Primary,
        "replica" => Role::Replica,
        "sentinel" => Role::Sentinel,
        _ => Role::Unknown,
    }
}

impl Recorded {
    /// The record of `nodes` (the target's first) and `topology`.
    pub fn of(nodes: &[&Facts], topology: Option<&Topology>) -> Recorded {
        Recorded {
            record_version: RECORD_VERSION,
            tool: format!("cachectl {}", env!("CARGO_PKG_VERSION")),
            nodes: nodes
                .iter()
                .map(|f| RecordedNode {
                    addr: f.node.addr.to_string(),
                    role: role_name(f.node.role).into(),
                    values: f.values.clone(),
                    unavailable: f
                        .unavailable
                        .iter()
                        .map(|(root, u)| {
                            (
                                root.clone(),
                                RecordedUnavailable {
                                    command: u.command.clone(),
                                    kind: u.kind.clone(),
                                    detail: u.detail.clone(),
                                },
                            )
                        })
                        .collect(),
                })
                .collect(),
            topology: topology.map(|t| RecordedTopology {
                kind: t.kind.as_str().into(),
                asked: t.asked.to_string(),
                members: t
                    .members
                    .iter()
                    .map(|m| (m.addr.to_string(), role_name(m.role).into()))
                    .collect(),
                fact: t.fact.clone(),
            }),
        }
    }

    /// The JSON written to a file, secrets registered this run removed.
    pub fn to_json(&self) -> String {
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        crate::secret::scrub(&text) + "\n"
    }

    /// A recording read back: `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Recorded, String> {
        let r: Recorded = serde_json::from_str(text).map_err(|e| {
            format!(
                "{file}:{}:{}: not a recording of facts: {e}",
                e.line(),
                e.column()
            )
        })?;
        if r.record_version != RECORD_VERSION {
            return Err(format!(
                "{file}: record_version {} is not {RECORD_VERSION}: record it again",
                r.record_version
            ));
        }
        Ok(r)
    }

    /// The facts of each node, and the topology, as a run had them.
    pub fn facts(&self) -> Result<(Vec<Facts>, Option<Topology>), String> {
        let mut all = Vec::new();
        for n in &self.nodes {
            let addr = NodeAddr::parse(&n.addr)?;
            let mut f = Facts::new(addr.clone());
            f.node.role = role_of(&n.role);
            f.values = n.values.clone();
            f.reach = Some(crate::target::CliReach::default());
            for (root, u) in &n.unavailable {
                f.unavailable.insert(
                    root.clone(),
                    Unavailable {
                        fact: root.clone(),
                        command: u.command.clone(),
                        kind: u.kind.clone(),
                        detail: u.detail.clone(),
                        node: None,
                    },
                );
            }
            all.push(f);
        }
        let topology = match &self.topology {
            None => None,
            Some(t) => Some(Topology {
                kind: match t.kind.as_str() {
                    "sentinel" => Kind::Sentinel,
                    "cluster" => Kind::Cluster,
                    other => return Err(format!("`{other}` is not a topology")),
                },
                asked: NodeAddr::parse(&t.asked)?,
                members: t
                    .members
                    .iter()
                    .map(|(addr, role)| {
                        Ok(Member {
                            addr: NodeAddr::parse(addr)?,
                            role: role_of(role),
                        })
                    })
                    .collect::<Result<_, String>>()?,
                fact: t.fact.clone(),
                reach: crate::target::CliReach::default(),
            }),
        };
        Ok((all, topology))
    }
}
