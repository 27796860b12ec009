//! Parser for LATENCY LATEST: `[event, unix time, latest ms, max ms]` per event.

use redis::Value;
use serde::Serialize;

use super::reply;

/// One latency monitor event class.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LatencyEvent {
    /// `command`, `fast-command`, `fork`, `aof-fsync-always`, `expire-cycle`, ...
    pub event: String,
    pub timestamp: i64,
    pub latest_ms: i64,
    pub max_ms: i64,
}

pub fn parse(reply: &Value) -> Vec<LatencyEvent> {
    let Value::Array(events) = reply else {
        return Vec::new();
    };
    events
        .iter()
        .filter_map(|e| {
            let Value::Array(f) = e else { return None };
            let int = |i: usize| reply::int(f.get(i)?);
            let event = match f.first()? {
                Value::Int(_) => return None,
                other => reply::text(other)?,
            };
            Some(LatencyEvent {
                event,
                timestamp: int(1)?,
                latest_ms: int(2)?,
                max_ms: int(3)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_events() {
        let reply = Value::Array(vec![Value::Array(vec![
            Value::BulkString(b"command".to_vec()),
            Value::Int(1_795_333_291),
            Value::Int(20),
            Value::Int(250),
        ])]);
        let events = parse(&reply);
        assert_eq!(
            events,
            vec![LatencyEvent {
                event: "command".into(),
                timestamp: 1_795_333_291,
                latest_ms: 20,
                max_ms: 250
            }]
        );
        assert!(parse(&Value::Array(vec![Value::Int(3)])).is_empty());
    }
}
