//! Parser for the INFO reply: `field:value` lines grouped in `# Section`s.
//!
//! Scalar fields are typed (integer, float, string). The structured fields
//! (`dbN`, `cmdstat_*`, `errorstat_*`, `slaveN`, `latency_percentiles_usec_*`)
//! are parsed into their own maps.

use std::collections::BTreeMap;

use serde::Serialize;

/// One scalar INFO value, typed as precisely as its text allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum InfoValue {
    Int(i64),
    Float(f64),
    Text(String),
}

impl InfoValue {
    fn parse(text: &str) -> InfoValue {
        if let Ok(i) = text.parse::<i64>() {
            InfoValue::Int(i)
        } else if let Some(f) = text
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && looks_numeric(text))
        {
            InfoValue::Float(f)
        } else {
            InfoValue::Text(text.to_string())
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            InfoValue::Int(i) => Some(*i as f64),
            InfoValue::Float(f) => Some(*f),
            InfoValue::Text(_) => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            InfoValue::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// Rejects words Rust parses as floats ("inf", "nan") but INFO means as text.
fn looks_numeric(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
}

/// A `dbN` line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeyspaceDb {
    pub keys: i64,
    pub expires: i64,
    pub avg_ttl: i64,
}

/// A `cmdstat_<name>` line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CommandStat {
    pub calls: i64,
    pub usec: i64,
    pub usec_per_call: f64,
    pub rejected_calls: i64,
    pub failed_calls: i64,
}

/// A `slaveN` line of a primary's replication section.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReplicaInfo {
    pub ip: String,
    pub port: i64,
    pub state: String,
    pub offset: i64,
    /// Seconds since the replica last acknowledged.
    pub lag: i64,
}

/// The parsed INFO reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Info {
    /// Every scalar field, by name, across all sections.
    pub fields: BTreeMap<String, InfoValue>,
    /// Which section each field came from.
    #[serde(skip)]
    pub sections: BTreeMap<String, String>,
    pub keyspace: BTreeMap<String, KeyspaceDb>,
    /// By lower-case command name (`config|get` for subcommands).
    pub commandstats: BTreeMap<String, CommandStat>,
    /// Error counts by error prefix (`OOM`, `NOPERM`, `ERR`, ...).
    pub errorstats: BTreeMap<String, i64>,
    pub replicas: Vec<ReplicaInfo>,
}

impl Info {
    pub fn get(&self, field: &str) -> Option<&InfoValue> {
        self.fields.get(field)
    }

    pub fn f64(&self, field: &str) -> Option<f64> {
        self.get(field).and_then(InfoValue::as_f64)
    }

    pub fn str(&self, field: &str) -> Option<&str> {
        self.get(field).and_then(InfoValue::as_str)
    }
}

/// `k=v,k=v` into pairs.
fn pairs(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split(',').filter_map(|kv| kv.split_once('='))
}

fn int(text: &str) -> i64 {
    text.parse().unwrap_or(0)
}

