//! A flush's run: the keys listed, the consent, the audited deletes, and
//! the re-check of what is left.

use std::time::Instant;

use serde::Serialize;

use super::Selection;
use crate::engine::writer::Writer;
use crate::engine::{self, Context};
use crate::error::{CliError, Status};
use crate::facts::Facts;
use crate::flush;
use crate::model::Safety;
use crate::mutate::preflight::{NodeState, Refusal};
use crate::mutate::{Consent, Mode, Mutator, Operation, Origin};
use crate::outcome::Outcome;
use crate::render;
use crate::scan::pattern;
use crate::scan::resume::Resume;
use crate::scan::Progress;
use crate::target::connect::Session;
use crate::target::NodeAddr;
use std::cell::RefCell;

use super::stream;

/// What a flush did. A count cachectl could not have from the server is
/// `null` (unknown), never a guess.
#[derive(Debug, Serialize)]
pub struct FlushReport {
    pub node: NodeAddr,
    pub db: i64,
    /// The pattern, `*` for a whole database, or `(all databases)`.
    pub pattern: String,
    pub mode: Mode,
    /// Keys matched when the run started (DBSIZE for a whole database).
    pub matched: Option<u64>,
    pub deleted: Option<u64>,
    /// Matched keys left alone because, by their turn, they no longer
    /// matched the filter (given a TTL, another type, used since).
    pub stopped_matching: u64,
    /// Every matched key that still existed was deleted.
    pub complete: bool,
    /// A few matched keys, escaped.
    pub sample: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// After the run: matched keys still there that were to go (EXISTS on
    /// each, less those left alone; unknown when the server could not be
    /// asked), and with `--recheck` (or a
    /// whole-database flush) the keys matching now (written during the
    /// run, untouched).
    pub remaining: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matching_now: Option<u64>,
    /// Key names past the in-memory budget were kept on disk (bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spilled_bytes: Option<u64>,
    /// A Cluster: each primary's part (the totals above are their sums).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<ShardReport>,
    /// The keys were deleted as the scan found them (`--yes`, `--resume`),
    /// not listed first.
    pub streamed: bool,
    /// `--resume FILE`: whether this run went on from an earlier one, and
    /// whether the scan ended (the file removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resume: Option<crate::scan::resume::ResumeNote>,
    /// applied, planned, skipped, blocked, stopped, incomplete or failed.
    pub outcome: Outcome,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_log: Option<String>,
}

/// One primary's part of a Cluster flush.
#[derive(Debug, Serialize)]
pub struct ShardReport {
    pub node: NodeAddr,
    pub matched: Option<u64>,
    pub deleted: Option<u64>,
    pub remaining: Option<u64>,
}

/// A node the flush deletes on, with its connection.
struct Shard {
    addr: NodeAddr,
    session: Session,
}

fn fail(e: impl std::fmt::Display) -> CliError {
    CliError::Other(anyhow::anyhow!("{e}"))
}

/// A count, or what stands for one that is not known.
fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "an unknown number of".to_string(), |n| n.to_string())
}

/// What to flush and how fast.
#[derive(Debug, Clone)]
pub struct FlushSettings {
    pub scope: Scope,
    /// Keys per UNLINK (each batch one audit record).
    pub batch: u64,
    /// Keys deleted per second, at most.
    pub rate: Option<u64>,
    /// After a pattern flush, SCAN again and count the keys matching now.
    pub recheck: bool,
    /// Where a pattern flush stands, for a rerun to go on from.
    pub resume: Option<std::path::PathBuf>,
}

/// Which keys a flush deletes.
#[derive(Debug, Clone)]
pub enum Scope {
    /// The keys a selection matches, with SCAN + UNLINK.
    Keys(Selection),
    /// The whole database, with FLUSHDB ASYNC.
    Database,
    /// Every database, with FLUSHALL ASYNC.
    All,
}

