//! Who is connected: one CLIENT LIST grouped the ways an on-call engineer
//! asks (host, name, library, user, db, last command), with idle and age
//! distributions, flags and the largest buffers; and the filters of
//! `clients kill`, which never match a replication link, the master link
//! or cachectl's own connection.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::redis::client_list::{ClientInfo, Text};

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
        .map_or(">=1h", |(name, _)| *name)
}

/// `1.2.3.4:5000` -> `1.2.3.4`; `[::1]:5000` -> `::1`; a unix socket -> `unix`.
pub fn host_of(addr: &str) -> &str {
    if addr.starts_with('/') || addr.is_empty() {
        return "unix";
    }
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
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
    pub addr: Text,
    pub name: Text,
    pub user: Text,
    pub db: i64,
    pub age: i64,
    pub idle: i64,
    pub flags: Text,
    pub cmd: Text,
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

/// Some clients, as the views take them (references: at 100,000 clients
/// nothing is copied to group them).
pub trait Clients<'a>: Iterator<Item = &'a ClientInfo> + Clone {}
impl<'a, T: Iterator<Item = &'a ClientInfo> + Clone> Clients<'a> for T {}

fn groups<'a>(
    clients: impl Clients<'a>,
    key: impl Fn(&'a ClientInfo) -> std::borrow::Cow<'a, str>,
) -> Vec<Group> {
    let mut map: std::collections::HashMap<std::borrow::Cow<'a, str>, Group> =
        std::collections::HashMap::new();
    for c in clients {
        let k = key(c);
        let g = match map.get_mut(&k) {
            Some(g) => g,
            None => map.entry(k.clone()).or_insert_with(|| Group {
                key: k.into_owned(),
                count: 0,
                idle_over_300s: 0,
                max_idle: 0,
            }),
        };
        g.count += 1;
        g.idle_over_300s += u64::from(c.idle > 300);
        g.max_idle = g.max_idle.max(c.idle);
    }
    let mut all: Vec<Group> = map.into_values().collect();
    all.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    all.truncate(GROUPS);
    all
}

fn largest<'a>(clients: impl Clients<'a>, by: impl Fn(&ClientInfo) -> i64) -> Vec<Client> {
    let mut sorted: Vec<&ClientInfo> = clients.filter(|c| by(c) > 0).collect();
    sorted.sort_by(|a, b| by(b).cmp(&by(a)).then(a.id.cmp(&b.id)));
    sorted.into_iter().take(5).map(Client::from).collect()
}

impl ClientsView {
    pub fn of<'a>(clients: impl Clients<'a>, maxclients: i64) -> ClientsView {
        use std::borrow::Cow;
        let mut flags = Flags::default();
        let mut count = 0u64;
        for c in clients.clone() {
            count += 1;
            let has = |f: char| c.flags.contains(f);
            flags.normal += u64::from(&*c.flags == "N");
            flags.blocked += u64::from(has('b'));
            flags.pubsub += u64::from(has('P'));
            flags.replica += u64::from(has('S'));
            flags.master += u64::from(has('M'));
            flags.monitor += u64::from(has('O'));
            flags.in_multi += u64::from(has('x'));
        }
        let histogram = |f: &dyn Fn(&ClientInfo) -> i64| {
            let mut h: BTreeMap<&'static str, u64> = BTreeMap::new();
            for c in clients.clone() {
                *h.entry(bucket(f(c))).or_insert(0) += 1;
            }
            h.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
        };
        ClientsView {
            count,
            maxclients,
            used_ratio: if maxclients > 0 {
                (count as f64 / maxclients as f64 * 10_000.0).round() / 10_000.0
            } else {
                0.0
            },
            by_host: groups(clients.clone(), |c| Cow::Borrowed(host_of(&c.addr))),
            by_name: groups(clients.clone(), |c| Cow::Borrowed(&*c.name)),
            by_lib: groups(clients.clone(), |c| {
                match (c.lib_name.is_empty(), c.lib_ver.is_empty()) {
                    (true, _) => Cow::Borrowed(""),
                    (false, true) => Cow::Borrowed(&*c.lib_name),
                    (false, false) => Cow::Owned(format!("{} {}", c.lib_name, c.lib_ver)),
                }
            }),
            by_user: groups(clients.clone(), |c| Cow::Borrowed(&*c.user)),
            by_db: groups(clients.clone(), |c| Cow::Owned(c.db.to_string())),
            by_cmd: groups(clients.clone(), |c| Cow::Borrowed(&*c.cmd)),
            idle: histogram(&|c| c.idle),
            age: histogram(&|c| c.age),
            flags,
            largest_query_buffers: largest(clients.clone(), |c| c.qbuf),
            largest_output_buffers: largest(clients, |c| c.omem),
            by_node: Vec::new(),
        }
    }

    /// One view over several nodes' clients (a Sentinel's or a Cluster's
    /// nodes): groups over them all, clients per node, the largest buffers
    /// with their node, and the use of the fullest node against its own
    /// maxclients.
    pub fn of_nodes(nodes: &[(String, &[ClientInfo], i64)]) -> ClientsView {
        let all = nodes.iter().flat_map(|(_, list, _)| list.iter());
        let mut view = ClientsView::of(all, nodes.iter().map(|n| n.2).sum());
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
            && self.name.as_deref().is_none_or(|n| &*c.name == n)
            && self.user.as_deref().is_none_or(|u| &*c.user == u)
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

/// A Sentinel names its two links to a node `sentinel-<id>-cmd` and
/// `sentinel-<id>-pubsub` (the latter subscribed to its hello channel).
fn is_sentinel_link(name: &str) -> bool {
    name.strip_prefix("sentinel-").is_some_and(|rest| {
        rest.strip_suffix("-cmd")
            .or_else(|| rest.strip_suffix("-pubsub"))
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit()))
    })
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
        } else if is_sentinel_link(&c.name) {
            Some("a Sentinel's link (how it watches this node, and fails it over)")
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
        let clients = [
            client(1, "10.0.0.1:1", "pool", 400, "N"),
            client(2, "10.0.0.1:2", "pool", 500, "N"),
            client(3, "10.0.0.2:1", "", 0, "b"),
            client(4, "10.0.0.3:1", "", 1, "S"),
        ];
        let v = ClientsView::of(clients.iter(), 10);
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
