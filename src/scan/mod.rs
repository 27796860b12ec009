//! A keyspace scan: SCAN in batches, and for each batch one pipeline of
//! TYPE, MEMORY USAGE, PTTL and OBJECT ENCODING, then one of the element
//! counts of the collections. Gentle on the server (each command is small;
//! COUNT shrinks when a SCAN takes longer than the bound; an optional
//! keys-per-second rate), exact on what it scanned, bounded in memory
//! (see `tally`), and interruptible: Ctrl-C or the deadline ends it with
//! what was found so far, marked partial.

pub mod dump;
pub mod pattern;
pub mod resume;
pub mod tally;

use std::time::{Duration, Instant};

use redis::Value;

use crate::redis::reply;
use crate::target::connect::{CommandFailure, Session};
use tally::{BigKeys, KeyInfo, KeyspaceReport, Tally};

/// A key's type, as SCAN TYPE and TYPE name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    String,
    List,
    Hash,
    Set,
    Zset,
    Stream,
}

impl KeyType {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::String => "string",
            KeyType::List => "list",
            KeyType::Hash => "hash",
            KeyType::Set => "set",
            KeyType::Zset => "zset",
            KeyType::Stream => "stream",
        }
    }
}

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// SCAN MATCH.
    pub pattern: Option<String>,
    /// SCAN TYPE.
    pub kind: Option<KeyType>,
    /// Stop after this many keys and extrapolate.
    pub sample: Option<u64>,
    pub top: usize,
    /// Keys per second, at most.
    pub rate: Option<u64>,
    /// SCAN COUNT to start with, and the most it grows to.
    pub count: u64,
    /// What one SCAN may take; COUNT halves when it takes longer.
    pub max_command: Duration,
    pub max_patterns: usize,
    pub big: BigKeys,
    pub deadline: Instant,
    /// `--resume FILE`.
    pub resume: Option<std::path::PathBuf>,
    /// Ask OBJECT FREQ of every key (the server keeps it: an LFU policy).
    pub freq: bool,
}

impl ScanOptions {
    /// What a resume file of this scan is about: the database and the
    /// keys asked for (a file of another scope is refused).
    pub fn scope(&self, db: i64) -> String {
        let mut s = format!("db {db}");
        if let Some(p) = &self.pattern {
            s.push_str(&format!(", keys matching {p}"));
        }
        if let Some(t) = self.kind {
            s.push_str(&format!(", type {}", t.as_str()));
        }
        s
    }
}

/// Why a scan ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Interrupted,
    Deadline,
    /// The resume file could not be written.
    Unsaved,
}

/// What a scan tells its watcher as it goes.
pub trait Progress {
    fn total(&self, keys: u64);
    fn advance(&self, keys: u64);
    fn finish(&self);
}

/// No progress shown.
pub struct Quiet;

impl Progress for Quiet {
    fn total(&self, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

fn text(v: &Value) -> String {
    reply::text(v).unwrap_or_default()
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        other => reply::text(other)?.parse().ok(),
    }
}

/// The command that counts a collection's elements, by type.
fn count_command(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "list" => "LLEN",
        "hash" => "HLEN",
        "set" => "SCARD",
        "zset" => "ZCARD",
        "stream" => "XLEN",
        // Valkey 9.2's path hash: its paths.
        "path-hash" => "PHCARD",
        _ => return None,
    })
}

