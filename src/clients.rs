//! Who is connected: one CLIENT LIST grouped the ways an on-call engineer
//! asks (host, name, library, user, db, last command), with idle and age
//! distributions, flags and the largest buffers; and the filters of
//! `clients kill`, which never match a replication link, the master link
//! or cachectl's own connection.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::redis::client_list::ClientInfo;

/// Groups shown per grouping.
const GROUPS: usize = 20;

/// Buckets of idle and age seconds.
const BUCKETS: [(&str, i64); 5] = [
    ("<1s", 1),
    ("<1m", 60),
    ("<5m", 300),
    ("<1h", 3600),
    (">=1h", i64::MAX),
];

fn bucket(seconds: i64) -> &'static str {
    BUCKETS
        .iter()
        .find(|(_, upper)| seconds < *upper)
        .map(|(name, _)| *name)
        .unwrap_or(">=1h")
}

/// `1.2.3.4:5000` -> `1.2.3.4`; `[::1]:5000` -> `::1`; a unix socket -> `unix`.
pub fn host_of(addr: &str) -> &str {
    if addr.starts_with('/') || addr.is_empty() {
        return "unix";
    }
    let host = addr.rsplit_once(':').map(|(h, _)| h).unwrap_or(addr);
    host.trim_start_matches('[').trim_end_matches(']')
}

/// One group of clients.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    pub key: String,
    pub count: u64,
    /// Of them, idle for over 5 minutes.
    pub idle_over_300s: u64,
    pub max_idle: i64,
}

/// A client as listed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Client {
    pub id: i64,
    pub addr: String,
    pub name: String,
    pub user: String,
    pub db: i64,
    pub age: i64,
    pub idle: i64,
    pub flags: String,
    pub cmd: String,
    pub qbuf: i64,
    pub omem: i64,
    /// The node it is connected to, in a view of several nodes.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub node: String,
}

