//! `memory --rdb` and `memory --rdb-from`: a dump's keyspace report,
//! judged by the keyspace runbook (the checks `memory --keys` runs on a
//! live scan), with no server asked. The dump is read on a thread of its
//! own while this one hears Ctrl-C, which ends the read with the report so
//! far.

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::Context;
use crate::error::{CliError, Status};
use crate::facts::Facts;
use crate::findings::evaluate::KEYSCAN_ROOT;
use crate::findings::{evaluate, Report};
use crate::interrupt::Interrupt;
use crate::render::document::Part;
use crate::render::progress::DumpBar;
use crate::render::view::DoorView;
use crate::render::Format;
use crate::runbook::RunbookSet;
use crate::scan::dump::{analyse, DumpOptions};
use crate::scan::tally::KeyspaceReport;
use crate::target::{replica, CliReach, NodeAddr};

/// The runbook whose checks a key scan's report answers, from a live
/// server or a dump; its thresholds say what a big key is.
pub const KEYSPACE_RUNBOOK: &str = "keyspace";

/// The runbooks a dump is judged by: the keyspace runbook alone (the
/// others need a live server).
pub fn runbooks(dirs: &[PathBuf], tuning: &crate::runbook::Tuning) -> Result<RunbookSet, CliError> {
    let mut set = crate::runbook::load_tuned(dirs, tuning)?;
    set.runbooks.retain(|r| r.id == KEYSPACE_RUNBOOK);
    Ok(set)
}

/// How to judge and show a dump's report.
pub struct DumpSettings {
    /// The keyspace runbook, tuned.
    pub runbooks: RunbookSet,
    pub format: Format,
    /// What the report's target names: `rdb:PATH` or the replica's URL.
    pub target: String,
    /// The node findings are about: the replica asked, or the file.
    pub node: NodeAddr,
    /// How redis-cli reaches the replica (--rdb-from).
    pub reach: Option<CliReach>,
}

/// Where a dump's bytes come from.
pub enum DumpSource {
    File(std::fs::File),
    /// Standard input (`--rdb -`): read on a thread of its own, so that
    /// Ctrl-C ends a read that waits on a pipe.
    Stdin,
    /// A server's replication stream (`--rdb-from`).
    Replica(mpsc::Receiver<std::io::Result<Vec<u8>>>),
}

/// Reads the dump to its report, on a blocking thread, until its end, an
/// error or Ctrl-C.
pub fn read(
    ctx: &Context<'_>,
    source: DumpSource,
    opts: DumpOptions,
) -> Result<KeyspaceReport, CliError> {
    ctx.runtime.block_on(async move {
        let stop = Interrupt::catch();
        let flag = stop.flag();
        let bar = DumpBar::new(opts.size);
        let input: Box<dyn Read + Send> = match source {
            DumpSource::File(f) => Box::new(f),
            DumpSource::Stdin => {
                let (tx, rx) = mpsc::channel(replica::AHEAD);
                std::thread::spawn(move || pipe_stdin(&tx));
                Box::new(Chunks::new(rx, flag.clone()))
            }
            DumpSource::Replica(rx) => Box::new(Chunks::new(rx, flag.clone())),
        };
        tokio::task::spawn_blocking(move || analyse(input, &opts, &bar, &flag))
            .await
            .map_err(|e| CliError::Other(anyhow::anyhow!("reading the dump failed: {e}")))
    })
}

/// Standard input into the channel, a chunk at a time, until its end, an
/// error, or the reader gone.
fn pipe_stdin(tx: &mpsc::Sender<std::io::Result<Vec<u8>>>) {
    let mut stdin = std::io::stdin().lock();
    loop {
        let mut buf = vec![0; replica::CHUNK];
        match stdin.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                buf.truncate(n);
                if tx.blocking_send(Ok(buf)).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        }
    }
}

/// A channel's chunks as a `Read` for the parser's thread, which looks at
/// the Ctrl-C flag while it waits: a stalled pipe or server does not keep
/// a stopped read waiting.
struct Chunks {
    rx: mpsc::Receiver<std::io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    at: usize,
    stop: Arc<AtomicBool>,
}

impl Chunks {
    fn new(rx: mpsc::Receiver<std::io::Result<Vec<u8>>>, stop: Arc<AtomicBool>) -> Chunks {
        Chunks {
            rx,
            chunk: Vec::new(),
            at: 0,
            stop,
        }
    }
}

impl Read for Chunks {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let runtime = tokio::runtime::Handle::current();
        while self.at == self.chunk.len() {
            if self.stop.load(Ordering::Relaxed) {
                // Not `Interrupted`, which readers retry.
                return Err(std::io::Error::other("interrupted (Ctrl-C)"));
            }
            let next = runtime.block_on(tokio::time::timeout(
                Duration::from_millis(100),
                self.rx.recv(),
            ));
            match next {
                Err(_) => {}
                Ok(Some(Ok(c))) => {
                    self.chunk = c;
                    self.at = 0;
                }
                Ok(Some(Err(e))) => return Err(e),
                Ok(None) => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len() - self.at);
        out[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The report of a dump judged and printed; its status. A dump whose
/// header could not be read (not an RDB file, a version not read) is an
/// error, not a report.
pub fn show(
    ctx: &Context<'_>,
    keyspace: KeyspaceReport,
    settings: &DumpSettings,
) -> Result<Status, CliError> {
    let dump = keyspace.dump.as_ref();
    if let Some(error) = dump.and_then(|d| d.error.as_ref()) {
        // No header read: not a dump at all (a dump cut before its first
        // key is still reported, empty and partial).
        if dump.is_some_and(|d| d.format.is_empty() || d.rdb_version == 0) {
            let from = dump.map_or("", |d| d.from.as_str());
            return Err(CliError::Usage(format!(
                "{from}: not a dump cachectl can read: {error}"
            )));
        }
    }
    let mut facts = Facts::new(settings.node.clone());
    // For --rdb-from, redis-cli reaches the replica as cachectl did; a
    // file's report names no node in its commands.
    facts.reach = Some(settings.reach.clone().unwrap_or(CliReach {
        unplaced: true,
        ..CliReach::default()
    }));
    facts.values.insert(KEYSCAN_ROOT.into(), keyspace.fact());
    facts.set_unavailable(
        "info",
        "INFO",
        crate::facts::OFFLINE,
        "a dump carries no server settings (maxmemory-policy); the checks that need them run on the live server (memory --keys)",
    );
    let evaluation = evaluate(&settings.runbooks, &facts, Some(ctx.deadline));
    let unavailable = facts.unavailable.values().cloned().collect();
    let mut report = Report::new(
        settings.target.clone(),
        None,
        vec![facts.node.clone()],
        evaluation,
        unavailable,
        ctx.elapsed_ms(),
    );
    report.command = ctx.command.into();
    let view = DoorView::Memory {
        memory: None,
        keyspace: Some(keyspace),
    };
    ctx.emit(settings.format, &report, Some(&view), Part::Diagnosis)?;
    Ok(report.status)
}