/// Parses an INFO reply. Unknown or malformed lines are skipped, never fatal.
pub fn parse(text: &str) -> Info {
    let mut info = Info::default();
    let mut section = String::new();
    for raw in text.lines() {
        let line = raw.trim_end_matches('\r');
        if let Some(name) = line.strip_prefix("# ") {
            section = name.trim().to_ascii_lowercase();
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if key.is_empty() {
            continue;
        }
        if let Some(cmd) = key.strip_prefix("cmdstat_") {
            let mut stat = CommandStat::default();
            for (k, v) in pairs(value) {
                match k {
                    "calls" => stat.calls = int(v),
                    "usec" => stat.usec = int(v),
                    "usec_per_call" => stat.usec_per_call = v.parse().unwrap_or(0.0),
                    "rejected_calls" => stat.rejected_calls = int(v),
                    "failed_calls" => stat.failed_calls = int(v),
                    _ => {}
                }
            }
            info.commandstats.insert(cmd.to_ascii_lowercase(), stat);
        } else if let Some(err) = key.strip_prefix("errorstat_") {
            let count = pairs(value)
                .find(|(k, _)| *k == "count")
                .map_or(0, |(_, v)| int(v));
            info.errorstats.insert(err.to_string(), count);
        } else if key.starts_with("latency_percentiles_usec_") {
            // Per-command latency percentiles: not used by checks yet.
        } else if is_numbered(key, "db") && section == "keyspace" {
            let mut db = KeyspaceDb::default();
            for (k, v) in pairs(value) {
                match k {
                    "keys" => db.keys = int(v),
                    "expires" => db.expires = int(v),
                    "avg_ttl" => db.avg_ttl = int(v),
                    _ => {}
                }
            }
            info.keyspace.insert(key.to_string(), db);
        } else if is_numbered(key, "slave") && value.contains('=') {
            let mut r = ReplicaInfo::default();
            for (k, v) in pairs(value) {
                match k {
                    "ip" => r.ip = v.to_string(),
                    "port" => r.port = int(v),
                    "state" => r.state = v.to_string(),
                    "offset" => r.offset = int(v),
                    "lag" => r.lag = int(v),
                    _ => {}
                }
            }
            info.replicas.push(r);
        } else {
            info.fields.insert(key.to_string(), InfoValue::parse(value));
            info.sections.insert(key.to_string(), section.clone());
        }
    }
    info
}

fn is_numbered(key: &str, prefix: &str) -> bool {
    key.strip_prefix(prefix)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:3600\r\n\r\n# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmem_fragmentation_ratio:1.52\r\nmaxmemory_policy:noeviction\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:1\r\nslave0:ip=10.0.0.2,port=6380,state=online,offset=1234,lag=3\r\nmaster_replid:abc\r\n\r\n# Commandstats\r\ncmdstat_get:calls=10,usec=20,usec_per_call=2.00,rejected_calls=1,failed_calls=2\r\ncmdstat_config|get:calls=3,usec=9,usec_per_call=3.00,rejected_calls=0,failed_calls=0\r\n\r\n# Errorstats\r\nerrorstat_OOM:count=7\r\nerrorstat_NOPERM:count=2\r\n\r\n# Keyspace\r\ndb0:keys=100,expires=40,avg_ttl=5000\r\ndb12:keys=1,expires=0,avg_ttl=0\r\n";

    #[test]
    fn parses_scalars_with_types() {
        let info = parse(SAMPLE);
        assert_eq!(
            info.get("redis_version"),
            Some(&InfoValue::Text("7.0.15".into()))
        );
        assert_eq!(info.get("uptime_in_seconds"), Some(&InfoValue::Int(3600)));
        assert_eq!(
            info.get("mem_fragmentation_ratio"),
            Some(&InfoValue::Float(1.52))
        );
        assert_eq!(info.str("maxmemory_policy"), Some("noeviction"));
        assert_eq!(info.str("used_memory_human"), Some("1.00M"));
        assert_eq!(info.sections["used_memory"], "memory");
    }

    #[test]
    fn parses_structured_lines() {
        let info = parse(SAMPLE);
        assert_eq!(
            info.keyspace["db0"],
            KeyspaceDb {
                keys: 100,
                expires: 40,
                avg_ttl: 5000
            }
        );
        assert_eq!(info.keyspace["db12"].keys, 1);
        assert_eq!(info.commandstats["get"].calls, 10);
        assert_eq!(info.commandstats["get"].failed_calls, 2);
        assert_eq!(info.commandstats["config|get"].usec_per_call, 3.0);
        assert_eq!(info.errorstats["OOM"], 7);
        assert_eq!(info.replicas.len(), 1);
        assert_eq!(info.replicas[0].ip, "10.0.0.2");
        assert_eq!(info.replicas[0].lag, 3);
        assert!(!info.fields.contains_key("slave0"));
        assert!(!info.fields.contains_key("db0"));
    }

    #[test]
    fn words_that_look_like_floats_stay_text() {
        let info = parse("a:inf\nb:nan\nc:-3\nd:1e3\ne:\n");
        assert_eq!(info.get("a"), Some(&InfoValue::Text("inf".into())));
        assert_eq!(info.get("b"), Some(&InfoValue::Text("nan".into())));
        assert_eq!(info.get("c"), Some(&InfoValue::Int(-3)));
        assert_eq!(info.get("d"), Some(&InfoValue::Float(1000.0)));
        assert_eq!(info.get("e"), Some(&InfoValue::Text(String::new())));
    }

    #[test]
    fn garbage_lines_are_skipped() {
        let info = parse("no colon here\n:novalue\n# Weird\nok:1\n");
        assert_eq!(info.fields.len(), 1);
        assert_eq!(info.get("ok"), Some(&InfoValue::Int(1)));
    }
}
