//! Emptying exactly what was meant: the keys that match (SCAN MATCH and
//! TYPE, and `--no-ttl` / `--idle` checked per key) are listed first; the
//! run then unlinks exactly those, in pipelined batches, and a key written
//! during the run is not touched.

pub mod keys;
pub mod run;
pub mod stream;

use std::time::{Duration, Instant};

use redis::Value;

use crate::redis::reply;
use crate::target::connect::{CommandFailure, CommandFailureKind, Session};
use keys::KeyList;

/// Which keys.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub pattern: Option<String>,
    pub kind: Option<crate::scan::KeyType>,
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
    pub keys: KeyList,
    pub bytes: u64,
    /// Why the scan stopped before the end (Ctrl-C, the deadline, a scan
    /// that never ends): the list is then not every key that matches.
    pub stopped: Option<String>,
}

/// Keys SCAN visits per call: large enough that a million-key scan is a
/// few hundred round trips, small enough that no call reaches the slow log.
pub const SCAN_COUNT: u64 = 5000;

/// One page of a selection's scan: the cursor after it, the keys of it
/// that match now, and their MEMORY USAGE summed when asked.
#[derive(Debug, Default)]
pub struct Page {
    pub next: u64,
    pub keys: Vec<Vec<u8>>,
    pub bytes: u64,
}

/// One SCAN of the selection from `cursor`, with its per-key filter
/// (`--no-ttl`, `--idle`) and bytes asked in one pipeline.
pub async fn select_page(
    session: &Session,
    sel: &Selection,
    cursor: u64,
) -> Result<Page, CommandFailure> {
    let (next, keys) = crate::scan::page(
        session,
        cursor,
        SCAN_COUNT,
        sel.pattern.as_deref(),
        sel.kind,
    )
    .await?;
    let mut page = Page {
        next,
        ..Page::default()
    };
    // Without a per-key filter, SCAN MATCH/TYPE is the whole answer.
    if !(sel.no_ttl || sel.idle.is_some() || sel.bytes) || keys.is_empty() {
        page.keys = keys;
        return Ok(page);
    }
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
    // One refusal is enough to say (not one per key).
    if let Some(e) = replies.iter().find_map(|v| match v {
        Value::ServerError(e) => Some(e),
        _ => None,
    }) {
        return Err(CommandFailure {
            kind: CommandFailureKind::Error,
            detail: crate::secret::scrub(&format!(
                "{} {}",
                e.code(),
                e.details().unwrap_or_default()
            )),
        });
    }
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
            page.bytes += reply::int(&r[2]).unwrap_or(0).max(0) as u64;
        }
        page.keys.push(k);
    }
    Ok(page)
}

/// A server whose SCAN returns more than ten times its DBSIZE without
/// ending is taken for one that never ends: what a scan may visit.
pub fn visit_limit(dbsize: u64) -> u64 {
    dbsize.max(1000).saturating_mul(10)
}

/// Why a scan that went past `visit_limit` stopped.
pub fn endless(visited: u64, size: u64) -> String {
    format!(
        "SCAN returned {visited} keys without ending, more than 10 times the {size} keys DBSIZE counts: the server's scan does not end"
    )
}

/// Lists the keys the selection matches now, until the end of the scan or
/// until `stop` says why not (asked between pages).
pub async fn select(
    session: &Session,
    sel: &Selection,
    stop: &(dyn Fn() -> Option<String> + Send + Sync),
) -> Result<Matched, CommandFailure> {
    let mut matched = Matched::default();
    let mut cursor = 0;
    let size = crate::scan::dbsize(session).await;
    let limit = visit_limit(size);
    let mut visited = 0u64;
    let spill = |e: std::io::Error| CommandFailure {
        kind: CommandFailureKind::Error,
        detail: format!("cannot keep the matched keys on disk: {e}"),
    };
    loop {
        if let Some(why) = stop() {
            matched.stopped = Some(why);
            return Ok(matched);
        }
        let page = select_page(session, sel, cursor).await?;
        visited += (page.keys.len() as u64).max(1);
        if visited > limit {
            matched.stopped = Some(endless(visited, size));
            return Ok(matched);
        }
        matched.bytes += page.bytes;
        for k in page.keys {
            matched.keys.push(k).map_err(spill)?;
        }
        cursor = page.next;
        if cursor == 0 {
            return Ok(matched);
        }
    }
}

/// Unlinks the keys given that still match the filter when it runs, each
/// checked and unlinked in one step (a script runs alone on the server):
/// a key given a TTL, rewritten as another type or used since the preview
/// is left alone and counted. KEYS are the keys; ARGV the type ('' for
/// any), '1' to require no TTL, and the least idle seconds (-1 for any).
/// Returns {unlinked, stopped matching}.
pub const RECHECK_SCRIPT: &str = "\
local want, no_ttl, idle = ARGV[1], ARGV[2] == '1', tonumber(ARGV[3])
local unlinked, changed = 0, 0
for _, k in ipairs(KEYS) do
  if redis.call('EXISTS', k) == 1 then
    local ok = true
    if idle >= 0 then ok = redis.call('OBJECT', 'IDLETIME', k) >= idle end
    if ok and want ~= '' then ok = redis.call('TYPE', k)['ok'] == want end
    if ok and no_ttl then ok = redis.call('PTTL', k) == -1 end
    if ok then unlinked = unlinked + redis.call('UNLINK', k) else changed = changed + 1 end
  end
