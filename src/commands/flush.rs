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

/// What a flush did.
#[derive(Debug, Serialize)]
pub struct FlushReport {
    pub node: NodeAddr,
    pub db: i64,
    /// The pattern, `*` for a whole database, or `(all databases)`.
    pub pattern: String,
    pub mode: Mode,
    /// Keys matched when the run started.
    pub matched: u64,
    pub deleted: u64,
    /// Every matched key that still existed was deleted.
    pub complete: bool,
    /// A few matched keys, escaped.
    pub sample: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// After the run: matched keys still there (EXISTS on each), and with
    /// `--recheck` (or a whole-database flush) the keys matching now
    /// (written during the run, untouched).
    pub remaining: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matching_now: Option<u64>,
    /// A Cluster: each primary's part (the totals above are their sums).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<ShardReport>,
    /// applied, planned, skipped, blocked or failed.
    pub outcome: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_log: Option<String>,
}

/// One primary's part of a Cluster flush.
#[derive(Debug, Serialize)]
pub struct ShardReport {
    pub node: NodeAddr,
    pub matched: u64,
    pub deleted: u64,
    pub remaining: u64,
}

/// A node the flush deletes on, with its connection.
struct Shard {
    addr: NodeAddr,
    session: Session,
}

fn fail(e: impl std::fmt::Display) -> CliError {
    CliError::Other(anyhow::anyhow!("{e}"))
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
    if let Some(db) = args.db.filter(|d| *d >= 0) {
        spec.db = db;
    }
    let ctx = Context::new(printer, resolve::timeouts(&args.target))?;
    let reached = match engine::reach(&ctx, &spec, args.output.output)? {
        engine::Reach::Open(r) => r,
        engine::Reach::Closed(status) => return Ok(status),
    };
    // A Cluster: every primary holds part of the keyspace.
    let cluster = reached.write_node("flush")?;
    let engine::Reached { spec, facts } = *reached;
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
        matched: 0,
        deleted: 0,
        complete: false,
        sample: Vec::new(),
        bytes: None,
        remaining: 0,
        matching_now: None,
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
    };
    let status = if filtered {
        run.by_pattern(&mut report)?
    } else {
        run.whole(&mut report)?
    };
    match args.output.output {
        OutputFormat::Json => printer.out(&render::json::envelope("flush", &target, &report)?)?,
        OutputFormat::Table => printer.out(&format!(
            "{}: deleted {} of {} keys matching {} in db {} on {}{}{}\n",
            report.outcome,
            report.deleted,
            report.matched,
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
}

impl Run<'_, '_> {
    /// The preflight (on every node it deletes on) and consent for `op`:
    /// the consent to go ahead, or the status to return with the report
    /// saying why nothing was deleted.
    fn hold(&mut self, op: &Operation, report: &mut FlushReport) -> Result<Consent, Status> {
        let sessions: Vec<Session> = self.shards.iter().map(|s| s.session.clone()).collect();
        let held = match self.ctx.runtime.block_on(self.mutator.clear(
            &sessions,
            self.node,
            op,
            &op.commands,
        )) {
            Ok(consent) => return Ok(consent),
            Err(held) => held,
        };
        report.outcome = held.outcome.into();
        report.reason = if held.outcome == "blocked" && held.reason.contains("renamed or disabled")
        {
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

    /// FLUSHDB / FLUSHALL ASYNC, on every primary.
    fn whole(&mut self, report: &mut FlushReport) -> Result<Status, CliError> {
        let (ctx, args) = (self.ctx, self.args);
        let command = if args.all { "FLUSHALL" } else { "FLUSHDB" };
        // FLUSHALL empties every database: count them all.
        let scope = (!args.all).then_some(report.db);
        let keys = |s: &Session| ctx.runtime.block_on(flush::keys_in(s, scope)).unwrap_or(0);
        let before: Vec<u64> = self.shards.iter().map(|s| keys(&s.session)).collect();
        report.matched = before.iter().sum();
        let op = Operation {
            node: report.node.clone(),
            targets: self.addrs(),
            origin: Origin::command("flush", Some(report.pattern.clone())),
            title: format!("{command} ASYNC"),
            safety: Safety::Destructive,
            commands: vec![vec![command.into(), "ASYNC".into()]],
            count: Some(report.matched),
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
            report.matched,
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
        for (shard, matched) in self.shards.iter().zip(before) {
            let on = Operation {
                node: shard.addr.clone(),
                targets: Vec::new(),
                count: Some(matched),
                ..op.clone()
            };
            if let Err(e) =
                ctx.runtime
                    .block_on(self.mutator.execute_batch(&shard.session, &on, &consent))
            {
                report.outcome = "failed".into();
                report.reason = format!("{}: {}", shard.addr, e.reason);
                return Ok(Status::Unknown);
            }
            report.deleted += matched;
            if self.shards.len() > 1 {
                report.nodes.push(ShardReport {
                    node: shard.addr.clone(),
                    matched,
                    deleted: matched,
                    remaining: 0,
                });
            }
        }
        report.outcome = "applied".into();
        report.complete = true;
        report.matching_now = Some(self.shards.iter().map(|s| keys(&s.session)).sum());
        Ok(Status::Ok)
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

    /// SCAN every node, then UNLINK exactly the keys that matched, in
    /// audited batches.
    fn by_pattern(&mut self, report: &mut FlushReport) -> Result<Status, CliError> {
        let (ctx, args) = (self.ctx, self.args);
        let sel = Selection {
            pattern: args.pattern.clone(),
            kind: args.kind.clone(),
            no_ttl: args.no_ttl,
            idle: args.idle,
            bytes: args.bytes,
        };
        // Every node's SCAN at once (a Cluster's primaries are separate
        // servers), each node's keys kept apart.
        let scans = ctx.runtime.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            for (i, shard) in self.shards.iter().enumerate() {
                let (session, sel) = (shard.session.clone(), sel.clone());
                tasks.spawn(async move { (i, flush::select(&session, &sel).await) });
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
                    self.shards[i].addr, e.detail
                ))
            })?);
        }
        if matched.len() != self.shards.len() {
            return Err(fail("a scan for matching keys did not finish"));
        }
        report.matched = matched.iter().map(|m| m.keys.len() as u64).sum();
        report.sample = matched
            .iter()
            .flat_map(|m| m.keys.iter())
            .take(10)
            .map(|k| pattern::escape(k))
            .collect();
        report.bytes = args.bytes.then(|| matched.iter().map(|m| m.bytes).sum());
        let probe = Operation {
            node: report.node.clone(),
            targets: self.addrs(),
            origin: Origin::command("flush", Some(report.pattern.clone())),
            title: format!("unlink {} keys matching {}", report.matched, report.pattern),
            safety: Safety::Destructive,
            commands: vec![vec!["UNLINK".into(), "key".into()]],
            count: Some(report.matched),
            summary: None,
            confirm: Some(self.confirm.to_string()),
        };
        let mut preview = format!(
            "{} keys match {} in db {} on {}",
            report.matched,
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
        if report.matched == 0 {
            report.outcome = "applied".into();
            report.complete = true;
            report.reason = "no key matched".into();
            return Ok(Status::Ok);
        }
        let consent = match self.hold(&probe, report) {
            Ok(consent) => consent,
            Err(status) => return Ok(status),
        };
        let bar = render::progress::Bar::new("keys");
        bar.total(report.matched);
        let started = Instant::now();
        let mut stopped: Option<String> = None;
        let mut deleted = vec![0u64; self.shards.len()];
        let batch = flush::batch_size(args.batch, args.rate);
        let (shards, one_by_one) = (self.shards, self.one_by_one);
        let mutator = &mut *self.mutator;
        ctx.runtime.block_on(async {
            let interrupt = engine::Interrupt::catch();
            'nodes: for (i, (shard, m)) in shards.iter().zip(&matched).enumerate() {
                for chunk in m.keys.chunks(batch) {
                    let op = Operation {
                        node: shard.addr.clone(),
                        targets: Vec::new(),
                        count: Some(chunk.len() as u64),
                        summary: Some(format!(
                            "UNLINK {} keys matching {}",
                            chunk.len(),
                            report.pattern
                        )),
                        ..probe.clone()
                    };
                    let mut pipe = redis::pipe();
                    flush::per_keys(&mut pipe, "UNLINK", chunk, one_by_one);
                    let shown = op.summary.clone().unwrap_or_default();
                    // A batch sent is seen to its reply (bounded by the
                    // command timeout), so `deleted` is what the server did.
                    match mutator
                        .send_audited(&shard.session, &op, &consent, &pipe, shown)
                        .await
                    {
                        Ok(replies) => {
                            let n = flush::sum(&replies);
                            deleted[i] += n;
                            report.deleted += n;
                            bar.advance(chunk.len() as u64);
                        }
                        Err(e) => {
                            stopped = Some(format!("{}: {}", shard.addr, e.reason));
                            break 'nodes;
                        }
                    }
                    if interrupt.fired() {
                        stopped = Some("interrupted (Ctrl-C)".into());
                        break 'nodes;
                    }
                    tokio::select! {
                        _ = flush::pace(args.rate, report.deleted, started) => {}
                        _ = interrupt.wait() => {
                            stopped = Some("interrupted (Ctrl-C)".into());
                            break 'nodes;
                        }
                    }
                }
            }
        });
        bar.finish();
        // The re-check: what is left of what matched (EXISTS), and with
        // --recheck what matches now (a second SCAN).
        let mut now = 0;
        for (i, (shard, m)) in self.shards.iter().zip(&matched).enumerate() {
            let left = ctx
                .runtime
                .block_on(flush::still_there(&shard.session, &m.keys, one_by_one))
                .unwrap_or(0);
            report.remaining += left;
            if args.recheck {
                if let Ok(found) = ctx.runtime.block_on(flush::select(
                    &shard.session,
                    &Selection {
                        bytes: false,
                        ..sel.clone()
                    },
                )) {
                    now += found.keys.len() as u64;
                }
            }
            if self.shards.len() > 1 {
                report.nodes.push(ShardReport {
                    node: shard.addr.clone(),
                    matched: m.keys.len() as u64,
                    deleted: deleted[i],
                    remaining: left,
                });
            }
        }
        if args.recheck {
            report.matching_now = Some(now);
        }
        match stopped {
            Some(why) => {
                report.outcome = "failed".into();
                report.reason = format!(
                    "{why}: {} of {} deleted; run it again to finish",
                    report.deleted, report.matched
                );
                Ok(Status::Unknown)
            }
            None => {
                report.outcome = "applied".into();
                report.complete = report.remaining == 0;
                report.reason = match report.matching_now {
                    Some(0) => String::new(),
                    Some(n) => {
                        format!("{n} keys matching now were written during the run and left alone")
                    }
                    None => {
                        "keys written during the run were left alone; --recheck counts them".into()
                    }
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
