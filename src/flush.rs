//! Emptying exactly what was meant: the keys that match (SCAN MATCH and
//! TYPE, and `--no-ttl` / `--idle` checked per key) are listed first; the
//! run then unlinks exactly those, in pipelined batches, and a key written
//! during the run is not touched.

use std::time::{Duration, Instant};

use redis::Value;

use crate::redis::reply;
use crate::target::connect::{CommandFailure, Session};

/// Which keys.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub pattern: Option<String>,
    pub kind: Option<String>,
    /// Only keys without a TTL.
    pub no_ttl: bool,
    /// Only keys not read or written for this long (OBJECT IDLETIME).
    pub idle: Option<Duration>,
    /// Also sum their MEMORY USAGE.
    pub bytes: bool,
}

/// The keys a selection matched when the run started.
#[derive(Debug, Default)]
pub struct Matched {
    pub keys: Vec<Vec<u8>>,
    pub bytes: u64,
}

/// Keys SCAN visits per call: large enough that a million-key scan is a
/// few hundred round trips, small enough that no call reaches the slow log.
const SCAN_COUNT: u64 = 5000;

/// Lists the keys the selection matches now.
pub async fn select(session: &Session, sel: &Selection) -> Result<Matched, CommandFailure> {
    let mut matched = Matched::default();
    let mut cursor = 0;
    loop {
        let (next, keys) = crate::scan::page(
            session,
            cursor,
            SCAN_COUNT,
            sel.pattern.as_deref(),
            sel.kind.as_deref(),
        )
        .await?;
        // Without a per-key filter, SCAN MATCH/TYPE is the whole answer.
        if !(sel.no_ttl || sel.idle.is_some() || sel.bytes) {
            matched.keys.extend(keys);
        } else if !keys.is_empty() {
            let mut pipe = redis::pipe();
            for k in &keys {
                pipe.cmd("PTTL").arg(k.as_slice());
                pipe.cmd("OBJECT").arg("IDLETIME").arg(k.as_slice());
                if sel.bytes {
                    pipe.cmd("MEMORY").arg("USAGE").arg(k.as_slice());
                }
            }
            let step = if sel.bytes { 3 } else { 2 };
            let replies: Vec<Value> = session.query_pipeline(&pipe).await?;
            for (k, r) in keys.into_iter().zip(replies.chunks(step)) {
                let pttl = reply::int(&r[0]).unwrap_or(-2);
                if pttl == -2 {
                    continue; // gone since SCAN
                }
                if sel.no_ttl && pttl != -1 {
                    continue;
                }
                if let Some(idle) = sel.idle {
                    let secs = reply::int(&r[1]).unwrap_or(0);
                    if secs < idle.as_secs() as i64 {
                        continue;
                    }
                }
                if sel.bytes {
                    matched.bytes += reply::int(&r[2]).unwrap_or(0).max(0) as u64;
                }
                matched.keys.push(k);
            }
        }
        cursor = next;
        if cursor == 0 {
            return Ok(matched);
        }
    }
}

/// Keys in database `db`, or in every database: INFO keyspace, read the
/// same way before and after a FLUSHDB/FLUSHALL.
pub async fn keys_in(session: &Session, db: Option<i64>) -> Result<u64, CommandFailure> {
    let info: String = session.query(redis::cmd("INFO").arg("keyspace")).await?;
    Ok(count_keys(&info, db))
}

/// Sums `keys=` of the `dbN:` lines of INFO keyspace (only `db` when given).
fn count_keys(info: &str, db: Option<i64>) -> u64 {
    info.lines()
        .filter_map(|l| l.trim().strip_prefix("db")?.split_once(':'))
        .filter(|(n, _)| db.is_none_or(|d| n.parse() == Ok(d)))
        .filter_map(|(_, fields)| {
            fields
                .split(',')
                .find_map(|f| f.strip_prefix("keys="))?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

/// Keys per UNLINK given `--batch` and `--rate` (a tenth of the rate, so
/// pacing is smooth).
pub fn batch_size(batch: u64, rate: Option<u64>) -> usize {
    rate.map_or(batch, |r| (r / 10).clamp(1, batch)) as usize
}

/// One command over `keys`: a multi-key command (UNLINK, EXISTS) when the
/// keys may be given together, or one command a key in a Cluster, where
/// keys of several slots in one command are refused (CROSSSLOT).
pub fn per_keys(pipe: &mut redis::Pipeline, command: &str, keys: &[Vec<u8>], one_by_one: bool) {
    if one_by_one {
        for k in keys {
            pipe.cmd(command).arg(k.as_slice());
        }
    } else {
        let cmd = pipe.cmd(command);
        for k in keys {
            cmd.arg(k.as_slice());
        }
    }
}

/// The sum of a pipeline's integer replies (keys deleted, keys existing).
pub fn sum(replies: &[Value]) -> u64 {
    replies
        .iter()
        .map(|r| reply::int(r).unwrap_or(0).max(0) as u64)
        .sum()
}

/// Counts which of `keys` still exist (for the re-check after a run): EXISTS
/// of 1,000 keys each (one a key in a Cluster), pipelined.
pub async fn still_there(
    session: &Session,
    keys: &[Vec<u8>],
    one_by_one: bool,
) -> Result<u64, CommandFailure> {
    let mut left = 0;
    for group in keys.chunks(1000 * 50) {
        let mut pipe = redis::pipe();
        for chunk in group.chunks(1000) {
            per_keys(&mut pipe, "EXISTS", chunk, one_by_one);
        }
        let replies: Vec<Value> = session.query_pipeline(&pipe).await?;
        left += sum(&replies);
    }
    Ok(left)
}

/// Paces batches to at most `rate` keys a second from `started`.
pub async fn pace(rate: Option<u64>, done: u64, started: Instant) {
    if let Some(rate) = rate.filter(|r| *r > 0) {
        let due = Duration::from_secs_f64(done as f64 / rate as f64);
        tokio::time::sleep(due.saturating_sub(started.elapsed())).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyspace_counts_one_database_or_all() {
        let info =
            "# Keyspace\r\ndb0:keys=12,expires=1,avg_ttl=0\r\ndb3:keys=5,expires=0,avg_ttl=0\r\n";
        assert_eq!(count_keys(info, None), 17);
        assert_eq!(count_keys(info, Some(3)), 5);
        assert_eq!(count_keys(info, Some(1)), 0);
        assert_eq!(count_keys("# Keyspace\r\n", None), 0);
    }
}