/// Looks up one batch of keys: two pipelines. A key gone since SCAN
/// (TYPE `none`, MEMORY USAGE nil) is counted as vanished and skipped.
/// OBJECT ENCODING is asked only of the keys `tally` still wants an
/// encoding sample for (a few per pattern).
async fn look_up(
    session: &Session,
    keys: &[Vec<u8>],
    wants_encoding: &[bool],
    freq: bool,
    offset: usize,
) -> Result<Looked, CommandFailure> {
    let mut pipe = redis::pipe();
    for (k, wants) in keys.iter().zip(wants_encoding) {
        pipe.cmd("TYPE").arg(k.as_slice());
        pipe.cmd("MEMORY").arg("USAGE").arg(k.as_slice());
        pipe.cmd("PTTL").arg(k.as_slice());
        if freq {
            pipe.cmd("OBJECT").arg("FREQ").arg(k.as_slice());
        }
        if *wants {
            pipe.cmd("OBJECT").arg("ENCODING").arg(k.as_slice());
        }
    }
    let mut vanished = 0;
    let replies: Vec<Value> = session.query_pipeline(&pipe).await?;
    let mut found: Vec<KeyInfo> = Vec::with_capacity(keys.len());
    let mut index = Vec::with_capacity(keys.len());
    let mut at = 0;
    for (i, (k, wants)) in keys.iter().zip(wants_encoding).enumerate() {
        let step = 3 + usize::from(freq) + usize::from(*wants);
        let Some(r) = replies.get(at..at + step) else {
            break;
        };
        at += step;
        let (kind, bytes, pttl) = (&r[0], &r[1], &r[2]);
        let hits = freq.then(|| int(&r[3])).flatten();
        let encoding = if *wants { &r[step - 1] } else { &Value::Nil };
        let kind = text(kind);
        let Some(bytes) = int(bytes).filter(|_| kind != "none") else {
            vanished += 1;
            continue;
        };
        let ttl = match int(pttl).unwrap_or(-1) {
            -2 => {
                vanished += 1;
                continue;
            }
            -1 => -1,
            ms => ms / 1000,
        };
        index.push(offset + i);
        found.push(KeyInfo {
            key: k.clone(),
            kind: kind.into(),
            encoding: text(encoding).into(),
            bytes: bytes.max(0) as u64,
            elements: 0,
            ttl,
            freq: hits.map(|f| f.max(0) as u64),
            idle: None,
        });
    }
    let mut counts = redis::pipe();
    let mut counted = Vec::new();
    for (i, k) in found.iter().enumerate() {
        if let Some(cmd) = count_command(&k.kind) {
            counts.cmd(cmd).arg(k.key.as_slice());
            counted.push(i);
        }
    }
    if !counted.is_empty() {
        // A key whose type changed since TYPE answers WRONGTYPE, which fails
        // the pipeline: then its elements stay unknown (0), nothing else.
        if let Ok(replies) = session.query_pipeline::<Vec<Value>>(&counts).await {
            for (i, r) in counted.iter().zip(replies) {
                found[*i].elements = int(&r).unwrap_or(0).max(0) as u64;
            }
        }
    }
    Ok(Looked {
        found,
        index,
        vanished,
    })
}

/// Keys per look-up task, and tasks in flight at once.
const CHUNK: usize = 250;
const WINDOW: usize = 24;

type Task = tokio::task::JoinHandle<Result<Looked, CommandFailure>>;

/// A look-up in flight, or the end of a SCAN page (the cursor after it).
enum Flight {
    Chunk(Task, Vec<Vec<u8>>),
    PageEnd(u64),
}

/// The look-ups in flight, oldest first; dropped (interrupted), they stop.
#[derive(Default)]
struct Inflight(std::collections::VecDeque<Flight>);

impl Inflight {
    /// Keys asked and not yet counted.
    fn keys(&self) -> u64 {
        self.0
            .iter()
            .map(|f| match f {
                Flight::Chunk(_, p) => p.len() as u64,
                Flight::PageEnd(_) => 0,
            })
            .sum()
    }

    fn chunks(&self) -> usize {
        self.0
            .iter()
            .filter(|f| matches!(f, Flight::Chunk(..)))
            .count()
    }
}

impl Drop for Inflight {
    fn drop(&mut self) {
        for f in &self.0 {
            if let Flight::Chunk(task, _) = f {
                task.abort();
            }
        }
    }
}

