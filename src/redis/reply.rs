//! Reading scalar values out of RESP replies, the same way for every parser.

use redis::Value;

/// A bulk, simple or verbatim string (or an integer) as text.
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

/// An integer, or a string holding one.
pub fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        other => text(other)?.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_scalars() {
        assert_eq!(
            text(&Value::BulkString(b"abc".to_vec())).as_deref(),
            Some("abc")
        );
        assert_eq!(text(&Value::Int(7)).as_deref(), Some("7"));
        assert_eq!(text(&Value::Nil), None);
        assert_eq!(int(&Value::BulkString(b"42".to_vec())), Some(42));
        assert_eq!(int(&Value::BulkString(b"x".to_vec())), None);
    }
}
