//! `cachectl flush`: glue between its flags, the flush domain and the
//! mutation path.

use std::time::Instant;

use serde::Serialize;

use crate::cli::{FlushArgs, OutputFormat};
use crate::engine::{self, resolve, Context};
use crate::error::{CliError, Status};
use crate::flush::{self, Selection};
use crate::model::Safety;
use crate::mutate::preflight::NodeState;
use crate::mutate::{Consent, Mode, Mutator, Operation, Origin};
use crate::render::{self, Printer};
use crate::scan::pattern;
use crate::scan::Progress;
use crate::target::connect::Session;
use crate::target::NodeAddr;

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
    /// After the run: matched keys still there (EXISTS on each; unknown when
    /// the server could not be asked), and with `--recheck` (or a
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
    /// applied, planned, skipped, blocked, stopped or failed.
    pub outcome: String,
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

pub fn run(args: FlushArgs, printer: &Printer) -> Result<Status, CliError> {
    let filtered =
        args.pattern.is_some() || args.kind.is_some() || args.no_ttl || args.idle.is_some();
    if !filtered && !args.all && args.db.is_none() {
        return Err(CliError::Usage(
            "say what to flush: --pattern GLOB (with --type, --no-ttl, --idle), --db [N] for a whole database, or --all".into(),
        ));
    }
    let policy = resolve::policy(&args.mutation)?;
    let mut spec = resolve::target(&args.target)?;
    if let Some(Some(db)) = args.db {
        spec.db = db;
    }
    let ctx = Context::new(
        printer,
        resolve::timeouts_or(&args.target, resolve::LONG_TIMEOUT),
    )?;
    let reached = match engine::reach(&ctx, &spec, args.output.output)? {
        engine::Reach::Open(r) => r,
        engine::Reach::Closed(status) => return Ok(status),
    };
    // A Cluster: every primary holds part of the keyspace.
    let cluster = reached.write_node("flush")?;
    let engine::Reached { spec, facts } = *reached;
    if args.idle.is_some() {
        lfu_has_no_idle_time(&facts)?;
    }
    let nodes = engine::shards(&ctx, &spec, &facts)?;
    let shards = nodes
        .iter()
        .map(|n| {
            Ok(Shard {
                addr: n.addr.clone(),
                session: engine::session(&ctx, n)?,
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let target = spec.redacted_url();
    let mut report = FlushReport {
        node: spec.addr.clone(),
        db: spec.db,
        pattern: if args.all {
            "(all databases)".into()
        } else {
            args.pattern.clone().unwrap_or_else(|| "*".into())
        },
        mode: policy.mode,
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
        outcome: "skipped".into(),
        reason: String::new(),
        audit_log: policy.audit.as_ref().map(|a| a.path.display().to_string()),
    };
    let node = NodeState {
        user: spec.username.as_deref().unwrap_or("default"),
        is_replica: false,
        server: facts.server(),
        fd_limit: Err("not needed to flush".into()),
    };
    let confirm = format!("{}/{}", spec.addr, spec.db);
    let mut mutator = Mutator::new(policy, target.clone());
    let mut run = Run {
        ctx: &ctx,
        args: &args,
        shards: &shards,
        one_by_one: cluster,
        node: &node,
        mutator: &mut mutator,
        confirm: &confirm,
        waited: std::time::Duration::ZERO,
    };
    let status = if filtered {
        run.by_pattern(&mut report)?
    } else {
        run.whole(&mut report)?
    };
    match args.output.output {
        OutputFormat::Json => {
            printer.out_json(&render::json::envelope("flush", &target, &report))?
        }
        OutputFormat::Table => printer.out(&format!(
            "{}: deleted {} of {} keys matching {} in db {} on {}{}{}\n",
            report.outcome,
            count(report.deleted),
            count(report.matched),
            render::clean(&report.pattern),
            report.db,
            report.node,
            if report.complete { "" } else { "  INCOMPLETE" },
            if report.reason.is_empty() {
                String::new()
            } else {
                format!(" ({})", render::clean(&report.reason))
            }
        ))?,
    }
    Ok(status)
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
struct Run<'r, 'p> {
    ctx: &'r Context<'p>,
    args: &'r FlushArgs,
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

impl Run<'_, '_> {
    /// The preflight (on every node it deletes on) and consent for `op`:
    /// the consent to go ahead, or the status to return with the report
    /// saying why nothing was deleted.
    fn hold(&mut self, op: &Operation, report: &mut FlushReport) -> Result<Consent, Status> {
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
            Ok(consent) => return Ok(consent),
            Err(held) => held,
        };
        report.outcome = held.outcome.into();
        // FLUSHDB renamed away (managed services do): a pattern flush of
        // every key still empties the database, with UNLINK. Not when
        // UNLINK is what is missing.
        let flush_renamed = held.reason.starts_with("`FLUSHDB` is renamed or disabled")
            || held.reason.starts_with("`FLUSHALL` is renamed or disabled");
        report.reason = if held.outcome == "blocked" && flush_renamed {
            format!(
                "{}; `cachectl flush --pattern '*' --db {}` deletes the keys with SCAN + UNLINK instead",
                held.reason, report.db
            )
        } else {
            held.reason.clone()
        };
        Err(held.status())
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
    fn whole(&mut self, report: &mut FlushReport) -> Result<Status, CliError> {
        let (ctx, args) = (self.ctx, self.args);
        let command = if args.all { "FLUSHALL" } else { "FLUSHDB" };
        let scope = (!args.all).then_some(report.db);
        let keys = |s: &Session| ctx.runtime.block_on(flush::keys_in(s, args.all)).ok();
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
            confirm: Some(if args.all {
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
        let consent = match self.hold(&op, report) {
            Ok(consent) => consent,
            Err(status) => return Ok(status),
        };
        let mut deleted = Some(0u64);
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
                report.outcome = "failed".into();
                report.reason = format!("{}: {}", shard.addr, e.reason);
                report.deleted = None;
                return Ok(Status::Unknown);
            }
            // What the server says it holds now: FLUSHDB ASYNC empties the
            // keyspace at once (the memory is freed in the background).
            let after = keys(&shard.session);
            let gone = matched.zip(after).map(|(b, a)| b.saturating_sub(a));
            deleted = deleted.zip(gone).map(|(d, g)| d + g);
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
        report.outcome = "applied".into();
        let now: Option<u64> = self.shards.iter().map(|s| keys(&s.session)).sum();
        report.matching_now = now;
        report.remaining = now;
        report.complete = report.deleted.is_some();
        if report.deleted.is_none() {
            report.reason = "the server did not say how many keys it held (DBSIZE or INFO keyspace refused): the count is unknown".into();
        }
        Ok(if report.complete {
            Status::Ok
        } else {
            Status::Unknown
        })
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

    /// SCAN every node (stopping, nothing deleted, at Ctrl-C or the
    /// deadline), then delete exactly the keys that matched, each checked
    /// again as it is deleted, in audited batches.
    fn by_pattern(&mut self, report: &mut FlushReport) -> Result<Status, CliError> {
        let (ctx, args) = (self.ctx, self.args);
        let sel = Selection {
            pattern: args.pattern.clone(),
            kind: args.kind.clone(),
            no_ttl: args.no_ttl,
            idle: args.idle,
            bytes: args.bytes,
        };
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
            report.outcome = "stopped".into();
            report.reason = format!(
                "the scan for matching keys stopped ({why}) after {listed} keys: nothing was deleted, as the list is not every key that matches"
            );
            report.deleted = Some(0);
            return Ok(Status::Unknown);
        }
        report.matched = Some(listed);
        report.bytes = args.bytes.then(|| matched.iter().map(|m| m.bytes).sum());
        // The preflight checks the commands as they will be sent, with a
        // key of the real ones (an ACL may allow only some key patterns).
        let sample_key = matched
            .iter()
            .find_map(|m| m.keys.sample().first())
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .unwrap_or_else(|| "key".into());
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
        ctx.printer.status(&preview);
        if listed == 0 {
            report.outcome = "applied".into();
            report.complete = true;
            report.deleted = Some(0);
            report.remaining = Some(0);
            report.reason = "no key matched".into();
            return Ok(Status::Ok);
        }
        let consent = match self.hold(&probe, report) {
            Ok(consent) => consent,
            Err(status) => return Ok(status),
        };
        let bar = render::progress::Bar::new("keys");
        bar.total(listed);
        let started = Instant::now();
        let deadline = self.deadline();
        let mut stopped: Option<String> = None;
        let mut deleted = vec![0u64; self.shards.len()];
        let mut changed = 0u64;
        let batch = flush::batch_size(args.batch, args.rate);
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
                            changed += c;
                            bar.advance(chunk.len() as u64);
                        }
                        Err(e) => {
                            stopped = Some(format!("{}: {}", shard.addr, e.reason));
                            break 'nodes;
                        }
                    }
                    tokio::select! {
                        _ = flush::pace(args.rate, deleted.iter().sum(), started) => {}
                        _ = interrupt.wait() => {
                            stopped = Some("interrupted (Ctrl-C)".into());
                            break 'nodes;
                        }
                    }
                }
            }
        });
        bar.finish();
        report.deleted = Some(deleted.iter().sum());
        report.stopped_matching = changed;
        // The re-check: what is left of what matched (EXISTS), and with
        // --recheck what matches now (a second SCAN). A server that cannot
        // be asked leaves it unknown, never "0 left".
        let mut remaining = Some(0u64);
        let mut now = Some(0u64);
        for (i, (shard, m)) in self.shards.iter().zip(matched.iter_mut()).enumerate() {
            let left = ctx
                .runtime
                .block_on(flush::still_there(&shard.session, &mut m.keys, one_by_one))
                .ok();
            remaining = remaining.zip(left).map(|(a, b)| a + b);
            if args.recheck {
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
            if self.shards.len() > 1 {
                report.nodes.push(ShardReport {
                    node: shard.addr.clone(),
                    matched: Some(m.keys.len()),
                    deleted: Some(deleted[i]),
                    remaining: left,
                });
            }
        }
        report.remaining = remaining;
        if args.recheck {
            report.matching_now = now;
        }
        let left_alone = match changed {
            0 => String::new(),
            n => format!("; {n} no longer matched the filter by their turn and were left alone"),
        };
        match stopped {
            Some(why) => {
                report.outcome = "failed".into();
                report.reason = format!(
                    "{why}: {} of {listed} deleted{left_alone}; {} of them left; run it again to finish",
                    deleted.iter().sum::<u64>(),
                    count(report.remaining)
                );
                Ok(Status::Unknown)
            }
            None => {
                report.outcome = "applied".into();
                report.complete = report.remaining == Some(0);
                let written = match (args.recheck, report.matching_now) {
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
                Ok(if report.complete {
                    Status::Ok
                } else {
                    Status::Unknown
                })
            }
        }
    }
}