/// What one batch's look-up found.
struct Looked {
    found: Vec<KeyInfo>,
    /// Where each found key was in the batch given to `look_up_all`.
    index: Vec<usize>,
    vanished: u64,
}

/// Looks a SCAN's keys up in two pipelines at once, so that the server
/// works on one while cachectl reads the other, and adds them up.
pub async fn look_up_all(
    session: &Session,
    keys: &[Vec<u8>],
    tally: &mut Tally,
) -> Result<(), CommandFailure> {
    let patterns: Vec<Vec<u8>> = keys.iter().map(|k| pattern::of(k)).collect();
    let wants: Vec<bool> = patterns.iter().map(|p| tally.wants_encoding(p)).collect();
    let half = keys.len().div_ceil(2);
    let (a, b) = tokio::join!(
        look_up(session, &keys[..half], &wants[..half], false, 0),
        look_up(session, &keys[half..], &wants[half..], false, half)
    );
    for looked in [a?, b?] {
        tally.vanished += looked.vanished;
        for (k, i) in looked.found.iter().zip(looked.index) {
            tally.add_as(k, &patterns[i]);
        }
    }
    Ok(())
}

/// One SCAN: the next cursor and its keys.
async fn scan_once(
    session: &Session,
    cursor: u64,
    count: u64,
    opts: &ScanOptions,
) -> Result<(u64, Vec<Vec<u8>>), CommandFailure> {
    page(session, cursor, count, opts.pattern.as_deref(), opts.kind).await
}

/// Keys in the session's database (DBSIZE); 0 when it will not say (a
/// size only bounds or shows progress: it is never taken for a count).
pub async fn dbsize(session: &Session) -> u64 {
    session
        .query::<i64>(&redis::cmd("DBSIZE"))
        .await
        .unwrap_or(0)
        .max(0) as u64
}

/// One SCAN call, for every command that walks keys (memory --keys, flush,
/// warm --from): the next cursor (0 at the end) and the keys it returned.
pub async fn page(
    session: &Session,
    cursor: u64,
    count: u64,
    pattern: Option<&str>,
    kind: Option<KeyType>,
) -> Result<(u64, Vec<Vec<u8>>), CommandFailure> {
    let mut cmd = redis::cmd("SCAN");
    cmd.arg(cursor);
    if let Some(p) = pattern {
        cmd.arg("MATCH").arg(p);
    }
    cmd.arg("COUNT").arg(count);
    if let Some(t) = kind {
        cmd.arg("TYPE").arg(t.as_str());
    }
    let reply: Value = session.query(&cmd).await?;
    let malformed = || CommandFailure {
        kind: crate::target::connect::CommandFailureKind::Malformed,
        detail: "SCAN did not answer a cursor and a list of keys".into(),
    };
    let Value::Array(parts) = reply else {
        return Err(malformed());
    };
    let [next, keys] = parts.as_slice() else {
        return Err(malformed());
    };
    let next = reply::text(next)
        .and_then(|t| t.parse().ok())
        .ok_or_else(malformed)?;
    let keys = match keys {
        Value::Array(items) => items
            .iter()
            .filter_map(|k| match k {
                Value::BulkString(b) => Some(b.clone()),
                Value::SimpleString(s) => Some(s.as_bytes().to_vec()),
                _ => None,
            })
            .collect(),
        _ => return Err(malformed()),
    };
    Ok((next, keys))
}

/// Polls every future at once (one thread), their outputs in order.
pub(crate) async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, o) in futures.iter_mut().zip(out.iter_mut()) {
            if o.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *o = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

/// What the nodes of one scan share (one thread: a node's work borrows
/// them between its awaits).
struct Shared<'a> {
    opts: &'a ScanOptions,
    progress: &'a dyn Progress,
    tally: std::cell::RefCell<Tally>,
    sampled: std::cell::Cell<bool>,
    resume: std::cell::RefCell<Option<resume::Resume>>,
    /// A resume file that could not be written: the scan stops.
    unsaved: std::cell::RefCell<Option<String>>,
    started: Instant,
}

