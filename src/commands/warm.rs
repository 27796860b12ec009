//! `cachectl warm`: glue between its flags, the warm domain (records,
//! batches, checkpoints) and the mutation path.

use std::path::Path;
use std::time::Instant;

use redis::Value;
use serde::Serialize;

use crate::cli::{OutputFormat, WarmArgs};
use crate::engine::{self, resolve, Context};
use crate::error::{CliError, Status};
use crate::model::Safety;
use crate::mutate::preflight::NodeState;
use crate::mutate::{Mode, Mutator, Operation, Origin};
use crate::render::{self, Printer};
use crate::scan::Progress;
use crate::target::connect::Session;
use crate::target::NodeAddr;
use crate::warm::{self, BadLine, Checkpoint, Chunk, Format, Reader, Record};

/// Malformed lines kept in the report (all are counted).
const SAMPLES: usize = 20;

/// What a warm did.
#[derive(Debug, Serialize)]
pub struct WarmReport {
    pub node: NodeAddr,
    pub db: i64,
    pub source: String,
    /// jsonl, csv, or redis (--from).
    pub format: &'static str,
    pub mode: Mode,
    pub replace: bool,
    /// Line the run started at (0, or where a checkpoint left off).
    pub started_at_line: u64,
    /// Lines read and records parsed in this run.
    pub lines: u64,
    pub records: u64,
    /// Keys written; keys left alone because they existed; malformed lines
    /// plus writes Redis refused.
    pub written: u64,
    pub existing: u64,
    pub errors: u64,
    pub oom: u64,
    pub bad_lines: Vec<BadLine>,
    /// The whole file was read and every batch answered.
    pub complete: bool,
    /// applied, planned, skipped, blocked or failed.
    pub outcome: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_log: Option<String>,
}

/// The commands a warm may send, for the preflight (ACL, renamed commands).
fn commands(replace: bool) -> Vec<Vec<String>> {
    let mut c: Vec<Vec<String>> = [
        &["SET", "key", "value", "NX"][..],
        &["HSET", "key", "field", "value"],
        &["SADD", "key", "member"],
        &["ZADD", "key", "1", "member"],
        &["RPUSH", "key", "element"],
        &["EXPIRE", "key", "1"],
        &["EXISTS", "key"],
    ]
    .iter()
    .map(|c| c.iter().map(|s| s.to_string()).collect())
    .collect();
    if replace {
        c.push(vec!["DEL".into(), "key".into()]);
    }
    c
}

pub fn run(args: WarmArgs, printer: &Printer) -> Result<Status, CliError> {
    let policy = resolve::policy(&args.mutation)?;
    let spec = resolve::target(&args.target)?;
    let ctx = Context::new(printer, resolve::timeouts(&args.target))?;
    let source = match (&args.file, &args.from) {
        (Some(file), _) => Source::file(file, args.format, args.resume.as_deref())?,
        (None, Some(url)) => Source::redis(&ctx, url, &args.pattern, &spec)?,
        (None, None) => {
            return Err(CliError::Usage(
                "say where from: --file PATH or --from URL".into(),
            ))
        }
    };
    let facts = engine::primary(&ctx, &spec, "warm")?;
    let session = engine::session(&ctx, &spec)?;
    let target = spec.redacted_url();
    let mut report = WarmReport {
        node: spec.addr.clone(),
        db: spec.db,
        source: source.label.clone(),
        format: source.format,
        mode: policy.mode,
        replace: args.replace,
        started_at_line: source.checkpoint.line,
        lines: 0,
        records: 0,
        written: 0,
        existing: 0,
        errors: 0,
        oom: 0,
        bad_lines: Vec::new(),
        complete: false,
        outcome: "skipped".into(),
        reason: String::new(),
        checkpoint: args.resume.as_ref().map(|p| p.display().to_string()),
        audit_log: policy.audit.as_ref().map(|a| a.path.display().to_string()),
    };
    let node = NodeState {
        user: spec.username.as_deref().unwrap_or("default"),
        is_replica: false,
        server: facts.server(),
        fd_limit: Err("not needed to warm".into()),
    };
    let mut mutator = Mutator::new(policy, target.clone());
    let status = warm(
        &ctx,
        &args,
        &session,
        &node,
        &mut mutator,
        source,
        &mut report,
    )?;
    match args.output.output {
        OutputFormat::Json => printer.out(&render::json::envelope("warm", &target, &report)?)?,
        OutputFormat::Table => printer.out(&summary(&report))?,
    }
    Ok(status)
}

