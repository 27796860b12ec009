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
use crate::mutate::{Mode, Mutator, Operation, Origin};
use crate::render::{self, Printer};
use crate::scan::pattern;
use crate::scan::Progress;
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
    /// applied, planned, skipped, blocked or failed.
    pub outcome: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_log: Option<String>,
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
    let facts = engine::primary(&ctx, &spec, "flush")?;
    let session = engine::session(&ctx, &spec)?;
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
    let status = if filtered {
        by_pattern(
            &ctx,
            &args,
            &session,
            &node,
            &mut mutator,
            &confirm,
            &mut report,
        )?
    } else {
        whole(
            &ctx,
            &args,
            &session,
            &node,
            &mut mutator,
            &confirm,
            &mut report,
        )?
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

/// The preflight and consent for `op`: `None` to go ahead, or the status
/// to return with the report saying why nothing was deleted.
fn hold(
    ctx: &Context<'_>,
    session: &crate::target::connect::Session,
    node: &NodeState<'_>,
    mutator: &mut Mutator,
    op: &Operation,
    report: &mut FlushReport,
) -> Option<Status> {
    let held = ctx
        .runtime
        .block_on(mutator.clear(session, node, op, &op.commands))
        .err()?;
    report.outcome = held.outcome.into();
    report.reason = if held.outcome == "blocked" && held.reason.contains("renamed or disabled") {
        format!(
            "{}; `cachectl flush --pattern '*' --db {}` deletes the keys with SCAN + UNLINK instead",
            held.reason, report.db
        )
    } else {
        held.reason.clone()
    };
    Some(held.status())
}

/// FLUSHDB / FLUSHALL ASYNC.
fn whole(
    ctx: &Context<'_>,
    args: &FlushArgs,
    session: &crate::target::connect::Session,
    node: &NodeState<'_>,
    mutator: &mut Mutator,
    confirm: &str,
    report: &mut FlushReport,
) -> Result<Status, CliError> {
    let command = if args.all { "FLUSHALL" } else { "FLUSHDB" };
    // FLUSHALL empties every database: count them all.
    let scope = (!args.all).then_some(report.db);
    let keys = |s: &crate::target::connect::Session| {
        ctx.runtime.block_on(flush::keys_in(s, scope)).unwrap_or(0)
    };
    report.matched = keys(session);
    let op = Operation {
        node: report.node.clone(),
        origin: Origin::command("flush", Some(report.pattern.clone())),
        title: format!("{command} ASYNC"),
        safety: Safety::Destructive,
        commands: vec![vec![command.into(), "ASYNC".into()]],
        count: Some(report.matched),
        summary: None,
        confirm: Some(if args.all {
            report.node.to_string()
        } else {
            confirm.to_string()
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
        report.node
    ));
    if let Some(status) = hold(ctx, session, node, mutator, &op, report) {
        return Ok(status);
    }
    match ctx.runtime.block_on(mutator.execute_batch(session, &op)) {
        Ok(_) => {
            report.outcome = "applied".into();
            report.deleted = report.matched;
            report.complete = true;
            report.matching_now = Some(keys(session));
            Ok(Status::Ok)
        }
        Err(e) => {
            report.outcome = "failed".into();
            report.reason = e.reason;
            Ok(Status::Unknown)
        }
    }
}

/// SCAN, then UNLINK exactly the keys that matched, in audited batches.
fn by_pattern(
    ctx: &Context<'_>,
    args: &FlushArgs,
    session: &crate::target::connect::Session,
    node: &NodeState<'_>,
    mutator: &mut Mutator,
    confirm: &str,
    report: &mut FlushReport,
) -> Result<Status, CliError> {
    let sel = Selection {
        pattern: args.pattern.clone(),
        kind: args.kind.clone(),
        no_ttl: args.no_ttl,
        idle: args.idle,
        bytes: args.bytes,
    };
    let matched = ctx
        .runtime
        .block_on(flush::select(session, &sel))
        .map_err(|e| fail(format!("the scan for matching keys failed: {}", e.detail)))?;
    report.matched = matched.keys.len() as u64;
    report.sample = matched
        .keys
        .iter()
        .take(10)
        .map(|k| pattern::escape(k))
        .collect();
    report.bytes = args.bytes.then_some(matched.bytes);
    let probe = Operation {
        node: report.node.clone(),
        origin: Origin::command("flush", Some(report.pattern.clone())),
        title: format!("unlink {} keys matching {}", report.matched, report.pattern),
        safety: Safety::Destructive,
        commands: vec![vec!["UNLINK".into(), "key".into()]],
        count: Some(report.matched),
        summary: None,
        confirm: Some(confirm.to_string()),
    };
    let mut preview = format!(
        "{} keys match {} in db {} on {}",
        report.matched,
        render::clean(&report.pattern),
        report.db,
        report.node
    );
    if let Some(b) = report.bytes {
        preview.push_str(&format!(" ({})", render::table::human_bytes(b as i64)));
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
    if let Some(status) = hold(ctx, session, node, mutator, &probe, report) {
        return Ok(status);
    }
    let bar = render::progress::Bar::new("keys");
    bar.total(report.matched);
    let started = Instant::now();
    let mut stopped: Option<String> = None;
    ctx.runtime.block_on(async {
        let interrupt = engine::Interrupt::catch();
        for chunk in matched
            .keys
            .chunks(flush::batch_size(args.batch, args.rate))
        {
            let op = Operation {
                count: Some(chunk.len() as u64),
                summary: Some(format!(
                    "UNLINK {} keys matching {}",
                    chunk.len(),
                    report.pattern
                )),
                ..probe.clone()
            };
            let mut pipe = redis::pipe();
            let cmd = pipe.cmd("UNLINK");
            for k in chunk {
                cmd.arg(k.as_slice());
            }
            let shown = op.summary.clone().unwrap_or_default();
            // A batch sent is seen to its reply (bounded by the command
            // timeout), so `deleted` is what the server did.
            match mutator.send_audited(session, &op, &pipe, shown).await {
                Ok(replies) => {
                    report.deleted += replies
                        .first()
                        .and_then(crate::redis::reply::int)
                        .unwrap_or(0)
                        .max(0) as u64;
                    bar.advance(chunk.len() as u64);
                }
                Err(e) => {
                    stopped = Some(e.reason);
                    break;
                }
            }
            if interrupt.fired() {
                stopped = Some("interrupted (Ctrl-C)".into());
                break;
            }
            tokio::select! {
                _ = flush::pace(args.rate, report.deleted, started) => {}
                _ = interrupt.wait() => {
                    stopped = Some("interrupted (Ctrl-C)".into());
                    break;
                }
            }
        }
    });
    bar.finish();
    // The re-check: what is left of what matched (one EXISTS per batch),
    // and with --recheck what matches now (a second SCAN).
    if let Ok(left) = ctx
        .runtime
        .block_on(flush::still_there(session, &matched.keys))
    {
        report.remaining = left;
    }
    if args.recheck {
        if let Ok(now) = ctx.runtime.block_on(flush::select(
            session,
            &Selection {
                bytes: false,
                ..sel
            },
        )) {
            report.matching_now = Some(now.keys.len() as u64);
        }
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
                None => "keys written during the run were left alone; --recheck counts them".into(),
            };
            Ok(if report.complete {
                Status::Ok
            } else {
                Status::Unknown
            })
        }
    }
}