/// Flushes through the writer: the keys a selection matches, a whole
/// database or every one, on every primary that holds them. The report
/// says what was done; the status is the outcome's (`Outcome::status`).
pub fn run(
    w: &mut Writer<'_>,
    facts: &Facts,
    settings: &FlushSettings,
) -> Result<(FlushReport, Status), CliError> {
    // A Cluster: every primary holds part of the keyspace.
    let cluster = w.write_node(facts, "flush")?;
    if let Scope::Keys(sel) = &settings.scope {
        if sel.idle.is_some() {
            lfu_has_no_idle_time(facts)?;
        }
    }
    let ctx = &w.ctx;
    let nodes = engine::shards(ctx, &w.spec, facts)?;
    let shards = nodes
        .iter()
        .map(|n| {
            Ok(Shard {
                addr: n.addr.clone(),
                session: engine::session(ctx, n)?,
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let spec = &w.spec;
    let mut report = FlushReport {
        node: spec.addr.clone(),
        db: spec.db,
        pattern: match &settings.scope {
            Scope::All => "(all databases)".into(),
            Scope::Database => "*".into(),
            Scope::Keys(sel) => sel.pattern.clone().unwrap_or_else(|| "*".into()),
        },
        mode: w.mode(),
        matched: None,
        deleted: None,
        stopped_matching: 0,
        complete: false,
        sample: Vec::new(),
        bytes: None,
        remaining: None,
        matching_now: None,
        spilled_bytes: None,
        nodes: Vec::new(),
        streamed: false,
        resume: None,
        outcome: Outcome::Skipped,
        reason: String::new(),
        audit_log: w.audit_log(),
    };
    let confirm = format!("{}/{}", spec.addr, spec.db);
    let node = crate::engine::writer::node(&w.spec, facts);
    let mut run = Deletion {
        ctx,
        settings,
        shards: &shards,
        one_by_one: cluster,
        node: &node,
        mutator: &mut w.mutator,
        confirm: &confirm,
        waited: std::time::Duration::ZERO,
    };
    match &settings.scope {
        Scope::Keys(sel) => run.by_pattern(sel, &mut report)?,
        Scope::Database => run.whole(false, &mut report),
        Scope::All => run.whole(true, &mut report),
    }
    let status = report.outcome.status();
    Ok((report, status))
}

/// The table of a flush: what was deleted, or for a dry run what would
/// be (the keys, their bytes, each node's part and a sample).
pub fn table(report: &FlushReport, width: u16) -> String {
    let reason = if report.reason.is_empty() {
        String::new()
    } else {
        format!(" ({})", render::clean(&report.reason))
    };
    let pattern = render::clean(&report.pattern);
    if report.outcome != Outcome::Planned {
        let deleted = report
            .deleted
            .map_or_else(|| "an unknown number".to_string(), |n| n.to_string());
        let line = format!(
            "{}: deleted {deleted} of {} keys matching {pattern} in db {} on {}{}{reason}",
            report.outcome,
            count(report.matched),
            report.db,
            report.node,
            if report.complete { "" } else { "  INCOMPLETE" },
        );
        let mut out = format!("{}\n", render::table::wrap(&line, width, "", "  "));
        if let Some(r) = &report.resume {
            let resume = render::table::resume_line(r);
            out.push_str(&format!(
                "{}\n",
                render::table::wrap(&resume, width, "", "  ")
            ));
        }
        return out;
    }
    let bytes = report
        .bytes
        .map(|b| format!(" ({})", render::table::human_bytes(b as i64)))
        .unwrap_or_default();
    let line = format!(
        "{}: would delete {} keys{bytes} matching {pattern} in db {} on {}{reason}",
        report.outcome,
        count(report.matched),
        report.db,
        report.node,
    );
    let mut out = format!("{}\n", render::table::wrap(&line, width, "", "  "));
    for part in &report.nodes {
        out.push_str(&format!("  {}: {} keys\n", part.node, count(part.matched)));
    }
    for k in &report.sample {
        out.push_str(&format!("    {}\n", render::clean(k)));
    }
    out
}

/// `--idle` reads OBJECT IDLETIME, which a server under an LFU policy does
/// not keep (it keeps access frequency instead, and refuses the command
/// for every key): said before anything is scanned.
fn lfu_has_no_idle_time(facts: &crate::facts::Facts) -> Result<(), CliError> {
    let policy = facts
        .get("info")
        .and_then(|i| i["maxmemory_policy"].as_str())
        .or_else(|| {
            facts
                .get("config")
                .and_then(|c| c["maxmemory-policy"].as_str())
        })
        .unwrap_or_default();
    if policy.ends_with("-lfu") {
        return Err(CliError::Usage(format!(
            "--idle selects keys by OBJECT IDLETIME, which Redis does not keep under maxmemory-policy {policy} (it counts how often keys are used instead): select with --pattern, --type or --no-ttl"
        )));
    }
    Ok(())
}

/// What a flush works with: its nodes (a Cluster's primaries, or the
/// one), the flags, the write gate.
struct Deletion<'r, 'p> {
    ctx: &'r Context<'p>,
    settings: &'r FlushSettings,
    shards: &'r [Shard],
    /// In a Cluster, one UNLINK (and EXISTS) a key: keys of several slots
    /// in one command are refused.
    one_by_one: bool,
    node: &'r NodeState<'r>,
    mutator: &'r mut Mutator,
    confirm: &'r str,
    /// Time spent at the prompt: not the run's (the deadline moves by it).
    waited: std::time::Duration,
}

impl Deletion<'_, '_> {
    /// The preflight (on every node it deletes on) and consent for `op`:
    /// the consent to go ahead, or the status to return with the report
    /// saying why nothing was deleted.
    fn hold(&mut self, op: &Operation, report: &mut FlushReport) -> Option<Consent> {
        let sessions: Vec<Session> = self.shards.iter().map(|s| s.session.clone()).collect();
        let asked = Instant::now();
        let cleared =
            self.ctx
                .runtime
                .block_on(self.mutator.clear(&sessions, self.node, op, &op.commands));
        if self.mutator.policy.mode == Mode::Interactive {
            self.waited = asked.elapsed();
        }
        let held = match cleared {
            Ok(consent) => return Some(consent),
            Err(held) => held,
        };
        report.outcome = held.outcome;
        // FLUSHDB renamed away (managed services do): a pattern flush of
        // every key still empties the database, with UNLINK. Not when
        // UNLINK is what is missing.
        let flush_renamed = matches!(&held.refusal,
            Some(Refusal::Unavailable(c)) if c == "FLUSHDB" || c == "FLUSHALL");
        report.reason = if held.outcome == Outcome::Blocked && flush_renamed {
            format!(
                "{}; `cachectl flush --pattern '*' --db {}` deletes the keys with SCAN + UNLINK instead",
                held.reason, report.db
            )
        } else {
            held.reason.clone()
        };
        None
    }

    /// Every node it deletes on.
    fn addrs(&self) -> Vec<NodeAddr> {
        self.shards.iter().map(|s| s.addr.clone()).collect()
    }

    /// The run's deadline, the time at the prompt added.
    fn deadline(&self) -> Instant {
        self.ctx.deadline + self.waited
    }

    /// FLUSHDB / FLUSHALL ASYNC, on every primary. The counts are DBSIZE
    /// of that database (INFO keyspace for every database) before and
    /// after; unknown when the server would not say.
    fn whole(&mut self, all: bool, report: &mut FlushReport) {
        let ctx = self.ctx;
        let command = if all { "FLUSHALL" } else { "FLUSHDB" };
        let scope = (!all).then_some(report.db);
        let keys = |s: &Session| ctx.runtime.block_on(flush::keys_in(s, all)).ok();
        let before: Vec<Option<u64>> = self.shards.iter().map(|s| keys(&s.session)).collect();
        report.matched = before.iter().copied().sum();
        let op = Operation {
            node: report.node.clone(),
            targets: self.addrs(),
            // FLUSHALL names no database: it empties them all.
            db: scope,
            origin: Origin::command("flush", Some(report.pattern.clone())),
            title: format!("{command} ASYNC"),
            safety: Safety::Destructive,
            commands: vec![vec![command.into(), "ASYNC".into()]],
            count: report.matched,
            summary: None,
            confirm: Some(if all {
                report.node.to_string()
            } else {
                self.confirm.to_string()
            }),
        };
        ctx.printer.status(&format!(
            "{} would delete {} keys of {} on {}",
            op.title,
            count(report.matched),
            match scope {
                Some(db) => format!("db {db}"),
                None => "every database".into(),
            },
            self.nodes_named()
        ));
        let Some(consent) = self.hold(&op, report) else {
            return;
        };
        let mut deleted = Some(0u64);
        let mut now = Some(0u64);
        for (shard, matched) in self.shards.iter().zip(before) {
            let on = Operation {
                node: shard.addr.clone(),
                targets: Vec::new(),
                count: matched,
                ..op.clone()
            };
            if let Err(e) =
                ctx.runtime
                    .block_on(self.mutator.execute_batch(&shard.session, &on, &consent))
            {
                report.outcome = Outcome::Failed;
                report.reason = format!("{}: {}", shard.addr, e.reason);
                report.deleted = None;
                return;
            }
            // What the server says it holds now: FLUSHDB ASYNC empties the
            // keyspace at once (the memory is freed in the background).
            let after = keys(&shard.session);
            let gone = matched.zip(after).map(|(b, a)| b.saturating_sub(a));
            deleted = deleted.zip(gone).map(|(d, g)| d + g);
            now = now.zip(after).map(|(n, a)| n + a);
            if self.shards.len() > 1 {
                report.nodes.push(ShardReport {
                    node: shard.addr.clone(),
                    matched,
                    deleted: gone,
                    remaining: after,
                });
            }
        }
        report.deleted = deleted;
        report.matching_now = now;
        report.remaining = now;
        report.complete = report.deleted.is_some();
        report.outcome = if report.complete {
            Outcome::Applied
        } else {
            report.reason = "the server did not say how many keys it held (DBSIZE or INFO keyspace refused): the count is unknown".into();
            Outcome::Incomplete
        };
    }

    /// "127.0.0.1:6379", or "3 primaries (a, b, c)".
    fn nodes_named(&self) -> String {
        match self.shards {
            [one] => one.addr.to_string(),
            many => format!(
                "{} primaries ({})",
                many.len(),
                many.iter()
                    .map(|s| s.addr.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// A pattern flush: listed first, then deleted (a dry run, or asked
    /// at the prompt with the exact count), or deleted as the scan finds
    /// the keys (`--yes`, `--resume`).
    fn by_pattern(&mut self, sel: &Selection, report: &mut FlushReport) -> Result<(), CliError> {
        let mode = self.mutator.policy.mode;
        if mode == Mode::DryRun || (mode == Mode::Interactive && self.settings.resume.is_none()) {
            self.listed(sel, report)
        } else {
            self.streamed(sel, report)
        }
    }

    /// SCAN every node (stopping, nothing deleted, at Ctrl-C or the
    /// deadline), then delete exactly the keys that matched, each checked
    /// again as it is deleted, in audited batches.
    fn listed(&mut self, sel: &Selection, report: &mut FlushReport) -> Result<(), CliError> {
        let (ctx, settings) = (self.ctx, self.settings);
        let interrupt = ctx
            .runtime
            .block_on(async { crate::interrupt::Interrupt::catch() });
        // Every node's SCAN at once (a Cluster's primaries are separate
        // servers), each node's keys kept apart.
        let deadline = self.deadline();
        let scans = ctx.runtime.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            for (i, shard) in self.shards.iter().enumerate() {
                let (session, sel) = (shard.session.clone(), sel.clone());
                let fired = interrupt.flag();
                tasks.spawn(async move {
                    let stop = move || {
                        if fired.load(std::sync::atomic::Ordering::SeqCst) {
                            Some("interrupted (Ctrl-C)".to_string())
                        } else if Instant::now() >= deadline {
                            Some("the deadline (--timeout) passed".to_string())
                        } else {
                            None
                        }
                    };
                    (i, flush::select(&session, &sel, &stop).await)
                });
            }
            let mut done = Vec::new();
            while let Some(Ok(r)) = tasks.join_next().await {
                done.push(r);
            }
            done.sort_by_key(|(i, _)| *i);
            done
        });
        let mut matched = Vec::new();
        for (i, scan) in scans {
            matched.push(scan.map_err(|e| {
                fail(format!(
                    "the scan for matching keys on {} failed: {}",
                    self.shards[i].addr,
                    render::clean(&e.detail)
                ))
            })?);
        }
        if matched.len() != self.shards.len() {
            return Err(fail("a scan for matching keys did not finish"));
        }
        let listed: u64 = matched.iter().map(|m| m.keys.len()).sum();
        report.sample = matched
            .iter()
            .flat_map(|m| m.keys.sample().iter())
            .take(10)
            .map(|k| pattern::escape(k))
            .collect();
        let spilled: u64 = matched.iter().map(|m| m.keys.spilled_bytes()).sum();
        report.spilled_bytes = (spilled > 0).then_some(spilled);
        if let Some(why) = matched.iter().find_map(|m| m.stopped.clone()) {
            report.outcome = Outcome::Stopped;
            report.reason = format!(
                "the scan for matching keys stopped ({why}) after {listed} keys: nothing was deleted, as the list is not every key that matches"
            );
            report.deleted = Some(0);
            return Ok(());
        }
        report.matched = Some(listed);
        report.bytes = sel.bytes.then(|| matched.iter().map(|m| m.bytes).sum());
        // The preflight checks the commands as they will be sent, with a
        // key of the real ones (an ACL may allow only some key patterns).
        let sample_key = matched
            .iter()
            .find_map(|m| m.keys.sample().first())
            .map_or_else(|| "key".into(), |k| String::from_utf8_lossy(k).into_owned());
        let probe = Operation {
            node: report.node.clone(),
            targets: self.addrs(),
            db: Some(report.db),
            origin: Origin::command("flush", Some(report.pattern.clone())),
            title: format!("unlink {listed} keys matching {}", report.pattern),
            safety: Safety::Destructive,
            commands: sel.delete_commands(&sample_key),
            count: Some(listed),
            summary: None,
            confirm: Some(self.confirm.to_string()),
        };
        let mut preview = format!(
            "{listed} keys match {} in db {} on {}",
            render::clean(&report.pattern),
            report.db,
            self.nodes_named()
        );
        if let Some(b) = report.bytes {
            preview.push_str(&format!(" ({})", render::table::human_bytes(b as i64)));
        }
        if self.shards.len() > 1 {
            for (shard, m) in self.shards.iter().zip(&matched) {
                preview.push_str(&format!("\n  {}: {} keys", shard.addr, m.keys.len()));
            }
        }
        for k in &report.sample {
            preview.push_str(&format!("\n    {}", render::clean(k)));
        }
        // A dry run's result is this list: it goes to stdout, as the report.
        if self.mutator.policy.mode != Mode::DryRun {
            ctx.printer.status(&preview);
        }
        if self.shards.len() > 1 {
            report.nodes = self
                .shards
                .iter()
                .zip(&matched)
                .map(|(shard, m)| ShardReport {
                    node: shard.addr.clone(),
                    matched: Some(m.keys.len()),
                    deleted: None,
                    remaining: None,
                })
                .collect();
        }
        if listed == 0 {
            report.outcome = Outcome::Applied;
            report.complete = true;
            report.deleted = Some(0);
            report.remaining = Some(0);
            report.reason = "no key matched".into();
            return Ok(());
        }
        let Some(consent) = self.hold(&probe, report) else {
            return Ok(());
        };
        let bar = render::progress::Bar::new("keys");
        bar.total(listed);
        let started = Instant::now();
        let deadline = self.deadline();
        let mut stopped: Option<String> = None;
        let mut deleted = vec![0u64; self.shards.len()];
        // Keys left alone, by node: by their turn they no longer matched
        // the filter (they are still there, rightly).
        let mut changed = vec![0u64; self.shards.len()];
        let batch = flush::batch_size(settings.batch, settings.rate);
        let (shards, one_by_one) = (self.shards, self.one_by_one);
        let mutator = &mut *self.mutator;
        let shown_filter = if sel.rechecks() {
            " (each rechecked against the filter)"
        } else {
            ""
        };
        ctx.runtime.block_on(async {
            'nodes: for (i, (shard, m)) in shards.iter().zip(matched.iter_mut()).enumerate() {
                let batches = match m.keys.batches(batch) {
                    Ok(b) => b,
                    Err(e) => {
                        stopped = Some(format!("cannot read the matched keys back: {e}"));
                        break 'nodes;
                    }
                };
                for chunk in batches {
                    let chunk = match chunk {
                        Ok(c) => c,
                        Err(e) => {
                            stopped = Some(format!("cannot read the matched keys back: {e}"));
                            break 'nodes;
                        }
                    };
                    if interrupt.fired() {
                        stopped = Some("interrupted (Ctrl-C)".into());
                        break 'nodes;
                    }
                    if Instant::now() >= deadline {
                        stopped = Some("the deadline (--timeout) passed".into());
                        break 'nodes;
                    }
                    let op = Operation {
                        node: shard.addr.clone(),
                        targets: Vec::new(),
                        count: Some(chunk.len() as u64),
                        summary: Some(format!(
                            "UNLINK {} keys matching {}{shown_filter}",
                            chunk.len(),
                            report.pattern
                        )),
                        ..probe.clone()
                    };
                    let mut pipe = redis::pipe();
                    sel.delete(&mut pipe, &chunk, one_by_one);
                    let shown = op.summary.clone().unwrap_or_default();
                    // A batch sent is seen to its reply (bounded by the
                    // command timeout), so `deleted` is what the server did.
                    match mutator
                        .send_audited(&shard.session, &op, &consent, &pipe, shown)
                        .await
                    {
                        Ok(replies) => {
                            let (n, c) = flush::deleted(&replies);
                            deleted[i] += n;
                            changed[i] += c;
                            bar.advance(chunk.len() as u64);
                        }
                        Err(e) => {
                            stopped = Some(format!("{}: {}", shard.addr, e.reason));
                            break 'nodes;
                        }
                    }
                    tokio::select! {
                        () = flush::pace(settings.rate, deleted.iter().sum(), started) => {}
                        () = interrupt.wait() => {
                            stopped = Some("interrupted (Ctrl-C)".into());
                            break 'nodes;
                        }
                    }
                }
            }
        });
        bar.finish();
        report.deleted = Some(deleted.iter().sum());
        report.stopped_matching = changed.iter().sum();
        // The re-check: what is left of what matched (EXISTS). A server
        // that cannot be asked leaves it unknown, never "0 left".
        let mut remaining = Some(0u64);
        for (i, (shard, m)) in self.shards.iter().zip(matched.iter_mut()).enumerate() {
            let left = ctx
                .runtime
                .block_on(flush::still_there(&shard.session, &mut m.keys, one_by_one))
                .ok()
                .map(|n| n.saturating_sub(changed[i]));
            remaining = remaining.zip(left).map(|(a, b)| a + b);
            if let Some(part) = report.nodes.get_mut(i) {
                part.deleted = Some(deleted[i]);
                part.remaining = left;
            }
        }
        report.remaining = remaining;
        self.conclude(sel, report, stopped);
        Ok(())
    }

    /// Deletes as the scan finds the keys, on every node at once (see
    /// `flush::stream`), going on from where `--resume FILE` says.
    fn streamed(&mut self, sel: &Selection, report: &mut FlushReport) -> Result<(), CliError> {
        let (ctx, settings) = (self.ctx, self.settings);
        report.streamed = true;
        let names: Vec<String> = self.shards.iter().map(|s| s.addr.to_string()).collect();
        let (resume, earlier) = match &settings.resume {
            Some(path) => {
                let (r, totals) = Resume::open::<stream::Parts>(
                    path,
                    "flush --pattern",
                    &sel.scope(report.db),
                    &names,
                )
                .map_err(CliError::Usage)?;
                (Some(r), totals)
            }
            None => (None, None),
        };
        let parts = RefCell::new(earlier.unwrap_or_else(|| {
            names
                .iter()
                .map(|n| (n.clone(), stream::Part::default()))
                .collect()
        }));
        let before: stream::Part = sum_parts(&parts.borrow());
        let sizes: u64 = self
            .shards
            .iter()
            .map(|s| ctx.runtime.block_on(crate::scan::dbsize(&s.session)))
            .sum();
        let pattern = render::clean(&report.pattern);
        let probe = Operation {
            node: report.node.clone(),
            targets: self.addrs(),
            db: Some(report.db),
            origin: Origin::command("flush", Some(report.pattern.clone())),
            title: format!(
                "unlink the keys matching {} as the scan finds them",
                report.pattern
            ),
            safety: Safety::Destructive,
            // Each batch's re-check (EXISTS) goes in its pipeline.
            commands: {
                let key = stream::example_key(&report.pattern);
                let mut c = sel.delete_commands(&key);
                c.push(vec!["EXISTS".into(), key]);
                c
            },
            count: None,
            summary: None,
            confirm: Some(self.confirm.to_string()),
        };
        let resumed = if before.matched > 0 {
            format!(
                "; going on from {}: {} deleted so far",
                settings
                    .resume
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                before.deleted
            )
        } else {
            String::new()
        };
        ctx.printer.status(&format!(
            "deleting the keys matching {pattern} in db {} on {} as the scan finds them ({sizes} keys in the database){resumed}",
            report.db,
            self.nodes_named()
        ));
        let Some(consent) = self.hold(&probe, report) else {
            return Ok(());
        };
        let interrupt = ctx
            .runtime
            .block_on(async { crate::interrupt::Interrupt::catch() });
        let deadline = self.deadline();
        let stop = || {
            if interrupt.fired() {
                Some("interrupted (Ctrl-C)".to_string())
            } else if Instant::now() >= deadline {
                Some("the deadline (--timeout) passed".to_string())
            } else {
                None
            }
        };
        let bar = render::progress::Bar::new("keys");
        bar.total(sizes);
        let nodes = self.shards.len() as u64;
        let resume = RefCell::new(resume);
        let sample = RefCell::new(Vec::new());
        let run = stream::Stream {
            sel,
            batch: flush::batch_size(settings.batch, settings.rate),
            // --rate is the whole run's: each node takes its share.
            rate: settings.rate.map(|r| (r / nodes).max(1)),
            one_by_one: self.one_by_one,
            mutator: self.mutator,
            consent: &consent,
            op: &probe,
            stop: &stop,
            interrupt: &interrupt,
            parts: &parts,
            resume: &resume,
            sample: &sample,
            progress: &bar,
        };
        let shards = self.shards;
        let stops = ctx.runtime.block_on(crate::scan::join_all(
            shards
                .iter()
                .map(|s| run.node(&s.addr, &s.session))
                .collect(),
        ));
        bar.finish();
        let parts = parts.into_inner();
        let stopped = stops.into_iter().flatten().next();
        if let Some(r) = resume.into_inner() {
            report.resume = Some(r.close(&parts).map_err(fail)?);
        }
        let all = sum_parts(&parts);
        report.matched = Some(all.matched + all.ahead);
        report.deleted = Some(all.deleted);
        report.stopped_matching = all.changed;
        // Matched keys not yet deleted are still there; after a batch that
        // went unanswered, what is left is not known.
        report.remaining = (!all.unknown).then_some(all.remaining + all.ahead);
        report.bytes = sel.bytes.then_some(all.bytes);
        report.sample = sample
            .into_inner()
            .iter()
            .map(|k| pattern::escape(k))
            .collect();
        if shards.len() > 1 {
            report.nodes = shards
                .iter()
                .map(|s| {
                    let p = parts.get(&s.addr.to_string()).cloned().unwrap_or_default();
                    ShardReport {
                        node: s.addr.clone(),
                        matched: Some(p.matched + p.ahead),
                        deleted: Some(p.deleted),
                        remaining: (!p.unknown).then_some(p.remaining + p.ahead),
                    }
                })
                .collect();
        }
        self.conclude(sel, report, stopped);
        Ok(())
    }

    /// The end of a pattern flush: with --recheck the keys matching now (a
    /// second SCAN), the outcome and why.
    fn conclude(&self, sel: &Selection, report: &mut FlushReport, stopped: Option<String>) {
        let ctx = self.ctx;
        if self.settings.recheck {
            let mut now = Some(0u64);
            for shard in self.shards {
                let found = ctx
                    .runtime
                    .block_on(flush::select(
                        &shard.session,
                        &Selection {
                            bytes: false,
                            ..sel.clone()
                        },
                        &|| None,
                    ))
                    .ok()
                    .map(|f| f.keys.len());
                now = now.zip(found).map(|(a, b)| a + b);
            }
            report.matching_now = now;
        }
        let left_alone = match report.stopped_matching {
            0 => String::new(),
            n => format!("; {n} no longer matched the filter by their turn and were left alone"),
        };
        if let Some(why) = stopped {
            let again = match &report.resume {
                Some(r) => format!(
                    "run it again with --resume {} to go on",
                    render::clean(&r.file)
                ),
                None => "run it again to finish".into(),
            };
            // Stopped before anything was deleted, or part-way.
            report.outcome = if report.deleted == Some(0) && report.stopped_matching == 0 {
                Outcome::Stopped
            } else {
                Outcome::Failed
            };
            report.reason = format!(
                "{why}: {} of {} deleted{left_alone}; {} of them left; {again}",
                report.deleted.unwrap_or(0),
                count(report.matched),
                count(report.remaining)
            );
            return;
        }
        report.complete = report.remaining == Some(0);
        report.outcome = if report.complete {
            Outcome::Applied
        } else {
            Outcome::Incomplete
        };
        let written = match (self.settings.recheck, report.matching_now) {
            (true, Some(0)) => String::new(),
            (true, Some(n)) => {
                format!("{n} keys matching now were written during the run and left alone")
            }
            (true, None) => "the keys matching now could not be counted".into(),
            (false, _) => {
                "keys written during the run were left alone; --recheck counts them".into()
            }
        };
        report.reason = match report.remaining {
            None => format!(
                "the server could not be asked what is left of the matched keys{left_alone}; {written}"
            ),
            Some(_) => format!("{written}{left_alone}")
                .trim_start_matches("; ")
                .to_string(),
        };
    }
}

/// The counts of every node together.
fn sum_parts(parts: &stream::Parts) -> stream::Part {
    let mut all = stream::Part::default();
    for p in parts.values() {
        all.matched += p.matched;
        all.deleted += p.deleted;
        all.changed += p.changed;
        all.remaining += p.remaining;
        all.bytes += p.bytes;
        all.ahead += p.ahead;
        all.unknown |= p.unknown;
    }
    all
}

crate::render::document::write_view!(FlushReport, "flush", table);

#[cfg(test)]
mod snapshots {
    use super::*;

    fn node(port: u16) -> NodeAddr {
        NodeAddr::tcp("10.0.0.5", port)
    }

    fn report(mode: Mode, outcome: Outcome) -> FlushReport {
        FlushReport {
            node: node(6379),
            db: 0,
            pattern: "session:*".into(),
            mode,
            matched: Some(1500),
            deleted: Some(if outcome == Outcome::Applied { 1497 } else { 0 }),
            stopped_matching: if outcome == Outcome::Applied { 3 } else { 0 },
            complete: outcome == Outcome::Applied,
            sample: vec!["session:a1".into(), "session:\\xff\\n".into()],
            bytes: Some(1_536_000),
            remaining: (outcome == Outcome::Applied).then_some(0),
            matching_now: None,
            spilled_bytes: None,
            nodes: Vec::new(),
            streamed: false,
            resume: None,
            outcome,
            reason: match outcome {
                Outcome::Applied => "keys written during the run were left alone; --recheck counts them; 3 no longer matched the filter by their turn and were left alone".into(),
                _ => "--dry-run: nothing was changed".into(),
            },
            audit_log: (mode != Mode::DryRun).then(|| "/var/lib/cachectl/audit.jsonl".into()),
        }
    }

    #[test]
    fn a_pattern_flush_applied() {
        let r = report(Mode::Yes, Outcome::Applied);
        crate::render::json::pin_report!(r, table(&r, 80), "flush", "flush");
    }

    #[test]
    fn a_pattern_flush_dry_run() {
        let r = report(Mode::DryRun, Outcome::Planned);
        crate::render::json::pin_report!(r, table(&r, 80), "flush", "flush");
    }

    #[test]
    fn a_cluster_flush_stopped_part_way() {
        let mut r = report(Mode::Yes, Outcome::Failed);
        r.deleted = Some(900);
        r.remaining = Some(600);
        r.reason =
            "interrupted (Ctrl-C): 900 of 1500 deleted; 600 of them left; run it again with --resume flush.state to go on"
                .into();
        r.streamed = true;
        r.resume = Some(crate::scan::resume::ResumeNote {
            file: "flush.state".into(),
            resumed: true,
            runs: 2,
            finished: false,
        });
        r.nodes = vec![
            ShardReport {
                node: node(7000),
                matched: Some(750),
                deleted: Some(750),
                remaining: Some(0),
            },
            ShardReport {
                node: node(7001),
                matched: Some(750),
                deleted: Some(150),
                remaining: Some(600),
            },
        ];
        crate::render::json::pin_report!(r, table(&r, 80), "flush", "flush");
    }
}
