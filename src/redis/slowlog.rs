//! Parser for SLOWLOG GET replies: an array of entries
//! `[id, unix time, duration µs, [args...], client addr, client name]`
//! (the last two since Redis 4).

use redis::Value;
use serde::Serialize;

use super::reply::{int, text};

/// Arguments kept per entry, and characters kept per argument: enough to
/// recognise the command, never a whole value.
const MAX_ARGS: usize = 6;
const MAX_ARG_CHARS: usize = 64;

/// Commands whose arguments may carry secrets: only the name is kept.
const SECRET_BEARING: &[&str] = &["auth", "hello", "migrate", "acl", "config", "masterauth"];

/// One slow log entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SlowlogEntry {
    pub id: i64,
    pub timestamp: i64,
    /// Execution time, microseconds.
    pub duration_us: i64,
    /// Lower-case command name (`keys`, `debug`, `flushall`, ...).
    pub command: String,
    /// The first arguments after the command, truncated.
    pub args: Vec<String>,
    pub client_addr: String,
    pub client_name: String,
}

/// Parses a SLOWLOG GET reply; entries of an unexpected shape are skipped.
pub fn parse(reply: &Value) -> Vec<SlowlogEntry> {
    let Value::Array(entries) = reply else {
        return Vec::new();
    };
    entries.iter().filter_map(parse_entry).collect()
}

fn truncate(s: &str) -> String {
    if s.chars().count() > MAX_ARG_CHARS {
        let cut: String = s.chars().take(MAX_ARG_CHARS).collect();
        format!("{cut}…")
    } else {
        s.to_string()
    }
}

fn parse_entry(v: &Value) -> Option<SlowlogEntry> {
    let Value::Array(fields) = v else {
        return None;
    };
    if fields.len() < 4 {
        return None;
    }
    let Value::Array(argv) = &fields[3] else {
        return None;
    };
    let mut argv = argv.iter().filter_map(text);
    let command = argv.next().unwrap_or_default().to_ascii_lowercase();
    let args = if SECRET_BEARING.contains(&command.as_str()) {
        Vec::new()
    } else {
        argv.take(MAX_ARGS).map(|a| truncate(&a)).collect()
    };
    Some(SlowlogEntry {
        id: int(&fields[0])?,
        timestamp: int(&fields[1])?,
        duration_us: int(&fields[2])?,
        command,
        args,
        client_addr: fields.get(4).and_then(text).unwrap_or_default(),
        client_name: fields.get(5).and_then(text).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn parses_entries() {
        let reply = Value::Array(vec![
            Value::Array(vec![
                Value::Int(7),
                Value::Int(1_700_000_000),
                Value::Int(250_000),
                Value::Array(vec![bulk("KEYS"), bulk("*")]),
                bulk("127.0.0.1:5000"),
                bulk("worker"),
            ]),
            Value::Array(vec![
                Value::Int(6),
                Value::Int(1_699_999_999),
                Value::Int(20_000),
                Value::Array(vec![bulk("debug"), bulk("sleep"), bulk("0.02")]),
            ]),
        ]);
        let entries = parse(&reply);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].id, 7);
        assert_eq!(entries[0].duration_us, 250_000);
        assert_eq!(entries[0].command, "keys");
        assert_eq!(entries[0].args, vec!["*"]);
        assert_eq!(entries[0].client_name, "worker");
        assert_eq!(entries[1].command, "debug");
        assert_eq!(entries[1].client_addr, "");
    }

    #[test]
    fn hides_arguments_of_secret_bearing_commands_and_truncates() {
        let long = "x".repeat(200);
        let reply = Value::Array(vec![
            Value::Array(vec![
                Value::Int(1),
                Value::Int(1),
                Value::Int(1),
                Value::Array(vec![
                    bulk("CONFIG"),
                    bulk("SET"),
                    bulk("requirepass"),
                    bulk("pw"),
                ]),
            ]),
            Value::Array(vec![
                Value::Int(2),
                Value::Int(1),
                Value::Int(1),
                Value::Array(vec![bulk("SET"), bulk(&long)]),
            ]),
        ]);
        let entries = parse(&reply);
        assert!(entries[0].args.is_empty());
        assert_eq!(entries[1].args[0].chars().count(), MAX_ARG_CHARS + 1);
    }

    #[test]
    fn skips_malformed_entries() {
        let reply = Value::Array(vec![Value::Int(1), Value::Array(vec![Value::Int(1)])]);
        assert!(parse(&reply).is_empty());
        assert!(parse(&Value::Nil).is_empty());
    }
}
