//! The audit log: every mutating command cachectl sends, appended as one JSON
//! line before it runs and one with its result after. If the log cannot be
//! written, the command is not sent.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::Origin;
use crate::target::NodeAddr;

/// One line of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord<'a> {
    pub time: String,
    /// user@host of whoever ran cachectl.
    pub user: String,
    /// The target URL, password redacted.
    pub target: &'a str,
    pub node: &'a NodeAddr,
    /// What asked for the write: `diagnose --fix` with its finding and fix,
    /// or another command's operation.
    #[serde(flatten)]
    pub origin: &'a Origin,
    /// The operation's title.
    pub operation: &'a str,
    /// For a batch (keys flushed, clients killed): how many it covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// The command, with values that could be secret replaced by ***.
    pub command: String,
    /// The verbs the record covers (`SET`, `CONFIG SET`, `POST`): every
    /// command this write sends uses one of them.
    pub verbs: Vec<String>,
    /// `attempt` before sending; `ok` or `error` after.
    pub phase: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

/// Where the log is written.
#[derive(Debug, Clone)]
pub struct AuditLog {
    pub path: PathBuf,
}

impl AuditLog {
    /// `$XDG_STATE_HOME/cachectl/audit.jsonl`, else `~/.local/state/cachectl/audit.jsonl`.
    pub fn default_path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_STATE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| Path::new(&h).join(".local/state"))
            })?;
        Some(base.join("cachectl").join("audit.jsonl"))
    }

    /// Appends one record, flushed to disk before returning: the
    /// write-ahead record, before anything is sent.
    pub fn append(&self, record: &AuditRecord<'_>) -> Result<(), String> {
        self.write(record, true)
    }

    /// Appends a result record (ok, error) without waiting for the disk:
    /// the next write-ahead record's flush takes it there (one flush per
    /// write, not two), or the system's writeback does.
    pub fn append_result(&self, record: &AuditRecord<'_>) -> Result<(), String> {
        self.write(record, false)
    }

    fn write(&self, record: &AuditRecord<'_>, durable: bool) -> Result<(), String> {
        let fail =
            |e: std::io::Error| format!("cannot write the audit log {}: {e}", self.path.display());
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        // The log says who changed what where: only its owner reads it,
        // whatever the umask.
        if let Some(dir) = self.path.parent() {
            if !dir.as_os_str().is_empty() && !dir.exists() {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(fail)?;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                    .map_err(fail)?;
            }
        }
        let line = serde_json::to_string(record).map_err(|e| e.to_string())? + "\n";
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&self.path)
            .map_err(fail)?;
        let mode = file.metadata().map_err(fail)?.permissions().mode();
        if mode & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(fail)?;
        }
        file.write_all(line.as_bytes()).map_err(fail)?;
        if durable {
            file.sync_data().map_err(fail)?;
        }
        Ok(())
    }
}

/// `user@host` of this process.
pub fn who() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(user_from_uid)
        .unwrap_or_else(|| "unknown".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map_or_else(|_| "unknown".into(), |h| h.trim().to_string());
    format!("{user}@{host}")
}

/// The login name of this process's uid, from /proc and /etc/passwd.
fn user_from_uid() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        let _ = f.next();
        (f.next()? == uid).then(|| name.to_string())
    })
}

/// CONFIG parameters whose values are secrets.
const SECRET_PARAMS: &[&str] = &[
    "requirepass",
    "masterauth",
    "masteruser",
    "tls-key-file-pass",
    "tls-client-key-file-pass",
];

/// The command as logged: arguments that could be secret become ***.
pub fn elide(argv: &[String]) -> String {
    let word = |i: usize| {
        argv.get(i)
            .map(|a| a.to_ascii_lowercase())
            .unwrap_or_default()
    };
    let hidden = |i: usize, a: &str| match word(0).as_str() {
        "auth" | "hello" | "migrate" => i > 0,
        "acl" => {
            i > 2
                && (a.starts_with('>')
                    || a.starts_with('#')
                    || a.starts_with('<')
                    || a.starts_with('!'))
        }
        // CONFIG SET param value [param value ...]: values sit at odd indexes.
        "config" if word(1) == "set" => {
            i >= 3 && i % 2 == 1 && SECRET_PARAMS.contains(&word(i - 1).as_str())
        }
        _ => false,
    };
    argv.iter()
        .enumerate()
        .map(|(i, a)| {
            if hidden(i, a) {
                crate::secret::REDACTED.to_string()
            } else if a.is_empty() || a.contains(' ') {
                format!("\"{a}\"")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Now as RFC 3339 UTC (`2026-11-22T08:40:00.123Z`).
pub fn now_rfc3339() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(std::string::ToString::to_string).collect()
    }

    #[test]
    fn elides_secret_values() {
        assert_eq!(
            elide(&v(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"])),
            "CONFIG SET maxmemory-policy allkeys-lru"
        );
        assert_eq!(
            elide(&v(&["CONFIG", "SET", "requirepass", "hunter2"])),
            "CONFIG SET requirepass ***"
        );
        assert_eq!(elide(&v(&["AUTH", "user", "pw"])), "AUTH *** ***");
        assert_eq!(
            elide(&v(&["ACL", "SETUSER", "app", "on", ">pw", "+info"])),
            "ACL SETUSER app on *** +info"
        );
        assert_eq!(
            elide(&v(&["CONFIG", "SET", "save", ""])),
            "CONFIG SET save \"\""
        );
    }

    #[test]
    fn timestamps_are_rfc3339() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 24, "{t}");
        assert!(
            t.starts_with("20") && t.ends_with('Z') && &t[10..11] == "T",
            "{t}"
        );
    }

    #[test]
    fn append_writes_lines_and_fails_loudly() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog {
            path: dir.path().join("a/b/audit.jsonl"),
        };
        let node = NodeAddr::tcp("h", 1);
        let origin = Origin::command("flush", Some("session:*".into()));
        let rec = AuditRecord {
            time: now_rfc3339(),
            user: who(),
            target: "redis://h:1/0",
            node: &node,
            origin: &origin,
            operation: "unlink a batch",
            count: Some(500),
            command: "SLOWLOG RESET".into(),
            verbs: vec!["SLOWLOG RESET".into()],
            phase: "attempt",
            result: None,
        };
        log.append(&rec).unwrap();
        log.append(&rec).unwrap();
        let text = std::fs::read_to_string(&log.path).unwrap();
        assert_eq!(text.lines().count(), 2);
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&log.path), 0o600);
        assert_eq!(mode(log.path.parent().unwrap()), 0o700);
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["command"], "SLOWLOG RESET");
        assert_eq!(first["node"], "h:1");
        assert_eq!(first["origin"], "flush");
        assert_eq!(first["count"], 500);
        assert!(first.get("finding").is_none());
        assert_eq!(first["pattern"], "session:*");
        let bad = AuditLog {
            path: dir.path().join("a/b/audit.jsonl/nope"),
        };
        assert!(bad
            .append(&rec)
            .unwrap_err()
            .contains("cannot write the audit log"));
    }
}
