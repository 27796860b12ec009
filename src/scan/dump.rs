//! A dump's keyspace report (`memory --rdb`): the report `memory --keys`
//! makes from a live scan, made from a dump as it streams, each key's
//! memory estimated by the dump's `Layout`. Bounded in memory (the tally
//! keeps no key it does not report); stopped by Ctrl-C, or cut by a
//! corrupt or truncated dump, it is the report so far, marked partial.

use std::collections::BTreeMap;
use std::io::Read;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use super::pattern::glob_matches;
use super::tally::{BigKeys, KeyInfo, KeyspaceReport, Source, Tally};
use super::KeyType;
use crate::rdb::memory::{Allocator, Family, Layout};
use crate::rdb::{read_with, Entry, Meta};

/// What to report of a dump.
#[derive(Debug, Clone)]
pub struct DumpOptions {
    /// The file, `-`, or the replica's address: how the report names it.
    pub from: String,
    /// The dump's size when known (a file): the progress bar's end.
    pub size: Option<u64>,
    pub top: usize,
    pub max_patterns: usize,
    pub big: BigKeys,
    /// The server's allocator, when told (else the family's usual one).
    pub allocator: Option<Allocator>,
    /// INFO's `mem_allocator` of the server the dump came from.
    pub allocator_info: Option<String>,
    /// Only keys matching this glob, of this type.
    pub pattern: Option<String>,
    pub kind: Option<KeyType>,
}

/// What a dump is and how it was read.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DumpInfo {
    pub from: String,
    /// `redis` or `valkey` (the magic at its start).
    pub format: String,
    /// `vkcs-lz4` when the dump came in Valkey's compression envelope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<String>,
    pub rdb_version: u32,
    /// The `redis-ver` (or `valkey-ver`) AUX field: the server that wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    /// When it was written (`ctime`), RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The server's used memory when it wrote the dump (`used-mem`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_mem: Option<u64>,
    /// Bytes read, and the dump's size where known.
    pub bytes_read: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// `ok`, `none` (written without one), `absent` (before RDB 5), or
    /// `unchecked` (the read stopped before the end).
    pub checksum: String,
    /// Keys and keys with an expiry in each database, as read.
    pub databases: Vec<DatabaseKeys>,
    /// Function libraries and module AUX data passed over, with their bytes.
    pub functions: u64,
    pub function_bytes: u64,
    pub module_aux: u64,
    pub module_aux_bytes: u64,
    /// Keys with module key metadata (RDB 13+) and its bytes; hash
    /// templates (RDB 15).
    pub key_meta: u64,
    pub key_meta_bytes: u64,
    pub hash_templates: u64,
    /// Valkey's slot imports in progress, and its inline replication
    /// commands (writes during a forkless save, not in the report).
    pub slot_imports: u64,
    pub inline_commands: u64,
    /// How each key's memory was estimated: the server family's accounting
    /// and the allocator's size classes (docs/rdb.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_model: Option<Layout>,
    pub keys_per_s: f64,
    pub mb_per_s: f64,
    /// Where and why the read stopped short: a corrupt or truncated dump.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct DatabaseKeys {
    pub db: u64,
    pub keys: u64,
    pub expires: u64,
}

/// What a dump's reading tells its watcher as it goes.
pub trait DumpProgress: Send + Sync {
    fn at(&self, bytes: u64, keys: u64);
    fn finish(&self);
}

/// Counts the bytes read through it, for the progress bar.
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// How often (in keys) the progress is told and Ctrl-C looked at.
const EVERY: u64 = 4096;

