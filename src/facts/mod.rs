//! Facts: typed data about one node, collected once per run, concurrently,
//! each under a deadline. A fact that cannot be had is recorded as
//! unavailable with its reason; checks that need it are skipped, not failed.

pub mod catalog;
pub mod clients;
pub mod collect;
pub mod derive;
pub mod figures;
pub mod memory;
pub mod record;
pub mod server;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::target::{Node, NodeAddr, Role};

/// Why one fact root could not be collected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unavailable {
    /// The fact root (`info`, `config`, ...).
    pub fact: String,
    /// The command that failed (`CONFIG GET`, `SLOWLOG GET`, ...).
    pub command: String,
    /// noperm, disabled, timeout, connection_lost, error, not_connected,
    /// offline (a dump's report: there is no server to ask).
    pub kind: String,
    /// The error as reported, secrets removed.
    pub detail: String,
    /// The node it was not collected from (in a report of several nodes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<crate::target::NodeAddr>,
}

/// Why a fact is missing, as a report says it: what failed and how, or
/// what was not asked (`offline`).
pub const OFFLINE: &str = "offline";

impl Unavailable {
    pub fn reason(&self) -> String {
        if self.kind == OFFLINE {
            format!("{} not asked: {}", self.command, self.detail)
        } else {
            format!("{} failed ({}): {}", self.command, self.kind, self.detail)
        }
    }
}

/// Everything known about one node, keyed by catalogue root.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The node, with its role once INFO or ROLE told it.
    pub node: Node,
    /// Collected roots as JSON values (converted to CEL values for checks).
    pub values: BTreeMap<String, serde_json::Value>,
    /// Roots that could not be collected, and why.
    pub unavailable: BTreeMap<String, Unavailable>,
    /// INFO's counters when these facts were collected: the baseline a
    /// later collection measures its window from.
    pub counters: Option<derive::Counters>,
    /// The whole CLIENT LIST the `clients` root sums up, for a view that
    /// lists clients (`cachectl clients`) without asking again.
    pub client_list: Option<Vec<crate::redis::client_list::ClientInfo>>,
    /// How redis-cli reaches the node: what a manual fix's commands need
    /// to be pasted as they are.
    pub reach: Option<crate::target::CliReach>,
}

impl Facts {
    pub fn new(addr: NodeAddr) -> Self {
        Facts {
            node: Node {
                addr,
                role: Role::Unknown,
            },
            values: BTreeMap::new(),
            unavailable: BTreeMap::new(),
            counters: None,
            client_list: None,
            reach: None,
        }
    }

    pub fn set(&mut self, root: &str, value: impl Serialize) {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.values.insert(root.to_string(), value);
    }

    pub fn set_unavailable(&mut self, root: &str, command: &str, kind: &str, detail: &str) {
        self.values.remove(root);
        self.unavailable.insert(
            root.to_string(),
            Unavailable {
                fact: root.to_string(),
                command: command.to_string(),
                kind: kind.to_string(),
                detail: crate::secret::scrub(detail),
                node: None,
            },
        );
    }

    pub fn get(&self, root: &str) -> Option<&serde_json::Value> {
        self.values.get(root)
    }

    /// Which server this is (from INFO), when INFO was collected.
    pub fn server(&self) -> Option<server::ServerId> {
        self.get("info").and_then(server::ServerId::from_info)
    }

    /// The `unavailable` root as checks see it.
    pub fn unavailable_value(&self) -> serde_json::Value {
        serde_json::to_value(&self.unavailable).unwrap_or_default()
    }
}
