//! Parser for ROLE: `master` with offset and replicas, `slave` with its
//! primary and link state, or `sentinel` with the monitored masters.

use redis::Value;
use serde::Serialize;

use super::reply;

/// The node's replication role, as ROLE reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Role {
    /// `master`, `slave` or `sentinel`.
    pub role: String,
    /// Primary: its replication offset. Replica: the offset it has processed.
    pub offset: i64,
    /// Replica only: `host:port` of its primary.
    pub primary: String,
    /// Replica only: `connect`, `connecting`, `sync` or `connected`.
    pub link_state: String,
    /// Primary only: acknowledged offset of each replica.
    pub replicas: Vec<RoleReplica>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RoleReplica {
    pub addr: String,
    pub offset: i64,
}

fn text(v: &Value) -> String {
    reply::text(v).unwrap_or_default()
}

fn int(v: &Value) -> i64 {
    reply::int(v).unwrap_or(0)
}

pub fn parse(reply: &Value) -> Role {
    let Value::Array(f) = reply else {
        return Role::default();
    };
    let mut role = Role {
        role: f.first().map(text).unwrap_or_default(),
        ..Role::default()
    };
    match role.role.as_str() {
        "master" => {
            role.offset = f.get(1).map_or(0, int);
            if let Some(Value::Array(replicas)) = f.get(2) {
                for r in replicas {
                    if let Value::Array(r) = r {
                        if r.len() >= 3 {
                            role.replicas.push(RoleReplica {
                                addr: format!("{}:{}", text(&r[0]), text(&r[1])),
                                offset: int(&r[2]),
                            });
                        }
                    }
                }
            }
        }
        "slave" if f.len() >= 5 => {
            role.primary = format!("{}:{}", text(&f[1]), text(&f[2]));
            role.link_state = text(&f[3]);
            role.offset = int(&f[4]);
        }
        _ => {}
    }
    role
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn parses_master_and_replica() {
        let master = Value::Array(vec![
            bulk("master"),
            Value::Int(3129659),
            Value::Array(vec![Value::Array(vec![
                bulk("127.0.0.1"),
                bulk("9001"),
                bulk("3129242"),
            ])]),
        ]);
        let r = parse(&master);
        assert_eq!(r.role, "master");
        assert_eq!(r.offset, 3129659);
        assert_eq!(
            r.replicas,
            vec![RoleReplica {
                addr: "127.0.0.1:9001".into(),
                offset: 3129242
            }]
        );

        let replica = Value::Array(vec![
            bulk("slave"),
            bulk("127.0.0.1"),
            Value::Int(9000),
            bulk("connected"),
            Value::Int(3167038),
        ]);
        let r = parse(&replica);
        assert_eq!(r.primary, "127.0.0.1:9000");
        assert_eq!(r.link_state, "connected");
        assert_eq!(r.offset, 3167038);
    }
}
