//! A Redis Cluster as one of its nodes sees it: CLUSTER INFO and CLUSTER
//! NODES (which every server from 3.0 answers; CLUSTER SHARDS is 7.0+),
//! parsed into the nodes to diagnose and the `cluster` fact root.

use serde_json::{json, Value};

use super::connect::Session;
use super::topology::{Member, Topology};
use super::{NodeAddr, Role};

pub const SLOTS: u32 = 16384;

/// One line of CLUSTER NODES.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterNode {
    pub id: String,
    pub addr: NodeAddr,
    pub flags: Vec<String>,
    /// A replica's primary (its id).
    pub primary_id: Option<String>,
    pub link: String,
    /// Slots served, and slots being migrated away or imported.
    pub slots: u32,
    pub migrating: u32,
    /// The slot ranges served, inclusive.
    pub ranges: Vec<(u16, u16)>,
}

impl ClusterNode {
    pub fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    pub fn role(&self) -> Role {
        if self.has("master") {
            Role::Primary
        } else if self.has("slave") {
            Role::Replica
        } else {
            Role::Unknown
        }
    }
}

/// Parses CLUSTER NODES; lines it cannot read are skipped.
pub fn parse_nodes(text: &str) -> Vec<ClusterNode> {
    text.lines()
        .filter_map(|line| {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if parts.len() < 8 {
                return None;
            }
            // ip:port@cport[,hostname]; an empty ip (noaddr) has ":0@0".
            let hostport = parts[1].split(['@', ',']).next()?;
            let (host, port) = hostport.rsplit_once(':')?;
            let port: u16 = port.parse().ok()?;
            let mut slots = 0;
            let mut migrating = 0;
            let mut ranges = Vec::new();
            for s in &parts[8..] {
                if s.starts_with('[') {
                    migrating += 1;
                } else if let Some((a, b)) = s.split_once('-') {
                    let (a, b): (u16, u16) = (a.parse().ok()?, b.parse().ok()?);
                    slots += u32::from(b.saturating_sub(a)) + 1;
                    ranges.push((a, b));
                } else if let Ok(one) = s.parse::<u16>() {
                    slots += 1;
                    ranges.push((one, one));
                }
            }
            Some(ClusterNode {
                id: parts[0].to_string(),
                addr: NodeAddr::tcp(host, port),
                flags: parts[2].split(',').map(str::to_string).collect(),
                primary_id: (parts[3] != "-").then(|| parts[3].to_string()),
                link: parts[7].to_string(),
                slots,
                migrating,
                ranges,
            })
        })
        .collect()
}