fn summary(r: &WarmReport) -> String {
    let mut table = render::table::new_table(
        &[
            "source", "records", "written", "existing", "errors", "complete",
        ],
        render::table_width(),
    );
    table.add_row(vec![
        render::clean(&r.source).into_owned(),
        r.records.to_string(),
        r.written.to_string(),
        r.existing.to_string(),
        r.errors.to_string(),
        if r.complete { "yes" } else { "NO" }.to_string(),
    ]);
    let mut out = format!(
        "{}: warm of db {} on {}\n{table}\n",
        r.outcome, r.db, r.node
    );
    for b in &r.bad_lines {
        out.push_str(&format!(
            "{}:{}: {}\n",
            render::clean(&r.source),
            b.line,
            render::clean(&b.reason)
        ));
    }
    if !r.reason.is_empty() {
        out.push_str(&format!("{}\n", render::clean(&r.reason)));
    }
    out
}

/// Why a run stopped before the end of the file.
enum Stop {
    Interrupted,
    Oom,
    TooManyErrors,
    Failed(String),
}

/// Where the records come from, and how far an earlier run got.
struct Source {
    /// The file, or the source's redacted URL and pattern.
    label: String,
    format: &'static str,
    /// Bytes of the file, or keys on the source.
    total: u64,
    unit: &'static str,
    checkpoint: Checkpoint,
    feed: Feed,
}

enum Feed {
    /// The path, read when the run starts.
    File(std::path::PathBuf, Format),
    Redis {
        source: Session,
        pattern: String,
    },
}

impl Source {
    fn file(
        path: &Path,
        format: Option<Format>,
        resume: Option<&Path>,
    ) -> Result<Source, CliError> {
        let format = format.unwrap_or_else(|| Format::guess(path));
        let size = std::fs::metadata(path)
            .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?
            .len();
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let resumed = match resume {
            Some(ckpt) => Checkpoint::load(ckpt, &canonical, size).map_err(CliError::Usage)?,
            None => None,
        };
        Ok(Source {
            label: path.display().to_string(),
            format: match format {
                Format::Jsonl => "jsonl",
                Format::Csv => "csv",
            },
            total: size,
            unit: "bytes",
            checkpoint: resumed.unwrap_or_else(|| Checkpoint::start(canonical, size)),
            feed: Feed::File(path.to_path_buf(), format),
        })
    }

    fn redis(
        ctx: &Context<'_>,
        url: &str,
        pattern: &str,
        target: &crate::target::TargetSpec,
    ) -> Result<Source, CliError> {
        let mut spec =
            crate::target::parse_url(url).map_err(|e| CliError::Usage(format!("--from: {e}")))?;
        spec.max_reply = target.max_reply;
        if spec.addr == target.addr && spec.db == target.db {
            return Err(CliError::Usage(format!(
                "--from names the target itself ({} db {})",
                spec.addr, spec.db
            )));
        }
        let source = ctx
            .runtime
            .block_on(crate::target::connect::connect(&spec, &ctx.timeouts))
            .map_err(|f| {
                CliError::Other(anyhow::anyhow!(
                    "cannot connect to the source {}: {}",
                    spec.addr,
                    f.detail
                ))
            })?;
        let keys = ctx
            .runtime
            .block_on(source.query::<i64>(&redis::cmd("DBSIZE")))
            .unwrap_or(0)
            .max(0) as u64;
        Ok(Source {
            label: format!("{} ({})", spec.redacted_url(), pattern),
            format: "redis",
            total: keys,
            unit: "keys",
            checkpoint: Checkpoint::start(Default::default(), 0),
            feed: Feed::Redis {
                source,
                pattern: pattern.to_string(),
            },
        })
    }
}