impl From<&ClientInfo> for Client {
    fn from(c: &ClientInfo) -> Client {
        Client {
            id: c.id,
            addr: c.addr.clone(),
            name: c.name.clone(),
            user: c.user.clone(),
            db: c.db,
            age: c.age,
            idle: c.idle,
            flags: c.flags.clone(),
            cmd: c.cmd.clone(),
            qbuf: c.qbuf,
            omem: c.omem,
            node: String::new(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Flags {
    pub normal: u64,
    pub blocked: u64,
    pub pubsub: u64,
    pub replica: u64,
    pub master: u64,
    pub monitor: u64,
    pub in_multi: u64,
}

/// The clients part of a report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClientsView {
    pub count: u64,
    pub maxclients: i64,
    /// count / maxclients.
    pub used_ratio: f64,
    pub by_host: Vec<Group>,
    pub by_name: Vec<Group>,
    pub by_lib: Vec<Group>,
    pub by_user: Vec<Group>,
    pub by_db: Vec<Group>,
    pub by_cmd: Vec<Group>,
    /// Clients per idle bucket (<1s, <1m, <5m, <1h, >=1h), and per age.
    pub idle: BTreeMap<String, u64>,
    pub age: BTreeMap<String, u64>,
    pub flags: Flags,
    pub largest_query_buffers: Vec<Client>,
    pub largest_output_buffers: Vec<Client>,
    /// A topology's nodes: clients per node (the key is the node).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_node: Vec<Group>,
}

fn groups(clients: &[ClientInfo], key: impl Fn(&ClientInfo) -> String) -> Vec<Group> {
    let mut map: BTreeMap<String, Group> = BTreeMap::new();
    for c in clients {
        let k = key(c);
        let g = map.entry(k.clone()).or_insert_with(|| Group {
            key: k,
            count: 0,
            idle_over_300s: 0,
            max_idle: 0,
        });
        g.count += 1;
        g.idle_over_300s += u64::from(c.idle > 300);
        g.max_idle = g.max_idle.max(c.idle);
    }
    let mut all: Vec<Group> = map.into_values().collect();
    all.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    all.truncate(GROUPS);
    all
}

fn largest(clients: &[ClientInfo], by: impl Fn(&ClientInfo) -> i64) -> Vec<Client> {
    let mut sorted: Vec<&ClientInfo> = clients.iter().filter(|c| by(c) > 0).collect();
    sorted.sort_by(|a, b| by(b).cmp(&by(a)).then(a.id.cmp(&b.id)));
    sorted.into_iter().take(5).map(Client::from).collect()
}

impl ClientsView {
    pub fn of(clients: &[ClientInfo], maxclients: i64) -> ClientsView {
        let mut flags = Flags::default();
        for c in clients {
            let has = |f: char| c.flags.contains(f);
            flags.normal += u64::from(c.flags == "N");
            flags.blocked += u64::from(has('b'));
            flags.pubsub += u64::from(has('P'));
            flags.replica += u64::from(has('S'));
            flags.master += u64::from(has('M'));
            flags.monitor += u64::from(has('O'));
            flags.in_multi += u64::from(has('x'));
        }
        let histogram = |f: &dyn Fn(&ClientInfo) -> i64| {
            let mut h = BTreeMap::new();
            for c in clients {
                *h.entry(bucket(f(c)).to_string()).or_insert(0) += 1;
            }
            h
        };
        let count = clients.len() as u64;
        ClientsView {
            count,
            maxclients,
            used_ratio: if maxclients > 0 {
                (count as f64 / maxclients as f64 * 10_000.0).round() / 10_000.0
            } else {
                0.0
            },
            by_host: groups(clients, |c| host_of(&c.addr).to_string()),
            by_name: groups(clients, |c| c.name.clone()),
            by_lib: groups(clients, |c| {
                if c.lib_name.is_empty() {
                    String::new()
                } else {
                    format!("{} {}", c.lib_name, c.lib_ver).trim().to_string()
                }
            }),
            by_user: groups(clients, |c| c.user.clone()),
            by_db: groups(clients, |c| c.db.to_string()),
            by_cmd: groups(clients, |c| c.cmd.clone()),
            idle: histogram(&|c| c.idle),
            age: histogram(&|c| c.age),
            flags,
            largest_query_buffers: largest(clients, |c| c.qbuf),
            largest_output_buffers: largest(clients, |c| c.omem),
            by_node: Vec::new(),
        }
    }

    /// One view over several nodes' clients (a Sentinel's or a Cluster's
    /// nodes): groups over them all, clients per node, the largest buffers
    /// with their node, and the use of the fullest node against its own
    /// maxclients.
    pub fn of_nodes(nodes: &[(String, &[ClientInfo], i64)]) -> ClientsView {
        let all: Vec<ClientInfo> = nodes
            .iter()
            .flat_map(|(_, list, _)| list.iter().cloned())
            .collect();
        let mut view = ClientsView::of(&all, nodes.iter().map(|n| n.2).sum());
        view.used_ratio = nodes
            .iter()
            .filter(|n| n.2 > 0)
            .map(|(_, list, max)| (list.len() as f64 / *max as f64 * 10_000.0).round() / 10_000.0)
            .fold(0.0, f64::max);
        view.by_node = nodes
            .iter()
            .map(|(node, list, _)| Group {
                key: node.clone(),
                count: list.len() as u64,
                idle_over_300s: list.iter().filter(|c| c.idle > 300).count() as u64,
                max_idle: list.iter().map(|c| c.idle).max().unwrap_or(0),
            })
            .collect();
        let largest_of = |by: fn(&ClientInfo) -> i64| {
            let mut sorted: Vec<(&String, &ClientInfo)> = nodes
                .iter()
                .flat_map(|(node, list, _)| list.iter().map(move |c| (node, c)))
                .filter(|(_, c)| by(c) > 0)
                .collect();
            sorted.sort_by(|a, b| by(b.1).cmp(&by(a.1)).then(a.1.id.cmp(&b.1.id)));
            sorted
                .into_iter()
                .take(5)
                .map(|(node, c)| Client {
                    node: node.clone(),
                    ..Client::from(c)
                })
                .collect::<Vec<_>>()
        };
        view.largest_query_buffers = largest_of(|c| c.qbuf);
        view.largest_output_buffers = largest_of(|c| c.omem);
        view
    }
}

/// Which clients `clients kill` is about.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Idle at least this long.
    pub idle: Option<Duration>,
    /// Connected at least this long.
    pub age: Option<Duration>,
    pub host: Option<String>,
    pub name: Option<String>,
    pub user: Option<String>,
    /// `normal` or `pubsub`.
    pub kind: Option<String>,
    pub db: Option<i64>,
    pub cmd: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.idle.is_none()
            && self.age.is_none()
            && self.host.is_none()
            && self.name.is_none()
            && self.user.is_none()
            && self.kind.is_none()
            && self.db.is_none()
            && self.cmd.is_none()
    }

    fn matches(&self, c: &ClientInfo) -> bool {
        let pubsub = c.flags.contains('P');
        self.idle.is_none_or(|d| c.idle >= d.as_secs() as i64)
            && self.age.is_none_or(|d| c.age >= d.as_secs() as i64)
            && self.host.as_deref().is_none_or(|h| host_of(&c.addr) == h)
            && self.name.as_deref().is_none_or(|n| c.name == n)
            && self.user.as_deref().is_none_or(|u| c.user == u)
            && self.db.is_none_or(|d| c.db == d)
            && self
                .cmd
                .as_deref()
                .is_none_or(|x| c.cmd.eq_ignore_ascii_case(x))
            && match self.kind.as_deref() {
                Some("pubsub") => pubsub,
                Some(_) => !pubsub,
                None => true,
            }
    }
}

/// A client the filters matched but that is never killed, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Spared {
    #[serde(flatten)]
    pub client: Client,
    pub reason: String,
}

