//! The `clients` root: one CLIENT LIST summed up. Runbooks ask how many
//! clients are idle, whose they are and who holds the big buffers; a list of
//! every client would make each run cost as much as the clients are many.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::redis::client_list::ClientInfo;

/// Clients shown by name in `top_omem`.
pub const TOP: usize = 10;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClientsFact {
    pub count: usize,
    pub idle_over_300s: usize,
    pub total_omem: i64,
    pub total_mem: i64,
    pub max_omem: i64,
    pub total_qbuf: i64,
    pub blocked: usize,
    pub pubsub: usize,
    pub idle: Vec<i64>,
    pub by_ip: BTreeMap<String, i64>,
    pub by_name: BTreeMap<String, i64>,
    pub by_user: BTreeMap<String, i64>,
    pub by_cmd: BTreeMap<String, i64>,
    pub top_omem: Vec<ClientInfo>,
}

/// `127.0.0.1:5000` -> `127.0.0.1`, `[::1]:5000` -> `::1`, a unix socket
/// path (`/run/redis.sock:0`) -> `unix`.
fn ip_of(addr: &str) -> &str {
    if addr.starts_with('/') || addr.is_empty() {
        return "unix";
    }
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
    host.trim_start_matches('[').trim_end_matches(']')
}

pub fn summarize(clients: &[ClientInfo]) -> ClientsFact {
    let mut fact = ClientsFact {
        count: clients.len(),
        ..ClientsFact::default()
    };
    let bump = |map: &mut BTreeMap<String, i64>, key: &str| {
        if let Some(n) = map.get_mut(key) {
            *n += 1;
        } else {
            map.insert(key.to_string(), 1);
        }
    };
    for c in clients {
        fact.idle_over_300s += usize::from(c.idle > 300);
        fact.total_omem += c.omem;
        fact.total_mem += c.tot_mem;
        fact.max_omem = fact.max_omem.max(c.omem);
        fact.total_qbuf += c.qbuf;
        fact.blocked += usize::from(c.flags.contains('b'));
        fact.pubsub += usize::from(c.flags.contains('P'));
        fact.idle.push(c.idle);
        bump(&mut fact.by_ip, ip_of(&c.addr));
        bump(&mut fact.by_name, &c.name);
        bump(&mut fact.by_user, &c.user);
        bump(&mut fact.by_cmd, &c.cmd);
    }
    fact.idle.sort_unstable_by(|a, b| b.cmp(a));
    let mut by_omem: Vec<&ClientInfo> = clients.iter().collect();
    by_omem.sort_by(|a, b| b.omem.cmp(&a.omem).then(a.id.cmp(&b.id)));
    fact.top_omem = by_omem.into_iter().take(TOP).cloned().collect();
    fact
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(id: i64, addr: &str, name: &str, idle: i64, omem: i64, flags: &str) -> ClientInfo {
        ClientInfo {
            id,
            addr: addr.into(),
            name: name.into(),
            idle,
            omem,
            flags: flags.into(),
            user: "default".into(),
            cmd: "get".into(),
            ..ClientInfo::default()
        }
    }

    #[test]
    fn sums_groups_and_tops() {
        let mut clients = vec![
            client(1, "10.0.0.1:5000", "app", 400, 0, "N"),
            client(2, "10.0.0.1:5001", "app", 10, 5000, "b"),
            client(3, "[::1]:6000", "", 301, 100, "P"),
            client(4, "/run/redis.sock:0", "cachectl", 0, 0, "N"),
        ];
        for i in 0..20 {
            clients.push(client(100 + i, "10.0.0.2:1", "pool", 0, i, "N"));
        }
        let f = summarize(&clients);
        assert_eq!(f.count, 24);
        assert_eq!(f.idle_over_300s, 2);
        assert_eq!(f.idle[..3], [400, 301, 10]);
        assert_eq!(f.by_ip["10.0.0.1"], 2);
        assert_eq!(f.by_ip["::1"], 1);
        assert_eq!(f.by_ip["unix"], 1);
        assert_eq!(f.by_name[""], 1);
        assert_eq!(f.by_name["pool"], 20);
        assert_eq!((f.blocked, f.pubsub), (1, 1));
        assert_eq!(f.max_omem, 5000);
        assert_eq!(f.top_omem.len(), TOP);
        assert_eq!(f.top_omem[0].id, 2);
        assert_eq!(f.top_omem[1].id, 3);
        assert_eq!(f.total_omem, 5100 + (0..20).sum::<i64>());
    }
}