fn warm(
    ctx: &Context<'_>,
    args: &WarmArgs,
    session: &Session,
    node: &NodeState<'_>,
    mutator: &mut Mutator,
    source: Source,
    report: &mut WarmReport,
) -> Result<Status, CliError> {
    let mut checkpoint = source.checkpoint;
    let op = Operation {
        node: report.node.clone(),
        origin: Origin::command("warm", None),
        title: format!(
            "warm db {} from {}{}",
            report.db,
            report.source,
            if args.replace {
                ", replacing existing keys"
            } else {
                ""
            }
        ),
        safety: if args.replace {
            Safety::Destructive
        } else {
            Safety::Safe
        },
        commands: commands(args.replace),
        count: None,
        summary: None,
        confirm: Some(report.node.to_string()),
    };
    ctx.printer.status(&match &source.feed {
        Feed::File(_, format) => format!(
            "{} bytes of {} records from {}{} into db {} on {}",
            source.total - checkpoint.offset,
            match format {
                Format::Jsonl => "JSON Lines",
                Format::Csv => "CSV",
            },
            render::clean(&report.source),
            if checkpoint.line > 0 {
                format!(" (resuming after line {})", checkpoint.line)
            } else {
                String::new()
            },
            report.db,
            report.node
        ),
        Feed::Redis { .. } => format!(
            "keys from {} ({} keys there) into db {} on {}",
            render::clean(&report.source),
            source.total,
            report.db,
            report.node
        ),
    });
    if let Err(held) = ctx
        .runtime
        .block_on(mutator.clear(session, node, &op, &op.commands))
    {
        report.outcome = held.outcome.into();
        report.reason = held.reason.clone();
        return Ok(held.status());
    }
    // Totals of the runs before this one, from the checkpoint.
    let base = (checkpoint.written, checkpoint.existing, checkpoint.errors);
    let bar = render::progress::Bar::new(source.unit);
    bar.total(source.total);
    bar.advance(checkpoint.offset);
    let started = Instant::now();
    let mut stop: Option<Stop> = None;
    ctx.runtime.block_on(async {
        let interrupt = engine::Interrupt::catch();
        let mut chunks = match Chunks::start(source.feed, &checkpoint, args.rate) {
            Ok(c) => c,
            Err(e) => {
                stop = Some(Stop::Failed(e));
                return;
            }
        };
        loop {
            let chunk = match chunks.next().await {
                None => {
                    report.complete = true;
                    break;
                }
                Some(Ok(c)) => c,
                Some(Err(e)) => {
                    stop = Some(Stop::Failed(format!("reading {}: {e}", report.source)));
                    break;
                }
            };
            let records = chunk.records;
            report.lines += chunk.last_line + 1 - chunk.first_line;
            report.records += records.len() as u64;
            report.errors += chunk.bad.len() as u64;
            for b in chunk.bad {
                if report.bad_lines.len() < SAMPLES {
                    report.bad_lines.push(b);
                }
            }
            let batch = Operation {
                count: Some(records.len() as u64),
                summary: Some(format!(
                    "warm {} records from {} lines {}-{}",
                    records.len(),
                    report.source,
                    chunk.first_line,
                    chunk.last_line
                )),
                ..op.clone()
            };
            // A batch sent is seen to its reply (bounded by the command
            // timeout): the counts and the checkpoint are what the server did.
            match write_batch(session, mutator, &batch, &records, args.replace).await {
                Ok(t) => {
                    report.written += t.written;
                    report.existing += t.existing;
                    report.errors += t.errors;
                    report.oom += t.oom;
                    if t.oom > 0 && !args.continue_on_oom {
                        stop = Some(Stop::Oom);
                        break;
                    }
                }
                Err(why) => {
                    stop = Some(Stop::Failed(why));
                    break;
                }
            }
            bar.advance(chunk.bytes);
            checkpoint.offset = chunk.end_offset;
            checkpoint.line = chunk.last_line;
            checkpoint.written = base.0 + report.written;
            checkpoint.existing = base.1 + report.existing;
            checkpoint.errors = base.2 + report.errors;
            if let Some(path) = &args.resume {
                if let Err(e) = checkpoint.save(path) {
                    stop = Some(Stop::Failed(format!(
                        "cannot write the checkpoint {}: {e}",
                        path.display()
                    )));
                    break;
                }
            }
            if report.errors > args.max_errors {
                stop = Some(Stop::TooManyErrors);
                break;
            }
            if interrupt.fired() {
                stop = Some(Stop::Interrupted);
                break;
            }
            let paced = crate::flush::pace(args.rate, report.written + report.existing, started);
            tokio::select! {
                _ = paced => {}
                _ = interrupt.wait() => {
                    stop = Some(Stop::Interrupted);
                    break;
                }
            }
        }
    });
    bar.finish();
    let resume = match &args.resume {
        Some(p) => format!("rerun with --resume {} to go on", p.display()),
        None if args.from.is_some() => "rerun: keys already copied are skipped".into(),
        None => "rerun (existing keys are left alone) or add --resume FILE next time".into(),
    };
    let done = format!(
        "{} written, {} existing, up to line {} of {}",
        report.written, report.existing, checkpoint.line, report.source
    );
    match stop {
        None => {
            report.outcome = "applied".into();
            if report.errors > 0 {
                report.reason = format!(
                    "{} errors (malformed lines or refused writes); the rest was written",
                    report.errors
                );
            }
            Ok(if report.errors > 0 {
                Status::Warning
            } else {
                Status::Ok
            })
        }
        Some(why) => {
            report.outcome = "failed".into();
            report.reason = match why {
                Stop::Interrupted => format!("interrupted (Ctrl-C): {done}; {resume}"),
                Stop::Oom => format!(
                    "Redis is out of memory (OOM: maxmemory reached and nothing can be evicted): {done}; \
                     the last batch may be partly written. Free memory or raise maxmemory \
                     (`cachectl memory`), then {resume}; --continue-on-oom goes on regardless"
                ),
                Stop::TooManyErrors => format!(
                    "stopped after {} errors (more than --max-errors {}): {done}; fix the input, then {resume}",
                    report.errors, args.max_errors
                ),
                Stop::Failed(e) => format!("{e}: {done}; {resume}"),
            };
            Ok(Status::Unknown)
        }
    }
}