/// One node's scan into the shared tally, to its end, the scan's
/// deadline, or the sample's size; at its own `--rate`. A page's keys
/// join the tally together, once all are looked up, and the node's place
/// in the resume file moves past the page at that moment.
async fn scan_node(session: &Session, shared: &Shared<'_>) -> Result<Option<Stop>, CommandFailure> {
    let (opts, tally) = (shared.opts, &shared.tally);
    let name = session.addr.to_string();
    let start = resume::place_in(&shared.resume, &name);
    if start.done {
        return Ok(None);
    }
    let mut cursor = start.cursor;
    let mut count = opts.count.max(1);
    let mut own: u64 = 0;
    // Look-ups run as tasks, several at once, while the next SCAN is
    // asked: the server works on some while cachectl reads others.
    let mut inflight = Inflight::default();
    // The looked-up keys of the page not yet complete.
    let mut page: Vec<(Looked, Vec<Vec<u8>>)> = Vec::new();
    let mut more = true;
    loop {
        if Instant::now() >= opts.deadline {
            return Ok(Some(Stop::Deadline));
        }
        if shared.unsaved.borrow().is_some() {
            return Ok(Some(Stop::Unsaved));
        }
        while more && inflight.chunks() < WINDOW && !shared.sampled.get() {
            let asked = Instant::now();
            let (next, mut keys) = scan_once(session, cursor, count, opts).await?;
            // Keep each SCAN under the bound: halve COUNT when it was
            // slow, grow it back when it was quick.
            let took = asked.elapsed();
            if took > opts.max_command && count > 10 {
                count /= 2;
            } else if took < opts.max_command / 4 && count < opts.count {
                count = (count * 2).min(opts.count);
            }
            cursor = next;
            let room = opts.sample.map(|limit| {
                let t = tally.borrow();
                let pending: u64 = page.iter().map(|(_, p)| p.len() as u64).sum();
                limit.saturating_sub(t.scanned + t.vanished + inflight.keys() + pending) as usize
            });
            if let Some(room) = room {
                keys.truncate(room);
            }
            more = cursor != 0 && room.is_none_or(|r| r > keys.len());
            if !more && cursor != 0 {
                shared.sampled.set(true);
            }
            for chunk in keys.chunks(CHUNK) {
                let patterns: Vec<Vec<u8>> = chunk.iter().map(|k| pattern::of(k)).collect();
                let wants: Vec<bool> = {
                    let mut t = tally.borrow_mut();
                    patterns.iter().map(|p| t.wants_encoding(p)).collect()
                };
                let (s, keys) = (session.clone(), chunk.to_vec());
                let freq = opts.freq;
                let task = tokio::spawn(async move { look_up(&s, &keys, &wants, freq, 0).await });
                inflight.0.push_back(Flight::Chunk(task, patterns));
            }
            inflight.0.push_back(Flight::PageEnd(cursor));
        }
        let Some(flight) = inflight.0.pop_front() else {
            return Ok(None);
        };
        let (task, patterns) = match flight {
            Flight::Chunk(task, patterns) => (task, patterns),
            Flight::PageEnd(next) => {
                let mut t = tally.borrow_mut();
                for (looked, patterns) in page.drain(..) {
                    t.vanished += looked.vanished;
                    for (k, i) in looked.found.iter().zip(looked.index) {
                        t.add_as(k, &patterns[i]);
                    }
                }
                if let Some(r) = shared.resume.borrow_mut().as_mut() {
                    // A sample's last page was cut short: not done.
                    let done = next == 0 && !shared.sampled.get();
                    r.advance(&name, resume::Place { cursor: next, done });
                    if let Err(e) = r.save_due(&*t) {
                        *shared.unsaved.borrow_mut() = Some(e.to_string());
                    }
                }
                continue;
            }
        };
        let looked = task.await.map_err(|e| CommandFailure {
            kind: crate::target::connect::CommandFailureKind::Error,
            detail: format!("a look-up task failed: {e}"),
        })??;
        let asked = patterns.len() as u64;
        page.push((looked, patterns));
        own += asked;
        shared.progress.advance(asked);
        if let Some(rate) = opts.rate.filter(|r| *r > 0) {
            let due = Duration::from_secs_f64(own as f64 / rate as f64);
            tokio::time::sleep(due.saturating_sub(shared.started.elapsed())).await;
        }
    }
}