end
return {unlinked, changed}
";

impl Selection {
    /// What a resume file of this selection is about (a file of another
    /// is refused).
    pub fn scope(&self, db: i64) -> String {
        let mut s = format!(
            "db {db}, keys matching {}",
            self.pattern.as_deref().unwrap_or("*")
        );
        if let Some(t) = self.kind {
            s.push_str(&format!(", type {}", t.as_str()));
        }
        if self.no_ttl {
            s.push_str(", without TTL");
        }
        if let Some(idle) = self.idle {
            s.push_str(&format!(", idle {}s", idle.as_secs()));
        }
        s
    }

    /// Whether a key can stop matching between the scan and the delete
    /// (its type, TTL or idle time can change; its name cannot): then each
    /// delete rechecks the filter (`RECHECK_SCRIPT`).
    pub fn rechecks(&self) -> bool {
        self.kind.is_some() || self.no_ttl || self.idle.is_some()
    }

    /// The script's ARGV for this filter.
    fn recheck_args(&self) -> [String; 3] {
        [
            self.kind
                .map(super::scan::KeyType::as_str)
                .unwrap_or_default()
                .to_string(),
            if self.no_ttl { "1" } else { "0" }.to_string(),
            self.idle
                .map_or_else(|| "-1".to_string(), |d| d.as_secs().to_string()),
        ]
    }

    /// The commands one delete of `key` sends, for the consent and the
    /// preflight: UNLINK, and the script that runs it when rechecking.
    pub fn delete_commands(&self, key: &str) -> Vec<Vec<String>> {
        let unlink = vec!["UNLINK".to_string(), key.to_string()];
        if !self.rechecks() {
            return vec![unlink];
        }
        let mut eval = vec![
            "EVAL".to_string(),
            RECHECK_SCRIPT.to_string(),
            "1".to_string(),
            key.to_string(),
        ];
        eval.extend(self.recheck_args());
        vec![eval, unlink]
    }

    /// Appends the deletion of `keys` to `pipe`: UNLINK, or the recheck
    /// script (one key a call in a Cluster, whose scripts take keys of one
    /// slot).
    pub fn delete(&self, pipe: &mut redis::Pipeline, keys: &[Vec<u8>], one_by_one: bool) {
        if !self.rechecks() {
            per_keys(pipe, "UNLINK", keys, one_by_one);
            return;
        }
        let args = self.recheck_args();
        let groups: Vec<&[Vec<u8>]> = if one_by_one {
            keys.chunks(1).collect()
        } else {
            vec![keys]
        };
        for group in groups {
            let cmd = pipe.cmd("EVAL").arg(RECHECK_SCRIPT).arg(group.len());
            for k in group {
                cmd.arg(k.as_slice());
            }
            for a in &args {
                cmd.arg(a);
            }
        }
    }
}

/// What a batch of deletes did: keys unlinked, and keys that stopped
/// matching the filter before their turn (left alone).
pub fn deleted(replies: &[Value]) -> (u64, u64) {
    let mut out = (0, 0);
    for r in replies {
        match r {
            Value::Array(pair) => {
                out.0 += pair.first().and_then(reply::int).unwrap_or(0).max(0) as u64;
                out.1 += pair.get(1).and_then(reply::int).unwrap_or(0).max(0) as u64;
            }
            other => out.0 += reply::int(other).unwrap_or(0).max(0) as u64,
        }
    }
    out
}

/// Keys in the session's database (DBSIZE: what it holds, whatever INFO
/// says or may not say), or with `all`, in every database (INFO keyspace).
pub async fn keys_in(session: &Session, all: bool) -> Result<u64, CommandFailure> {
    if !all {
        let n: i64 = session.query(&redis::cmd("DBSIZE")).await?;
        return Ok(n.max(0) as u64);
    }
    let info: String = session.query(redis::cmd("INFO").arg("keyspace")).await?;
    Ok(count_keys(&info))
}

/// Sums `keys=` of the `dbN:` lines of INFO keyspace.
fn count_keys(info: &str) -> u64 {
    info.lines()
        .filter_map(|l| l.trim().strip_prefix("db")?.split_once(':'))
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
/// of 1,000 keys each (one a key in a Cluster), 50 at a time pipelined.
pub async fn still_there(
    session: &Session,
    keys: &mut KeyList,
    one_by_one: bool,
) -> Result<u64, CommandFailure> {
    let mut left = 0;
    let read = |e: std::io::Error| CommandFailure {
        kind: CommandFailureKind::Error,
        detail: format!("cannot read the matched keys back: {e}"),
    };
    for group in keys.batches(1000 * 50).map_err(read)? {
        let group = group.map_err(read)?;
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
    fn keyspace_counts_every_database() {
        let info =
            "# Keyspace\r\ndb0:keys=12,expires=1,avg_ttl=0\r\ndb3:keys=5,expires=0,avg_ttl=0\r\n";
        assert_eq!(count_keys(info), 17);
        assert_eq!(count_keys("# Keyspace\r\n"), 0);
    }
}