/// The batches of a run, from a file (parsed ahead on a thread) or from
/// another Redis (a SCAN page of DUMPs at a time).
enum Chunks {
    File(tokio::sync::mpsc::Receiver<std::io::Result<Chunk>>),
    Redis {
        source: Session,
        pattern: String,
        cursor: u64,
        done: bool,
    },
}

impl Chunks {
    fn start(feed: Feed, at: &Checkpoint, rate: Option<u64>) -> Result<Chunks, String> {
        Ok(match feed {
            Feed::File(path, format) => {
                let reader = Reader::open(&path, format, at.offset, at.line)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                Chunks::File(warm::read_ahead(reader, warm::batch_size(rate)))
            }
            Feed::Redis { source, pattern } => Chunks::Redis {
                source,
                pattern,
                cursor: 0,
                done: false,
            },
        })
    }

    async fn next(&mut self) -> Option<Result<Chunk, String>> {
        match self {
            Chunks::File(rx) => rx.recv().await.map(|r| r.map_err(|e| e.to_string())),
            Chunks::Redis {
                source,
                pattern,
                cursor,
                done,
            } => loop {
                if *done {
                    return None;
                }
                match warm::dump_page(source, *cursor, pattern).await {
                    Err(e) => return Some(Err(format!("the source: {}", e.detail))),
                    Ok((next, records)) => {
                        *cursor = next;
                        *done = next == 0;
                        if !records.is_empty() {
                            let n = records.len() as u64;
                            return Some(Ok(Chunk {
                                records,
                                bad: Vec::new(),
                                first_line: 1,
                                last_line: 0,
                                end_offset: 0,
                                bytes: n,
                            }));
                        }
                    }
                }
            },
        }
    }
}

/// What one batch did.
#[derive(Default)]
struct Tally {
    written: u64,
    existing: u64,
    errors: u64,
    oom: u64,
}

/// Writes one batch: which non-string keys exist is asked first (strings
/// use SET NX), then one audited pipeline stores the rest.
async fn write_batch(
    session: &Session,
    mutator: &mut Mutator,
    op: &Operation,
    records: &[Record],
    replace: bool,
) -> Result<Tally, String> {
    let mut tally = Tally::default();
    let mut exists = vec![false; records.len()];
    if !replace {
        let others: Vec<usize> = (0..records.len())
            .filter(|&i| !warm::refuses_existing(&records[i]))
            .collect();
        if !others.is_empty() {
            let mut pipe = redis::pipe();
            for &i in &others {
                pipe.cmd("EXISTS").arg(records[i].key.as_slice());
            }
            let found: Vec<i64> = session
                .query_pipeline(&pipe)
                .await
                .map_err(|e| format!("EXISTS failed: {}", e.detail))?;
            for (&i, n) in others.iter().zip(found) {
                exists[i] = n > 0;
            }
        }
    }
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    let mut spans = Vec::with_capacity(records.len());
    for (r, &there) in records.iter().zip(&exists) {
        if there {
            tally.existing += 1;
            spans.push(0);
        } else {
            spans.push(warm::write(&mut pipe, r, replace));
        }
    }
    if spans.iter().all(|&n| n == 0) {
        return Ok(tally);
    }
    let shown = op.summary.clone().unwrap_or_default();
    let replies = mutator
        .send_audited(session, op, &pipe, shown)
        .await
        .map_err(|e| e.reason)?;
    let mut replies = replies.into_iter();
    for (r, n) in records.iter().zip(spans) {
        if n == 0 {
            continue;
        }
        let mine: Vec<Value> = replies.by_ref().take(n).collect();
        let refused = mine.iter().find_map(|v| match v {
            Value::ServerError(e) => Some(e.code().to_string()),
            _ => None,
        });
        match refused {
            // RESTORE without REPLACE on a key that exists.
            Some(code) if code == "BUSYKEY" => tally.existing += 1,
            Some(code) if code == "OOM" => {
                tally.oom += 1;
                tally.errors += 1;
            }
            Some(_) => tally.errors += 1,
            None if matches!(r.data, warm::Data::String(_))
                && mine.first() == Some(&Value::Nil) =>
            {
                tally.existing += 1
            }
            None => tally.written += 1,
        }
    }
    Ok(tally)
}