/// Scans the database the session selected, on every node at once,
/// from where `resume` says each stopped (and with its totals). `interrupt`
/// resolves when the operator asks to stop (Ctrl-C).
pub async fn run(
    sessions: &[Session],
    opts: &ScanOptions,
    progress: &dyn Progress,
    interrupt: impl std::future::Future<Output = ()>,
    resume: Option<(resume::Resume, Option<Tally>)>,
) -> Result<KeyspaceReport, CommandFailure> {
    let started = Instant::now();
    let mut total_keys: u64 = 0;
    for session in sessions {
        total_keys += dbsize(session).await;
    }
    let (resume, earlier) = match resume {
        Some((r, earlier)) => (Some(r), earlier),
        None => (None, None),
    };
    let tally = earlier.unwrap_or_else(|| Tally::new(opts.top, opts.max_patterns, opts.big));
    progress.total(opts.sample.map_or(total_keys, |s| s.min(total_keys)));
    progress.advance(tally.scanned + tally.vanished);
    // Every node (a Cluster's primaries) at once, each with its own COUNT,
    // rate and look-ups in flight, into one tally.
    let shared = Shared {
        opts,
        progress,
        tally: std::cell::RefCell::new(tally),
        sampled: std::cell::Cell::new(false),
        resume: std::cell::RefCell::new(resume),
        unsaved: std::cell::RefCell::new(None),
        started,
    };
    let mut stopped = None;
    tokio::pin!(interrupt);
    let work = async {
        let nodes = sessions.iter().map(|session| scan_node(session, &shared));
        let mut first = None;
        for outcome in join_all(nodes.collect()).await {
            match outcome {
                Err(e) => return Err(e),
                Ok(Some(stop)) => first = first.or(Some(stop)),
                Ok(None) => {}
            }
        }
        Ok::<Option<Stop>, CommandFailure>(first)
    };
    let failed = tokio::select! {
        outcome = work => {
            match outcome {
                Ok(Some(stop)) => {
                    stopped = Some(stop);
                    None
                }
                Ok(None) => None,
                Err(e) => Some(e),
            }
        }
        () = &mut interrupt => {
            stopped = Some(Stop::Interrupted);
            None
        }
    };
    progress.finish();
    let tally = shared.tally.into_inner();
    // What was counted is kept, even when a node failed: the rerun goes on.
    let note = match shared.resume.into_inner() {
        Some(r) => Some(r.close(&tally).map_err(|detail| CommandFailure {
            kind: crate::target::connect::CommandFailureKind::Error,
            detail,
        })?),
        None => None,
    };
    if let Some(e) = failed {
        return Err(e);
    }
    let mut report = tally.report(total_keys, shared.sampled.get());
    if opts.freq {
        report.hot_keys = Some(tally.hottest());
    }
    report.scan_ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    report.resume = note;
    if let Some(stop) = stopped {
        report.partial = true;
        report.stopped_because = Some(match stop {
            Stop::Interrupted => "interrupted (Ctrl-C)".into(),
            Stop::Deadline => "the scan's deadline (--scan-timeout) passed".into(),
            Stop::Unsaved => format!(
                "the resume file could not be written ({})",
                shared.unsaved.into_inner().unwrap_or_default()
            ),
        });
    }
    Ok(report)
}

/// Numbers for tests, the same each run: `next(n)` draws one below `n`
/// (xorshift64).
#[cfg(test)]
pub(crate) fn draws(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    }
}