/// The `cluster` root from CLUSTER INFO and the parsed CLUSTER NODES.
pub fn fact(info: &str, nodes: &[ClusterNode]) -> Value {
    let get = |name: &str| {
        info.lines()
            .find_map(|l| l.trim_end().strip_prefix(name)?.strip_prefix(':'))
            .unwrap_or("")
            .to_string()
    };
    let num = |name: &str| get(name).parse::<i64>().unwrap_or(0);
    let primaries: Vec<&ClusterNode> = nodes.iter().filter(|n| n.has("master")).collect();
    let assigned: u32 = primaries.iter().map(|n| n.slots).sum();
    let addr_of = |id: &str| {
        nodes
            .iter()
            .find(|n| n.id == id)
            .map_or(String::new(), |n| n.addr.to_string())
    };
    let without_replicas: Vec<String> = primaries
        .iter()
        .filter(|p| p.slots > 0)
        .filter(|p| {
            !nodes
                .iter()
                .any(|r| r.primary_id.as_deref() == Some(p.id.as_str()) && !r.has("fail"))
        })
        .map(|p| p.addr.to_string())
        .collect();
    json!({
        "asked": "", "asked_host": "", "asked_port": 0,
        "failing": [], "uncovered_by": [], "split_slots": 0, "slot_splits": [],
        "failed_by": [], "fail_splits": [], "views": [], "unanswered": [],
        "state": get("cluster_state"),
        "slots_assigned": num("cluster_slots_assigned"),
        "slots_ok": num("cluster_slots_ok"),
        "slots_pfail": num("cluster_slots_pfail"),
        "slots_fail": num("cluster_slots_fail"),
        "known_nodes": num("cluster_known_nodes"),
        "size": num("cluster_size"),
        "slots_uncovered": SLOTS.saturating_sub(assigned),
        "primaries": primaries.len(),
        "replicas": nodes.iter().filter(|n| n.has("slave")).count(),
        "failed": nodes.iter().filter(|n| n.has("fail")).map(|n| n.addr.to_string()).collect::<Vec<_>>(),
        "pfail": nodes.iter().filter(|n| n.has("fail?")).map(|n| n.addr.to_string()).collect::<Vec<_>>(),
        "primaries_without_replicas": without_replicas,
        "migrating_slots": nodes.iter().map(|n| n.migrating).sum::<u32>(),
        "nodes": nodes.iter().map(|n| json!({
            "addr": n.addr.to_string(),
            "id": n.id,
            "role": n.role(),
            "flags": n.flags.join(","),
            "slots": n.slots,
            "primary": n.primary_id.as_deref().map(addr_of).unwrap_or_default(),
            "link": n.link,
        })).collect::<Vec<_>>(),
        // Filled once every primary's facts are in (keys and memory).
        "keys_max": 0, "keys_min": 0, "keys_skew": 0.0,
        "memory_max": 0, "memory_min": 0, "memory_skew": 0.0,
    })
}

/// One node's own view of the Cluster: CLUSTER INFO and NODES as it
/// answers them, or why it did not.
#[derive(Debug, Clone)]
pub struct View {
    pub node: NodeAddr,
    pub info: String,
    pub nodes: Vec<ClusterNode>,
    pub error: Option<String>,
}

impl View {
    fn field(&self, name: &str) -> &str {
        self.info
            .lines()
            .find_map(|l| l.trim_end().strip_prefix(name)?.strip_prefix(':'))
            .unwrap_or("")
    }

    /// Its own cluster_state.
    pub fn state(&self) -> &str {
        self.field("cluster_state")
    }

    /// Who serves each slot, as this node believes: the primary's address.
    fn owners(&self) -> Vec<Option<&NodeAddr>> {
        let mut owner = vec![None; SLOTS as usize];
        for n in self.nodes.iter().filter(|n| n.has("master")) {
            for &(a, b) in &n.ranges {
                for slot in a..=b.min(SLOTS as u16 - 1) {
                    owner[slot as usize] = Some(&n.addr);
                }
            }
        }
        owner
    }

    /// The nodes it flags `fail` (not `fail?`: a suspicion is a node's
    /// own, and differs between nodes by nature).
    fn failed(&self) -> Vec<&NodeAddr> {
        self.nodes
            .iter()
            .filter(|n| n.has("fail"))
            .map(|n| &n.addr)
            .collect()
    }
}

/// CLUSTER INFO and NODES of `session`'s node, as a view.
pub async fn view(session: &Session, node: &NodeAddr) -> View {
    let mut pipe = redis::pipe();
    pipe.cmd("CLUSTER").arg("INFO");
    pipe.cmd("CLUSTER").arg("NODES");
    match session.query_pipeline::<Vec<redis::Value>>(&pipe).await {
        Ok(replies) => {
            let text = |i: usize| {
                replies
                    .get(i)
                    .and_then(crate::redis::reply::text)
                    .unwrap_or_default()
            };
            let nodes = parse_nodes(&text(1));
            View {
                node: node.clone(),
                info: text(0),
                error: nodes
                    .is_empty()
                    .then(|| "CLUSTER NODES listed no node".to_string()),
                nodes,
            }
        }
        Err(e) => unanswered(node, format!("CLUSTER INFO/NODES failed: {}", e.detail)),
    }
}

