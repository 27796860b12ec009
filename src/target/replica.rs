//! A dump taken from a live server through the replication handshake, as
//! `redis-cli --rdb` takes it, and read as it arrives (`memory
//! --rdb-from`): never written to disk here, held a few chunks at a time.
//!
//! The handshake: AUTH, `REPLCONF capa eof` (a diskless primary may then
//! stream the dump without a length, between two 40-byte marks),
//! `REPLCONF rdb-only 1` (Redis 7 and later: no replication stream after
//! the dump), `SYNC`. The server answers with newlines while it forks and
//! writes, then `$<length>` or `$EOF:<mark>`, then the dump.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::timeout;

use super::connect::{connect, CommandFailureKind, ConnectFailure, RawFeed};
use super::{TargetSpec, Timeouts};
use crate::redis::info;

/// The longest the server may be silent while it makes and sends the dump
/// (it sends a newline a second while it writes one to disk).
const IDLE: Duration = Duration::from_secs(60);
/// Chunks read ahead of the parser: at most this many of `CHUNK` bytes.
pub const AHEAD: usize = 16;
pub const CHUNK: usize = 64 << 10;

/// What the server told before its dump.
pub struct Before {
    /// INFO's `mem_allocator`, for the estimate.
    pub allocator: Option<String>,
    pub role: String,
}

/// Why the dump was not asked for.
#[derive(Debug)]
pub enum NotBefore {
    /// No connection (the caller judges it: `engine::cannot_connect`).
    Connect(ConnectFailure),
    /// Connected, then INFO had no answer in time or the connection fell.
    Unreachable(String),
    /// It answered, and said no: INFO refused, or a primary not allowed.
    Refused(String),
}

/// A dump arriving: its bytes in chunks (a few ahead of the reader at
/// most), and its length where the server said it (a disk-based dump; a
/// diskless one has none).
pub struct Arriving {
    pub chunks: mpsc::Receiver<std::io::Result<Vec<u8>>>,
    pub size: Option<u64>,
}

/// Asks the server its role and allocator; refuses a primary unless
/// `allow_primary`, saying why.
pub async fn before(
    spec: &TargetSpec,
    timeouts: &Timeouts,
    allow_primary: bool,
) -> Result<Before, NotBefore> {
    let session = connect(spec, timeouts).await.map_err(NotBefore::Connect)?;
    let text: String = session.query(&redis::cmd("INFO")).await.map_err(|f| {
        let why = format!("INFO failed on {}: {}", spec.addr, f.detail);
        match f.kind {
            CommandFailureKind::Timeout | CommandFailureKind::ConnectionLost => {
                NotBefore::Unreachable(why)
            }
            _ => NotBefore::Refused(why),
        }
    })?;
    let fields = info::parse(&text);
    let role = fields.str("role").unwrap_or_default().to_string();
    if role == "master" && !allow_primary {
        return Err(NotBefore::Refused(format!(
            "{} is a primary (role:master): to send a dump it forks and writes its whole dataset, and under copy-on-write a busy, full primary's memory can double. Point --rdb-from at a replica, or add --allow-primary to take it from this node anyway",
            spec.addr
        )));
    }
    Ok(Before {
        allocator: fields.str("mem_allocator").map(str::to_string),
        role,
    })
}

/// Starts the replication handshake on `runtime` and hands back the dump
/// as it arrives.
pub async fn sync(spec: &TargetSpec, timeouts: &Timeouts) -> Result<Arriving, String> {
    let mut feed = RawFeed::open(spec, timeouts).await?;
    let limit = timeouts.command;
    feed.command(
        "REPLCONF capa",
        redis::cmd("REPLCONF").arg("capa").arg("eof"),
        limit,
    )
    .await
    .map_err(|e| refused(&e))?;
    // Redis 7 and later only; without it the dump is followed by the
    // replication stream, which is not read.
    let _ = feed
        .command(
            "REPLCONF rdb-only",
            redis::cmd("REPLCONF").arg("rdb-only").arg("1"),
            limit,
        )
        .await;
    feed.send(&redis::cmd("SYNC"))
        .await
        .map_err(|e| format!("SYNC could not be sent: {e}"))?;
    let head = loop {
        match timeout(IDLE, feed.line(256)).await {
            Ok(Ok(Some(line))) if line.is_empty() => {}
            Ok(Ok(Some(line))) => break line,
            Ok(Ok(None)) => return Err(refused("the server closed the connection")),
            Ok(Err(e)) => return Err(refused(&e.to_string())),
            Err(_) => {
                return Err(format!(
                    "the server sent nothing for {} s after SYNC (is it writing a dump that large, or stuck?)",
                    IDLE.as_secs()
                ))
            }
        }
    };
    let head = String::from_utf8_lossy(&head).into_owned();
    let size = if let Some(mark) = head.strip_prefix("$EOF:") {
        if mark.len() != 40 {
            return Err(format!(
                "a diskless dump's mark of {} bytes, not 40",
                mark.len()
            ));
        }
        None
    } else if let Some(n) = head.strip_prefix('$') {
        Some(
            n.parse::<u64>()
                .map_err(|_| format!("the server's dump length `{n}` is not a number"))?,
        )
    } else {
        let why = head.strip_prefix('-').unwrap_or(&head);
        return Err(refused(&crate::secret::scrub(&crate::text::clean(why))));
    };
    let (tx, rx) = mpsc::channel(AHEAD);
    tokio::spawn(pump(feed, size, tx));
    Ok(Arriving { chunks: rx, size })
}

/// Why the handshake failed, and what to do instead.
fn refused(why: &str) -> String {
    format!(
        "the server refused the replication handshake ({why}). Managed services (ElastiCache, MemoryDB, Memorystore, Azure Cache) do not let a client replicate: export a backup (an RDB snapshot to S3 or Cloud Storage) and read it with --rdb FILE; on a server of your own, the ACL user needs +sync and +replconf"
    )
}

/// Reads the dump's bytes into the channel until its length, the end of
/// the stream, an error, or the reader gone.
async fn pump(mut feed: RawFeed, size: Option<u64>, tx: mpsc::Sender<std::io::Result<Vec<u8>>>) {
    let mut left = size.unwrap_or(u64::MAX);
    while left > 0 {
        let mut buf = vec![0; CHUNK.min(left.try_into().unwrap_or(CHUNK))];
        let n = match timeout(IDLE, feed.read_some(&mut buf)).await {
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => n,
            Ok(Err(e)) => {
                let _ = tx.send(Err(e)).await;
                return;
            }
            Err(_) => {
                let _ = tx
                    .send(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("the server sent nothing for {} s", IDLE.as_secs()),
                    )))
                    .await;
                return;
            }
        };
        buf.truncate(n);
        left -= n as u64;
        if tx.send(Ok(buf)).await.is_err() {
            return;
        }
    }
}