/// The clients to kill, and those matched but spared.
pub fn select(clients: &[ClientInfo], filter: &Filter, own_id: i64) -> (Vec<Client>, Vec<Spared>) {
    let mut kill = Vec::new();
    let mut spared = Vec::new();
    for c in clients.iter().filter(|c| filter.matches(c)) {
        let reason = if c.id == own_id {
            Some("cachectl's own connection")
        } else if c.flags.contains('S') {
            Some("a replica's replication link")
        } else if c.flags.contains('M') {
            Some("the link to this node's primary")
        } else {
            None
        };
        match reason {
            Some(r) => spared.push(Spared {
                client: Client::from(c),
                reason: r.to_string(),
            }),
            None => kill.push(Client::from(c)),
        }
    }
    (kill, spared)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(id: i64, addr: &str, name: &str, idle: i64, flags: &str) -> ClientInfo {
        ClientInfo {
            id,
            addr: addr.into(),
            name: name.into(),
            idle,
            age: idle + 10,
            flags: flags.into(),
            user: "default".into(),
            cmd: "get".into(),
            ..ClientInfo::default()
        }
    }

    #[test]
    fn groups_and_buckets() {
        let clients = vec![
            client(1, "10.0.0.1:1", "pool", 400, "N"),
            client(2, "10.0.0.1:2", "pool", 500, "N"),
            client(3, "10.0.0.2:1", "", 0, "b"),
            client(4, "10.0.0.3:1", "", 1, "S"),
        ];
        let v = ClientsView::of(&clients, 10);
        assert_eq!(v.count, 4);
        assert_eq!(v.used_ratio, 0.4);
        assert_eq!(
            v.by_host[0],
            Group {
                key: "10.0.0.1".into(),
                count: 2,
                idle_over_300s: 2,
                max_idle: 500
            }
        );
        assert_eq!(v.by_name[0].key, "");
        assert_eq!(v.idle.get(">=1h"), None);
        assert_eq!(v.idle["<1h"], 2);
        assert_eq!(
            (v.flags.blocked, v.flags.replica, v.flags.normal),
            (1, 1, 2)
        );
    }

    #[test]
    fn kill_spares_replication_and_itself() {
        let clients = vec![
            client(1, "10.0.0.1:1", "pool", 400, "N"),
            client(2, "10.0.0.1:2", "", 400, "S"),
            client(3, "10.0.0.1:3", "", 400, "M"),
            client(4, "10.0.0.1:4", "cachectl", 400, "N"),
            client(5, "10.0.0.1:5", "pool", 10, "N"),
        ];
        let filter = Filter {
            idle: Some(Duration::from_secs(300)),
            ..Filter::default()
        };
        let (kill, spared) = select(&clients, &filter, 4);
        assert_eq!(kill.iter().map(|c| c.id).collect::<Vec<_>>(), [1]);
        assert_eq!(
            spared.iter().map(|s| s.client.id).collect::<Vec<_>>(),
            [2, 3, 4]
        );
        let filter = Filter {
            kind: Some("pubsub".into()),
            ..Filter::default()
        };
        assert!(select(&clients, &filter, 4).0.is_empty());
    }
}