/// The view of a node that could not be asked.
pub fn unanswered(node: &NodeAddr, why: String) -> View {
    View {
        node: node.clone(),
        info: String::new(),
        nodes: Vec::new(),
        error: Some(why),
    }
}

/// Slot ranges as text: `0-5460, 10923`.
fn ranges_text(slots: &[u16]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < slots.len() {
        let start = slots[i];
        let mut end = start;
        while i + 1 < slots.len() && slots[i + 1] == end + 1 {
            i += 1;
            end = slots[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(", ")
}

/// What every node's own view says together: who says the Cluster is
/// down, which slots any node sees unserved, which nodes any node flags
/// failed, and where the views disagree about slot owners or failures,
/// each naming the nodes and what each believes. Added to the `cluster`
/// root made from `seed`'s view.
pub fn add_views(fact: &mut Value, views: &[View]) {
    let answered: Vec<&View> = views.iter().filter(|v| v.error.is_none()).collect();
    let failing: Vec<String> = answered
        .iter()
        .filter(|v| v.state() != "ok")
        .map(|v| {
            format!(
                "{} says cluster_state:{} ({} of 16384 slots ok)",
                v.node,
                v.state(),
                v.field("cluster_slots_ok")
            )
        })
        .collect();
    if !failing.is_empty() {
        fact["state"] = "fail".into();
    }
    // Slots unserved as each node sees them.
    let owners: Vec<(&View, Vec<Option<&NodeAddr>>)> =
        answered.iter().map(|v| (*v, v.owners())).collect();
    let mut uncovered_by = Vec::new();
    let mut most_uncovered = 0usize;
    for (v, own) in &owners {
        let free: Vec<u16> = (0..SLOTS as u16)
            .filter(|s| own[*s as usize].is_none())
            .collect();
        if !free.is_empty() {
            most_uncovered = most_uncovered.max(free.len());
            uncovered_by.push(format!(
                "{} sees {} slots unassigned ({})",
                v.node,
                free.len(),
                ranges_text(&free)
            ));
        }
    }
    fact["slots_uncovered"] = most_uncovered.into();
    fact["uncovered_by"] = uncovered_by.into();
    // Slots whose owner the views disagree on, grouped into runs of slots
    // with the same beliefs.
    let belief = |slot: usize| -> Vec<(String, String)> {
        owners
            .iter()
            .map(|(v, own)| {
                (
                    v.node.to_string(),
                    own[slot].map_or_else(|| "no owner".to_string(), ToString::to_string),
                )
            })
            .collect()
    };
    // Runs of slots, and (node, what it believes owns them).
    type Beliefs = Vec<(String, String)>;
    let mut splits: Vec<(Vec<u16>, Beliefs)> = Vec::new();
    let mut split_slots = 0usize;
    for slot in 0..SLOTS as usize {
        // Named only where the views differ: most slots agree.
        let first = owners.first().and_then(|(_, own)| own[slot]);
        if owners.iter().all(|(_, own)| own[slot] == first) {
            continue;
        }
        let b = belief(slot);
        split_slots += 1;
        match splits.last_mut() {
            Some((slots, last)) if *last == b && slots.last() == Some(&(slot as u16 - 1)) => {
                slots.push(slot as u16);
            }
            _ => splits.push((vec![slot as u16], b)),
        }
    }
    let slot_splits: Vec<String> = splits
        .iter()
        .take(10)
        .map(|(slots, b)| {
            let mut by_owner: Vec<(String, Vec<String>)> = Vec::new();
            for (node, owner) in b {
                match by_owner.iter_mut().find(|(o, _)| o == owner) {
                    Some((_, nodes)) => nodes.push(node.clone()),
                    None => by_owner.push((owner.clone(), vec![node.clone()])),
                }
            }
            format!(
                "slots {}: {}",
                ranges_text(slots),
                by_owner
                    .iter()
                    .map(|(owner, nodes)| format!("{} see {owner}", nodes.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
        .collect();
    fact["split_slots"] = split_slots.into();
    fact["slot_splits"] = slot_splits.into();
    // Nodes some views flag failed and others do not.
    let mut failed: Vec<&NodeAddr> = answered.iter().flat_map(|v| v.failed()).collect();
    failed.sort();
    failed.dedup();
    let mut failed_by = Vec::new();
    let mut fail_splits = Vec::new();
    for n in &failed {
        let (said, not): (Vec<&&View>, Vec<&&View>) = answered
            .iter()
            .filter(|v| v.node != **n && v.nodes.iter().any(|x| &x.addr == *n))
            .partition(|v| v.failed().contains(n));
        let names = |vs: &[&&View]| {
            vs.iter()
                .map(|v| v.node.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        failed_by.push(format!("{n} (flagged fail by {})", names(&said)));
        if !not.is_empty() {
            fail_splits.push(format!(
                "{n}: failed to {}; not to {}",
                names(&said),
                names(&not)
            ));
        }
    }
    fact["failed"] = failed
        .iter()
        .map(std::string::ToString::to_string)
        .collect::<Vec<_>>()
        .into();
    fact["failed_by"] = failed_by.into();
    fact["fail_splits"] = fail_splits.into();
    fact["failing"] = failing.into();
    fact["views"] = views
        .iter()
        .map(|v| {
            json!({
                "node": v.node.to_string(),
                "state": v.state(),
                "slots_ok": v.field("cluster_slots_ok").parse::<i64>().unwrap_or(0),
                "epoch": v.field("cluster_current_epoch").parse::<i64>().unwrap_or(0),
                "error": v.error.clone().unwrap_or_default(),
            })
        })
        .collect::<Vec<_>>()
        .into();
    fact["unanswered"] = views
        .iter()
        .filter_map(|v| v.error.as_ref().map(|e| format!("{}: {e}", v.node)))
        .collect::<Vec<_>>()
        .into();
}

/// CLUSTER NODES of the node at `spec`, parsed: a connection of its own.
pub async fn nodes_at(
    spec: &super::TargetSpec,
    timeouts: &super::Timeouts,
) -> Result<Vec<ClusterNode>, String> {
    let session = super::connect::connect(spec, timeouts)
        .await
        .map_err(|f| format!("cannot connect to {}: {}", spec.addr, f.detail))?;
    let text: String = session
        .query(redis::cmd("CLUSTER").arg("NODES"))
        .await
        .map_err(|e| format!("CLUSTER NODES failed on {}: {}", spec.addr, e.detail))?;
    Ok(parse_nodes(&text))
}

/// The Cluster as the seed node's view (`view`) tells it: its nodes, and
/// the `cluster` root of that view (`add_views` adds every other node's).
pub fn discover(seen: &View) -> Result<Topology, String> {
    if let Some(e) = &seen.error {
        return Err(e.clone());
    }
    let (info, nodes, seed) = (&seen.info, &seen.nodes, &seen.node);
    let mut members: Vec<Member> = nodes
        .iter()
        .filter(|n| !n.has("noaddr") && !n.has("handshake"))
        .map(|n| Member {
            addr: n.addr.clone(),
            role: n.role(),
        })
        .collect();
    // Primaries first, in slot order as listed; then replicas.
    members.sort_by_key(|m| m.role != Role::Primary);
    let mut fact = fact(info, nodes);
    fact["asked"] = seed.to_string().into();
    fact["asked_host"] = seed.host().into();
    fact["asked_port"] = seed.port().into();
    Ok(Topology {
        kind: super::topology::Kind::Cluster,
        asked: seed.clone(),
        members,
        fact,
        reach: super::CliReach::default(),
    })
}

/// Adds each primary's keys and memory, and how uneven they are (largest
/// over smallest, 0 when a primary holds nothing to compare).
pub fn add_balance(fact: &mut Value, per_primary: &[(u64, u64)]) {
    let keys: Vec<u64> = per_primary.iter().map(|p| p.0).collect();
    let memory: Vec<u64> = per_primary.iter().map(|p| p.1).collect();
    let skew = |v: &[u64]| -> (u64, u64, f64) {
        let (max, min) = (
            v.iter().copied().max().unwrap_or(0),
            v.iter().copied().min().unwrap_or(0),
        );
        let ratio = if min > 0 {
            max as f64 / min as f64
        } else {
            0.0
        };
        (max, min, (ratio * 100.0).round() / 100.0)
    };
    let (kmax, kmin, kskew) = skew(&keys);
    let (mmax, mmin, mskew) = skew(&memory);
    fact["keys_max"] = kmax.into();
    fact["keys_min"] = kmin.into();
    fact["keys_skew"] = kskew.into();
    fact["memory_max"] = mmax.into();
    fact["memory_min"] = mmin.into();
    fact["memory_skew"] = mskew.into();
}

/// The hash slot of a key: CRC16 (XMODEM) of the key, or of its hash tag
/// (the first non-empty `{...}`), modulo 16384.
pub fn slot(key: &[u8]) -> u16 {
    let tagged = key.iter().position(|&b| b == b'{').and_then(|open| {
        let rest = &key[open + 1..];
        rest.iter()
            .position(|&b| b == b'}')
            .filter(|&close| close > 0)
            .map(|close| &rest[..close])
    });
    crc16(tagged.unwrap_or(key)) % SLOTS as u16
}

fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// Sends each key to the primary serving its slot: a session per primary
/// and who serves each slot, from CLUSTER NODES.
pub struct Router {
    pub nodes: Vec<(NodeAddr, Session)>,
    /// Index into `nodes` of each slot's primary; `None` when uncovered.
    owner: Vec<Option<u16>>,
}

impl Router {
    pub async fn of(
        spec: &super::TargetSpec,
        timeouts: &super::Timeouts,
    ) -> Result<Router, String> {
        let mut owner = vec![None; SLOTS as usize];
        let mut nodes = Vec::new();
        for n in nodes_at(spec, timeouts)
            .await?
            .into_iter()
            .filter(|n| n.has("master") && !n.ranges.is_empty())
        {
            let session = super::connect::connect(&spec.at(n.addr.clone()), timeouts)
                .await
                .map_err(|f| format!("cannot connect to the primary {}: {}", n.addr, f.detail))?;
            for &(a, b) in &n.ranges {
                for slot in a..=b {
                    owner[slot as usize] = Some(nodes.len() as u16);
                }
            }
            nodes.push((n.addr, session));
        }
        Ok(Router { nodes, owner })
    }

    /// The index of the primary serving `key`, if any does.
    pub fn route(&self, key: &[u8]) -> Option<usize> {
        self.owner[slot(key) as usize].map(usize::from)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn slots_as_redis_computes_them() {
        assert_eq!(super::slot(b"foo"), 12182);
        assert_eq!(super::slot(b"123456789"), 0x31C3);
        assert_eq!(
            super::slot(b"{user1000}.following"),
            super::slot(b"{user1000}.followers")
        );
        assert_eq!(super::slot(b"{}.x"), super::slot(b"{}.x"));
        assert_ne!(super::slot(b"{}.x"), super::slot(b"x"));
    }

    use super::*;

    const NODES: &str = "\
a1 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460
b2 127.0.0.1:7001@17001 master - 0 1 2 connected 5461-10922 [10922->-c3]
c3 127.0.0.1:7002@17002 master,fail - 0 1 3 disconnected 10923-16000
d4 127.0.0.1:7003@17003,host-d slave a1 0 1 4 connected
e5 127.0.0.1:7004@17004 slave,fail? b2 0 1 5 connected
f6 :0@0 noaddr,handshake - 0 0 0 disconnected
";

    fn view_of(node: u16, state: &str, nodes: &str) -> View {
        View {
            node: NodeAddr::tcp("127.0.0.1", node),
            info: format!("cluster_state:{state}\r\ncluster_slots_ok:16383\r\n"),
            nodes: parse_nodes(nodes),
            error: None,
        }
    }

    #[test]
    fn every_nodes_view_and_where_they_disagree() {
        // 7000 dropped slot 0 and says fail; 7001 flags 7002 failed, 7000
        // does not; 7003 did not answer.
        let a = view_of(7000, "fail", "a1 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 1-5460\nb2 127.0.0.1:7001@17001 master - 0 0 2 connected 5461-10922\nc3 127.0.0.1:7002@17002 master - 0 0 3 connected 10923-16383\n");
        let b = view_of(7001, "ok", "a1 127.0.0.1:7000@17000 master - 0 0 1 connected 0-5460\nb2 127.0.0.1:7001@17001 myself,master - 0 0 2 connected 5461-10922\nc3 127.0.0.1:7002@17002 master,fail - 0 0 3 connected 10923-16383\n");
        let gone = unanswered(&NodeAddr::tcp("127.0.0.1", 7003), "refused".into());
        let mut f = fact("cluster_state:ok\r\n", &b.nodes);
        add_views(&mut f, &[b, a, gone]);
        assert_eq!(f["state"], "fail");
        assert_eq!(
            f["failing"],
            json!(["127.0.0.1:7000 says cluster_state:fail (16383 of 16384 slots ok)"])
        );
        assert_eq!(f["slots_uncovered"], 1);
        assert_eq!(
            f["uncovered_by"],
            json!(["127.0.0.1:7000 sees 1 slots unassigned (0)"])
        );
        assert_eq!(f["split_slots"], 1);
        assert_eq!(
            f["slot_splits"],
            json!(["slots 0: 127.0.0.1:7001 see 127.0.0.1:7000; 127.0.0.1:7000 see no owner"])
        );
        assert_eq!(f["failed"], json!(["127.0.0.1:7002"]));
        assert_eq!(
            f["fail_splits"],
            json!(["127.0.0.1:7002: failed to 127.0.0.1:7001; not to 127.0.0.1:7000"])
        );
        assert_eq!(f["unanswered"], json!(["127.0.0.1:7003: refused"]));
        assert_eq!(ranges_text(&[0, 1, 2, 5, 7, 8]), "0-2, 5, 7-8");
    }

    #[test]
    fn nodes_slots_and_what_is_wrong() {
        let nodes = parse_nodes(NODES);
        assert_eq!(nodes.len(), 6);
        assert_eq!(nodes[0].slots, 5461);
        assert_eq!(nodes[1].migrating, 1);
        assert_eq!(nodes[3].addr, NodeAddr::tcp("127.0.0.1", 7003));
        assert_eq!(nodes[3].primary_id.as_deref(), Some("a1"));
        let f = fact(
            "cluster_state:fail\r\ncluster_slots_assigned:16001\r\n",
            &nodes,
        );
        assert_eq!(f["state"], "fail");
        assert_eq!(f["slots_assigned"], 16001);
        assert_eq!(f["slots_uncovered"], 16384 - 16001);
        assert_eq!(f["primaries"], 3);
        assert_eq!(f["failed"], json!(["127.0.0.1:7002"]));
        assert_eq!(f["pfail"], json!(["127.0.0.1:7004"]));
        // b2's only replica is failing, c3 has none.
        assert_eq!(f["primaries_without_replicas"], json!(["127.0.0.1:7002"]));
        assert_eq!(f["migrating_slots"], 1);
        assert_eq!(f["nodes"][3]["primary"], "127.0.0.1:7000");
        let mut f = f;
        add_balance(&mut f, &[(100, 1000), (300, 2000), (150, 1000)]);
        assert_eq!(
            (f["keys_max"].as_u64(), f["keys_min"].as_u64()),
            (Some(300), Some(100))
        );
        assert_eq!(f["keys_skew"], 3.0);
        assert_eq!(f["memory_skew"], 2.0);
    }
}
