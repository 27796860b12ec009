//! Which server a node runs: Redis or Valkey, and its version. Reports name
//! it, and what a version lacks is said by name and version instead of
//! failing ("ACL DRYRUN needs Redis 7.0; this is Redis 6.2.5").

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerId {
    /// `redis` or `valkey`.
    pub flavour: &'static str,
    pub version: String,
}

/// `7.0.15` -> (7, 0, 15); missing parts are 0.
pub fn parse_version(text: &str) -> (u32, u32, u32) {
    let mut parts = text
        .trim()
        .split('.')
        .map(|p| p.trim().parse::<u32>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

impl ServerId {
    /// From INFO's fields: Valkey names itself in `server_name` and
    /// `valkey_version` (its `redis_version` is the Redis it is compatible with).
    pub fn from_info(info: &serde_json::Value) -> Option<ServerId> {
        let text = |f: &str| info.get(f).and_then(|v| v.as_str()).map(str::to_string);
        if let Some(v) = text("valkey_version") {
            return Some(ServerId {
                flavour: "valkey",
                version: v,
            });
        }
        text("redis_version").map(|v| ServerId {
            flavour: "redis",
            version: v,
        })
    }

    /// The Redis version whose commands it has: Valkey forked from Redis
    /// 7.2.4 and has everything up to it; what each went on to add since
    /// differs, so its own version number says nothing about Redis's.
    pub fn redis_compatible(&self) -> (u32, u32, u32) {
        match self.flavour {
            "valkey" => (7, 2, 4),
            _ => parse_version(&self.version),
        }
    }

    /// Whether it has what Redis `min` (`7.0`) introduced.
    pub fn has(&self, min: &str) -> bool {
        self.redis_compatible() >= parse_version(min)
    }
}

impl fmt::Display for ServerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.flavour == "valkey" {
            "Valkey"
        } else {
            "Redis"
        };
        write!(f, "{name} {}", self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redis_and_valkey_are_told_apart() {
        let redis = ServerId::from_info(&json!({"redis_version": "6.2.5"})).unwrap();
        assert_eq!(redis.to_string(), "Redis 6.2.5");
        assert!(!redis.has("7.0"));
        assert!(redis.has("6.2"));
        let valkey = ServerId::from_info(&json!({
            "redis_version": "7.2.4", "server_name": "valkey", "valkey_version": "9.1.2"
        }))
        .unwrap();
        assert_eq!(valkey.to_string(), "Valkey 9.1.2");
        assert!(valkey.has("7.0") && valkey.has("7.2"));
        assert!(!valkey.has("7.4"));
        assert!(ServerId::from_info(&json!({})).is_none());
    }
}
