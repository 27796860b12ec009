//! Nodes: where a Redis server listens (TCP host and port, or a unix
//! socket) and what role it plays. Findings, confirmations, the audit log
//! and pre-flight compare nodes, never `host:port` strings, so a Sentinel or
//! Cluster target with many nodes cannot confuse one for another.

use std::fmt;
use std::path::PathBuf;

use serde::{Serialize, Serializer};

/// The address of one Redis server.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeAddr {
    Tcp {
        host: String,
        port: u16,
    },
    Unix {
        path: PathBuf,
    },
    /// Not a server: a dump file (or `-`, standard input) that `memory
    /// --rdb` reads, named in findings as `rdb:PATH`.
    Dump {
        path: PathBuf,
    },
}

impl NodeAddr {
    pub fn tcp(host: impl Into<String>, port: u16) -> NodeAddr {
        NodeAddr::Tcp {
            host: host.into(),
            port,
        }
    }

    /// The host, or the socket's path.
    pub fn host(&self) -> String {
        match self {
            NodeAddr::Tcp { host, .. } => host.clone(),
            NodeAddr::Unix { path } | NodeAddr::Dump { path } => path.display().to_string(),
        }
    }

    /// The TCP port; 0 for a unix socket.
    pub fn port(&self) -> u16 {
        match self {
            NodeAddr::Tcp { port, .. } => *port,
            NodeAddr::Unix { .. } | NodeAddr::Dump { .. } => 0,
        }
    }

    /// Parses a node as the operator types it: `host:port`, `[v6]:port`,
    /// `unix:/path` or `/path`. A bare host means port 6379.
    pub fn parse(text: &str) -> Result<NodeAddr, String> {
        let text = text.trim();
        if let Some(path) = text.strip_prefix("unix:") {
            return Ok(NodeAddr::Unix { path: path.into() });
        }
        if text.starts_with('/') {
            return Ok(NodeAddr::Unix { path: text.into() });
        }
        let bad = || format!("`{text}` is not a node: write host:port, [ipv6]:port or unix:/path");
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(bad)?;
            match after.strip_prefix(':') {
                Some(p) => (host, p),
                None if after.is_empty() => (host, "6379"),
                None => return Err(bad()),
            }
        } else {
            match text.rsplit_once(':') {
                Some((h, _)) if h.contains(':') => (text, "6379"),
                Some((h, p)) => (h, p),
                None => (text, "6379"),
            }
        };
        if host.is_empty() {
            return Err(bad());
        }
        let port = port
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(bad)?;
        Ok(NodeAddr::tcp(host.to_ascii_lowercase(), port))
    }
}

impl fmt::Display for NodeAddr {
    /// Shown with control characters escaped: a host name a Sentinel or a
    /// Cluster node hands out is the server's text, and may carry escape
    /// sequences meant for the operator's terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let clean = crate::text::clean;
        match self {
            NodeAddr::Tcp { host, port } if host.contains(':') => {
                write!(f, "[{}]:{port}", clean(host))
            }
            NodeAddr::Tcp { host, port } => write!(f, "{}:{port}", clean(host)),
            NodeAddr::Unix { path } => {
                write!(f, "unix:{}", clean(&path.display().to_string()))
            }
            NodeAddr::Dump { path } => write!(f, "rdb:{}", clean(&path.display().to_string())),
        }
    }
}

impl Serialize for NodeAddr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What a node is in its topology, as ROLE (or INFO) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Primary,
    Replica,
    Sentinel,
    /// Not known: the node did not answer ROLE or INFO.
    #[default]
    Unknown,
}

impl Role {
    /// From ROLE's first element or INFO's `role` field.
    pub fn from_redis(text: &str) -> Role {
        match text {
            "master" => Role::Primary,
            "slave" | "replica" => Role::Replica,
            "sentinel" => Role::Sentinel,
            _ => Role::Unknown,
        }
    }

    /// As the JSON says it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Replica => "replica",
            Role::Sentinel => "sentinel",
            Role::Unknown => "unknown",
        }
    }
}

/// One node: its address and its role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    pub addr: NodeAddr,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_operators_type() {
        assert_eq!(
            NodeAddr::parse("127.0.0.1:6380").unwrap(),
            NodeAddr::tcp("127.0.0.1", 6380)
        );
        assert_eq!(
            NodeAddr::parse("Cache.Example").unwrap(),
            NodeAddr::tcp("cache.example", 6379)
        );
        assert_eq!(
            NodeAddr::parse("[::1]:7000").unwrap(),
            NodeAddr::tcp("::1", 7000)
        );
        assert_eq!(NodeAddr::parse("::1").unwrap(), NodeAddr::tcp("::1", 6379));
        assert_eq!(
            NodeAddr::parse("unix:/run/redis.sock").unwrap(),
            NodeAddr::Unix {
                path: "/run/redis.sock".into()
            }
        );
        assert_eq!(
            NodeAddr::parse("/run/redis.sock").unwrap(),
            NodeAddr::parse("unix:/run/redis.sock").unwrap()
        );
        for bad in ["", "host:", "host:0", "host:99999", "[::1", "[::1]x"] {
            assert!(NodeAddr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_host_name_from_a_server_cannot_drive_the_terminal() {
        let evil = NodeAddr::tcp("10.0.0.1\u{1b}]0;pwned\u{7}", 6379);
        assert_eq!(evil.to_string(), "10.0.0.1\\x1b]0;pwned\\x07:6379");
    }

    #[test]
    fn displays_round_trip() {
        for text in ["127.0.0.1:6379", "[::1]:7000", "unix:/tmp/r.sock"] {
            assert_eq!(NodeAddr::parse(text).unwrap().to_string(), text);
        }
    }
}