/// Reads the dump to its keyspace report; a read that stops early (Ctrl-C,
/// an error at an offset) reports what it read, marked partial.
pub fn analyse<R: Read>(
    input: R,
    opts: &DumpOptions,
    progress: &dyn DumpProgress,
    stop: &AtomicBool,
) -> KeyspaceReport {
    let started = Instant::now();
    let read = Arc::new(AtomicU64::new(0));
    // The reader buffers it.
    let input = Counted {
        inner: input,
        read: read.clone(),
    };
    let mut tally = Tally::new(opts.top, opts.max_patterns, opts.big);
    let mut meta = Meta::default();
    let mut dbs: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    // The database being read, its keys and keys with a TTL (keys come a
    // database at a time): into `dbs` when the next begins.
    let mut here = (0u64, 0u64, 0u64);
    // Each key as the tally takes it, in the last one's allocation.
    let mut scratch = KeyInfo::default();
    let (mut seen, mut hot, mut cold) = (0u64, false, false);
    // The dump's own time, which its TTLs are told from.
    let created_ms = std::cell::Cell::new(None::<i64>);
    let choose = |m: &Meta| {
        created_ms.set(
            aux(m, "ctime")
                .and_then(|t| t.parse::<i64>().ok())
                .map(|s| s * 1000),
        );
        let family = Family::of(m);
        let from_info = opts
            .allocator_info
            .as_deref()
            .and_then(|name| Allocator::from_info(name, family));
        Layout::of(m, opts.allocator.or(from_info))
    };
    let mut stopped = false;
    let count_db = |dbs: &mut BTreeMap<u64, (u64, u64)>, (db, keys, ttls)| {
        if keys > 0 {
            let counts = dbs.entry(db).or_default();
            counts.0 += keys;
            counts.1 += ttls;
        }
    };
    let outcome = read_with(input, &mut meta, choose, |e: &mut Entry| {
        seen += 1;
        if e.db != here.0 {
            count_db(&mut dbs, here);
            here = (e.db, 0, 0);
        }
        here.1 += 1;
        here.2 += u64::from(e.expire_ms.is_some());
        if wanted(opts, e) {
            hot |= e.freq.is_some();
            cold |= e.idle.is_some();
            key_info(e, created_ms.get(), &mut scratch);
            tally.add(&scratch);
        }
        if seen % EVERY == 0 {
            progress.at(read.load(Ordering::Relaxed), seen);
            if stop.load(Ordering::Relaxed) {
                stopped = true;
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    count_db(&mut dbs, here);
    progress.finish();
    let mut report = tally.report(seen, false);
    let error = match outcome {
        // A read stopped by Ctrl-C while it waited on its input.
        Err(_) if stop.load(Ordering::Relaxed) => {
            stopped = true;
            None
        }
        Err(e) => Some(format!("at byte {}: {}", e.offset, e.message)),
        Ok(_) => None,
    };
    report.partial = stopped || error.is_some();
    report.stopped_because = if stopped {
        Some("interrupted (Ctrl-C): the dump was read in part".into())
    } else {
        error
            .as_ref()
            .map(|e| format!("the dump could not be read to its end: {e}"))
    };
    report.source = Source::Rdb;
    report.hot_keys = hot.then(|| tally.hottest());
    report.cold_keys = cold.then(|| tally.coldest());
    let secs = started.elapsed().as_secs_f64();
    report.scan_ms = (secs * 10_000.0).round() / 10.0;
    let bytes = read.load(Ordering::Relaxed);
    report.dump = Some(Box::new(DumpInfo {
        from: opts.from.clone(),
        format: meta.magic.clone(),
        envelope: meta.envelope.clone(),
        rdb_version: meta.version,
        server_version: aux(&meta, "valkey-ver")
            .or_else(|| aux(&meta, "redis-ver"))
            .map(str::to_string),
        created: created_ms.get().map(|ms| {
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
            humantime::format_rfc3339_seconds(t).to_string()
        }),
        used_mem: aux(&meta, "used-mem").and_then(|m| m.parse().ok()),
        bytes_read: bytes,
        size: opts.size,
        checksum: if report.partial {
            "unchecked".into()
        } else {
            meta.checksum.clone()
        },
        databases: dbs
            .into_iter()
            .map(|(db, (keys, expires))| DatabaseKeys { db, keys, expires })
            .collect(),
        functions: meta.functions,
        function_bytes: meta.function_bytes,
        module_aux: meta.module_aux,
        module_aux_bytes: meta.module_aux_bytes,
        key_meta: meta.key_meta,
        key_meta_bytes: meta.key_meta_bytes,
        hash_templates: meta.hash_templates,
        slot_imports: meta.slot_imports,
        inline_commands: meta.inline_commands,
        memory_model: meta.layout,
        keys_per_s: (seen as f64 / secs.max(1e-9)).round(),
        mb_per_s: ((bytes as f64 / 1e6 / secs.max(1e-9)) * 10.0).round() / 10.0,
        error,
    }));
    report
}

fn aux<'m>(meta: &'m Meta, field: &str) -> Option<&'m str> {
    meta.aux
        .iter()
        .find(|(k, _)| k == field)
        .map(|(_, v)| v.as_str())
}

fn wanted(opts: &DumpOptions, e: &Entry) -> bool {
    opts.kind.is_none_or(|k| k.as_str() == e.kind)
        && opts
            .pattern
            .as_ref()
            .is_none_or(|p| glob_matches(p.as_bytes(), &e.key))
}

/// A dump's key as the tally takes it: its TTL told from the dump's time
/// (a key already expired then has 0 left). The key's bytes are taken, not
/// copied: the reader reads the next into the buffer left in their place.
fn key_info(e: &mut Entry, created_ms: Option<i64>, into: &mut KeyInfo) {
    std::mem::swap(&mut into.key, &mut e.key);
    *into = KeyInfo {
        bytes: e.memory,
        key: std::mem::take(&mut into.key),
        kind: e.kind.into(),
        encoding: e.encoding.into(),
        elements: e.elements,
        ttl: e.expire_ms.map_or(-1, |at| {
            let now = created_ms.unwrap_or_else(now_ms);
            ((at - now) / 1000).max(0)
        }),
        freq: e.freq.map(u64::from),
        idle: e.idle,
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
