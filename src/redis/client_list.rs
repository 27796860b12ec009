//! Parser for CLIENT LIST: one client per line, `key=value` fields separated
//! by spaces. Values never contain spaces except `name`, which Redis forbids
//! from containing spaces, so a plain split is exact.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

/// Text of a client's field: shared, since at 100,000 clients most names,
/// users, commands and flags repeat (one allocation each, not each time).
pub type Text = Arc<str>;

/// One connected client.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClientInfo {
    pub id: i64,
    pub addr: Text,
    pub name: Text,
    /// Seconds since connect.
    pub age: i64,
    /// Seconds since the last command.
    pub idle: i64,
    pub flags: Text,
    pub db: i64,
    /// Last command run (`client|list` style for subcommands).
    pub cmd: Text,
    pub user: Text,
    /// Output buffer memory, bytes.
    pub omem: i64,
    /// Total memory used by the client, bytes.
    pub tot_mem: i64,
    /// Query buffer length, bytes.
    pub qbuf: i64,
    /// Client library and version (CLIENT SETINFO, Redis 7.2+); empty before.
    pub lib_name: Text,
    pub lib_ver: Text,
    /// Output list length (replies queued).
    pub oll: i64,
    /// The server address the client connected to.
    pub laddr: Text,
    pub fd: i32,
    /// Channel and pattern subscriptions (and shard channels, Redis 7+).
    pub sub: i32,
    pub psub: i32,
    pub ssub: i32,
    /// Commands queued in MULTI; -1 outside one.
    pub multi: i32,
    pub qbuf_free: i64,
    pub argv_mem: i64,
    /// Output buffer length, bytes (fixed buffer).
    pub obl: i64,
    /// r, w or rw: what the client waits for.
    pub events: Text,
    /// RESP version (Redis 7+).
    pub resp: i32,
}

/// Parses a CLIENT LIST reply; malformed lines are skipped. In time and
/// memory linear in the clients: repeated texts are stored once.
pub fn parse(text: &str) -> Vec<ClientInfo> {
    let mut shared: HashMap<&str, Text> = HashMap::new();
    // As many as there are lines, allocated once (growing, or shrinking to
    // fit afterwards, would hold the list twice for a moment).
    let lines = text.bytes().filter(|&b| b == b'\n').count() + 1;
    let mut out = Vec::with_capacity(lines);
    for line in text.lines().map(|l| l.trim_end_matches('\r')) {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(c) = parse_line(line, &mut shared) {
            out.push(c);
        }
    }
    out
}

fn parse_line<'t>(line: &'t str, shared: &mut HashMap<&'t str, Text>) -> Option<ClientInfo> {
    let mut client = ClientInfo::default();
    // Fields that repeat across clients are shared; the address is not.
    let mut share = |v: &'t str| -> Text {
        if shared.len() > 100_000 {
            return Text::from(v); // distinct values past any use: stop remembering
        }
        shared.entry(v).or_insert_with(|| Text::from(v)).clone()
    };
    let mut saw_id = false;
    for field in line.split(' ') {
        let Some((k, v)) = field.split_once('=') else {
            continue;
        };
        let int = || v.parse::<i64>().unwrap_or(0);
        match k {
            "id" => {
                client.id = v.parse().ok()?;
                saw_id = true;
            }
            "addr" => client.addr = Text::from(v),
            "name" => client.name = share(v),
            "age" => client.age = int(),
            "idle" => client.idle = int(),
            "flags" => client.flags = share(v),
            "db" => client.db = int(),
            "cmd" => client.cmd = share(v),
            "user" => client.user = share(v),
            "omem" => client.omem = int(),
            "tot-mem" => client.tot_mem = int(),
            "qbuf" => client.qbuf = int(),
            "lib-name" => client.lib_name = share(v),
            "lib-ver" => client.lib_ver = share(v),
            "oll" => client.oll = int(),
            "laddr" => client.laddr = share(v),
            "fd" => client.fd = int() as i32,
            "sub" => client.sub = int() as i32,
            "psub" => client.psub = int() as i32,
            "ssub" => client.ssub = int() as i32,
            "multi" => client.multi = int() as i32,
            "qbuf-free" => client.qbuf_free = int(),
            "argv-mem" => client.argv_mem = int(),
            "obl" => client.obl = int(),
            "events" => client.events = share(v),
            "resp" => client.resp = int() as i32,
            _ => {}
        }
    }
    saw_id.then_some(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_lines() {
        let text = "id=9 addr=127.0.0.1:52302 laddr=127.0.0.1:7777 fd=8 name= age=12 idle=3 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37658 events=r cmd=client|list user=default redir=-1 resp=2\r\nid=10 addr=[::1]:4000 laddr=[::1]:7777 fd=9 name=cachectl age=1 idle=0 flags=S db=2 omem=1024 tot-mem=5 cmd=psync user=repl\n";
        let clients = parse(text);
        assert_eq!(clients.len(), 2);
        assert_eq!(clients[0].id, 9);
        assert_eq!(&*clients[0].addr, "127.0.0.1:52302");
        assert_eq!(&*clients[0].name, "");
        assert_eq!((clients[0].age, clients[0].idle), (12, 3));
        assert_eq!(&*clients[0].cmd, "client|list");
        assert_eq!(clients[0].tot_mem, 37658);
        assert_eq!(clients[0].qbuf, 26);
        assert_eq!(&*clients[1].name, "cachectl");
        assert_eq!(&*clients[1].flags, "S");
        assert_eq!(clients[1].db, 2);
        assert_eq!(clients[1].omem, 1024);
        assert_eq!(&*clients[1].user, "repl");
        assert_eq!(&*clients[0].laddr, "127.0.0.1:7777");
        assert_eq!(
            (clients[0].fd, clients[0].multi, clients[0].qbuf_free),
            (8, -1, 20448)
        );
        assert_eq!(
            (clients[0].argv_mem, &*clients[0].events, clients[0].resp),
            (10, "r", 2)
        );
    }

    #[test]
    fn skips_lines_without_id() {
        assert!(parse("garbage\naddr=1.2.3.4:5\n\n").is_empty());
        assert!(parse("id=notanumber addr=x").is_empty());
    }
}
