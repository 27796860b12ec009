//! A warm's run: its sources opened (files, another Redis, URLs), one
//! consent for them all, the batches written (or requested) with their
//! checkpoints, and the hit-rate check after.

use std::path::{Path, PathBuf};
use std::time::Instant;

use redis::Value;
use serde::Serialize;

use crate::engine::writer::Writer;
use crate::engine::{self, Context};
use crate::error::{CliError, Status};
use crate::facts::Facts;
use crate::http::probe::App;
use crate::interrupt::Interrupt;
use crate::model::Safety;
use crate::mutate::preflight::NodeState;
use crate::mutate::{Consent, Mode, Mutator, Operation, Origin};
use crate::outcome::Outcome;
use crate::render;
use crate::scan::Progress;
use crate::target::cluster::Router;
use crate::target::connect::Session;
use crate::target::NodeAddr;
use crate::warm::check::{self, HitRateCheck, Thresholds};
use crate::warm::plan::{self, Kind, Planned, Priority};
use crate::warm::urls::{self, Request};
use crate::warm::{self, BadLine, Checkpoint, Checkpoints, Chunk, Format, Reader, Record};

/// Malformed lines (or failed requests) kept in the report; all are counted.
const SAMPLES: usize = 20;

/// URLs requested per batch (one audit record each) without `--rate`.
const URL_BATCH: usize = 256;

/// What a warm did, over all its sources.
#[derive(Debug, Serialize)]
pub struct WarmReport {
    pub node: NodeAddr,
    pub db: i64,
    pub mode: Mode,
    pub replace: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    pub critical_only: bool,
    /// Each source, in the order run.
    pub sources: Vec<SourceReport>,
    /// Totals of this run over every source: records (or URLs) read, keys
    /// written (or URLs answered 2xx), keys left alone because they
    /// existed, errors (malformed lines, refused writes, failed requests).
    pub records: u64,
    pub written: u64,
    pub existing: u64,
    pub errors: u64,
    pub oom: u64,
    /// Every source was read to its end and every batch answered.
    pub complete: bool,
    /// Keys in the database before and after the run.
    pub keys_before: u64,
    pub keys_after: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<HitRateCheck>,
    /// applied, planned, skipped, blocked, stopped or failed.
    pub outcome: Outcome,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_log: Option<String>,
}

/// What one source did.
#[derive(Debug, Serialize)]
pub struct SourceReport {
    pub name: String,
    pub priority: Priority,
    /// The file, or the source's redacted URL and pattern.
    pub source: String,
    /// jsonl, csv, redis (--from) or urls.
    pub format: &'static str,
    /// Line the run started at (0, or where a checkpoint left off).
    pub started_at_line: u64,
    pub lines: u64,
    pub records: u64,
    pub written: u64,
    pub existing: u64,
    pub errors: u64,
    pub oom: u64,
    /// URLs: answers by status code or failure.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub statuses: std::collections::BTreeMap<String, u64>,
    /// Records by Redis type (a dry run reads them all).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub types: std::collections::BTreeMap<String, u64>,
    /// Malformed lines and failed requests, by line (the first 20).
    pub bad_lines: Vec<BadLine>,
    pub complete: bool,
    /// done, stopped or not started.
    pub state: &'static str,
}

/// The commands a warm may send, one of each verb: what its consent covers
/// and the preflight checks (ACL, renamed commands) on every node that
/// receives them. Records from files are SET, HSET, SADD, ZADD, RPUSH and
/// EXPIRE (DEL first with --replace); a copy from another Redis (`--from`)
/// is RESTORE.
fn commands(replace: bool, records: bool, dumps: bool) -> Vec<Vec<String>> {
    let words = |c: &[&str]| {
        c.iter()
            .map(std::string::ToString::to_string)
            .collect::<Vec<String>>()
    };
    let mut c: Vec<Vec<String>> = Vec::new();
    if records {
        c.extend(
            [
                &["SET", "key", "value", "NX"][..],
                &["HSET", "key", "field", "value"],
                &["SADD", "key", "member"],
                &["ZADD", "key", "1", "member"],
                &["RPUSH", "key", "element"],
                &["EXPIRE", "key", "1"],
            ]
            .iter()
            .map(|c| words(c)),
        );
        if replace {
            c.push(words(&["MULTI"]));
            c.push(words(&["DEL", "key"]));
            c.push(words(&["EXEC"]));
        }
    }
    if dumps {
        let mut restore = words(&["RESTORE", "key", "0", "payload"]);
        if replace {
            restore.push("REPLACE".into());
        }
        c.push(restore);
    }
    c
}

/// Where a warm reads from.
#[derive(Debug, Clone)]
pub enum SourceChoice {
    /// A plan of several sources, most important first.
    Plan { path: PathBuf, critical_only: bool },
    /// A file of records, its format when its name does not say.
    File(PathBuf, Option<Format>),
    /// Another Redis: the keys matching the pattern, of one type if given.
    From {
        url: String,
        pattern: String,
        kind: Option<crate::scan::KeyType>,
    },
    /// A file of URLs to request.
    Urls(PathBuf),
}

/// What a warm is asked, beyond its sources.
pub struct WarmSettings {
    pub replace: bool,
    pub critical_only: bool,
    /// The checkpoint file.
    pub resume: Option<PathBuf>,
    pub max_errors: u64,
    pub continue_on_oom: bool,
    /// Records (or URLs) per second, at most.
    pub rate: Option<u64>,
    /// URLs requested at once.
    pub concurrency: u64,
    /// The HTTP client of URL sources and the check (the application's
    /// when `app` is set); none when nothing is requested over HTTP.
    pub http: Option<App>,
    /// `--app` was given: URL paths are below it and the check reads it.
    pub app: bool,
    /// `--check`: watch the hit rate this long after, judged by the
    /// runbooks in these directories.
    pub check: Option<(std::time::Duration, Vec<PathBuf>, crate::runbook::Tuning)>,
}

/// Warms the writer's node from `sources` and checks the hit rate after
/// when asked.
pub fn run(
    w: &mut Writer<'_>,
    facts: &Facts,
    label: Option<String>,
    planned: Vec<Planned>,
    settings: &WarmSettings,
) -> Result<(WarmReport, Status), CliError> {
    // A Cluster: each key goes to the primary serving its slot.
    let cluster = w.write_node(facts, "warm")?;
    let (ctx, spec) = (&w.ctx, &w.spec);
    // The check's thresholds and /metrics step come from the runbooks:
    // a bad runbook is a usage error before anything is written.
    let check_with = match &settings.check {
        Some((window, dirs, tuning)) => {
            let set = crate::runbook::load_tuned(dirs, tuning)?;
            let step = set
                .get("app-hit-rate")
                .and_then(|r| r.http.iter().find(|s| s.id == "metrics"))
                .cloned();
            Some((*window, Thresholds::of(&set), step))
        }
        None => None,
    };
    let checkpoints = match &settings.resume {
        Some(path) => Checkpoints::load(path).map_err(CliError::Usage)?,
        None => Checkpoints::default(),
    };
    let mut sources = Vec::new();
    for p in planned {
        sources.push(Source::open(ctx, p, spec, settings, &checkpoints)?);
    }
    let router = if cluster {
        Some(
            ctx.runtime
                .block_on(Router::of(spec, &ctx.timeouts))
                .map_err(|e| CliError::Other(anyhow::anyhow!(e)))?,
        )
    } else {
        None
    };
    let session = engine::session(ctx, spec)?;
    // Every node that holds keys: the primaries, or the one.
    let holders: Vec<Session> = match &router {
        Some(r) => r.nodes.iter().map(|(_, s)| s.clone()).collect(),
        None => vec![session.clone()],
    };
    let keys = |nodes: &[Session]| {
        nodes
            .iter()
            .map(|s| {
                ctx.runtime
                    .block_on(crate::flush::keys_in(s, false))
                    .unwrap_or(0)
            })
            .sum::<u64>()
    };
    let mut report = WarmReport {
        node: spec.addr.clone(),
        db: spec.db,
        mode: w.mode(),
        replace: settings.replace,
        plan: label,
        critical_only: settings.critical_only,
        sources: Vec::new(),
        records: 0,
        written: 0,
        existing: 0,
        errors: 0,
        oom: 0,
        complete: false,
        keys_before: keys(&holders),
        keys_after: 0,
        check: None,
        outcome: Outcome::Skipped,
        reason: String::new(),
        checkpoint: settings.resume.as_ref().map(|p| p.display().to_string()),
        audit_log: w.audit_log(),
    };
    let node = crate::engine::writer::node(&w.spec, facts);
    let http = settings.http.as_ref();
    let mut run = Warming {
        ctx,
        settings,
        session: &session,
        router: router.as_ref(),
        http,
        node: &node,
        mutator: &mut w.mutator,
        checkpoints,
    };
    let mut status = run.warm(sources, &mut report);
    report.keys_after = keys(&holders);
    if let (Some((window, thresholds, step)), Outcome::Applied) = (check_with, report.outcome) {
        let app = http.filter(|_| settings.app);
        if app.is_some() && step.is_none() {
            ctx.printer
                .status("no app-hit-rate runbook with a `metrics` step: the application's rate is not checked");
        }
        ctx.printer
            .status(&format!("checking the hit rate for {window:?}"));
        let interrupt = ctx.runtime.block_on(async { Interrupt::catch() });
        let measured = ctx.runtime.block_on(check::run(
            &holders,
            app.zip(step.as_ref()),
            window,
            thresholds,
            interrupt.wait(),
        ));
        status = status.worst(measured.status());
        report.check = Some(measured);
    }
    Ok((report, status))
}

/// The sources a choice names: a plan's (ordered, maybe critical only),
/// or the one file, Redis or list of URLs; the plan's path as its label.
pub fn sources(choice: SourceChoice) -> Result<(Option<String>, Vec<Planned>), CliError> {
    let one = |name: &str, kind| Planned {
        name: name.into(),
        priority: Priority::Normal,
        kind,
        rate: None,
        concurrency: None,
    };
    Ok(match choice {
        SourceChoice::Plan {
            path,
            critical_only,
        } => {
            let all = plan::load(&path).map_err(|e| CliError::Usage(e.to_string()))?;
            let chosen = plan::order(all, critical_only);
            if chosen.is_empty() {
                return Err(CliError::Usage(format!(
                    "{} has no critical source (--critical-only)",
                    path.display()
                )));
            }
            (Some(path.display().to_string()), chosen)
        }
        SourceChoice::File(file, format) => (None, vec![one("file", Kind::File(file, format))]),
        SourceChoice::From { url, pattern, kind } => {
            (None, vec![one("from", Kind::Redis { url, pattern, kind })])
        }
        SourceChoice::Urls(list) => (None, vec![one("urls", Kind::Urls(list))]),
    })
}

/// The table of a warm: a row a source, then what went wrong and the check.
pub fn table(r: &WarmReport) -> String {
    table_at(r, render::table_width())
}

/// The table, `width` columns wide.
pub fn table_at(r: &WarmReport, width: u16) -> String {
    let complete = |s: &SourceReport| match (s.complete, s.state) {
        (true, _) => "yes".to_string(),
        (false, state) => format!("NO ({state})"),
    };
    let mut out = format!(
        "{}: warm of db {} on {} ({} keys before, {} after)\n",
        r.outcome, r.db, r.node, r.keys_before, r.keys_after
    );
    if width < render::table::COMPACT_BELOW {
        // A line a source: a file name is never split across table cells.
        for s in &r.sources {
            let line = format!(
                "{} ({}), {}:  {} records  {} written  {} existing  {} errors  complete {}",
                render::clean(&s.name),
                render::clean(&s.source),
                format!("{:?}", s.priority).to_lowercase(),
                s.records,
                s.written,
                s.existing,
                s.errors,
                complete(s)
            );
            // Its figures whole; a line of them that goes on, indented.
            out.push_str("  ");
            out.push_str(render::table::spaced(&line, width, "    ").trim_start());
            out.push('\n');
        }
    } else {
        let mut table = render::table::new_table(
            &[
                "source", "priority", "records", "written", "existing", "errors", "complete",
            ],
            width,
        );
        for s in &r.sources {
            table.add_row(vec![
                render::clean(&format!("{} ({})", s.name, s.source)).into_owned(),
                format!("{:?}", s.priority).to_lowercase(),
                s.records.to_string(),
                s.written.to_string(),
                s.existing.to_string(),
                s.errors.to_string(),
                complete(s),
            ]);
        }
        out.push_str(&render::table::shown(table, width));
        out.push('\n');
    }
    for s in r.sources.iter().filter(|s| !s.types.is_empty()) {
        let types: Vec<String> = s.types.iter().map(|(t, n)| format!("{t} {n}")).collect();
        out.push_str(&format!(
            "{}: {} records in {} lines ({}), {} malformed\n",
            render::clean(&s.name),
            s.records,
            s.lines,
            types.join(", "),
            s.errors
        ));
    }
    for s in &r.sources {
        for (status, n) in &s.statuses {
            let name = render::clean(&s.name);
            out.push_str(&match status.parse::<u16>() {
                Ok(code) => format!("{name}: {n} answered {code}\n"),
                Err(_) => format!("{name}: {n} failed ({})\n", render::clean(status)),
            });
        }
        for b in &s.bad_lines {
            out.push_str(&format!(
                "{}:{}: {}\n",
                render::clean(&s.source),
                b.line,
                render::clean(&b.reason)
            ));
        }
    }
    if !r.reason.is_empty() {
        out.push_str(&format!("{}\n", render::clean(&r.reason)));
    }
    if let Some(c) = &r.check {
        let line = |side: &str, rate: &check::Rate| match rate.verdict {
            "unreadable" => format!("{side}: unreadable ({})\n", render::clean(&rate.error)),
            verdict => format!(
                "{side}: {} hits, {} misses: {} ({verdict})\n",
                rate.hits,
                rate.misses,
                rate.hit_rate
                    .map_or("no lookups".into(), |p| format!("{p}%")),
            ),
        };
        out.push_str(&format!(
            "hit rate over {} s{} (warning under {}%, critical under {}%):\n",
            c.window_s,
            if c.interrupted { ", cut short" } else { "" },
            c.thresholds.warning * 100.0,
            c.thresholds.critical * 100.0
        ));
        out.push_str(&line("  redis", &c.redis));
        if let Some(app) = &c.app {
            out.push_str(&line("  application", app));
        }
    }
    out
}

/// Why a run stopped before the end of a source.
enum Stop {
    Interrupted,
    Oom,
    TooManyErrors,
    Failed(String),
}

/// One source, opened: where its data comes from and how far an earlier
/// run got.
struct Source {
    name: String,
    priority: Priority,
    /// The file, or the source's redacted URL and pattern.
    label: String,
    format: &'static str,
    /// Bytes of the file, or keys on the source.
    total: u64,
    unit: &'static str,
    rate: Option<u64>,
    concurrency: usize,
    /// Where a checkpoint left off; None for a copy from another Redis.
    checkpoint: Option<Checkpoint>,
    feed: Feed,
}

enum Feed {
    /// The path, read when the run starts.
    File(PathBuf, Format),
    Redis {
        /// The source, or a source Cluster's primaries, read in turn.
        sources: Vec<Session>,
        pattern: String,
        kind: Option<crate::scan::KeyType>,
        /// DBSIZE of them all when the run started.
        keys: u64,
    },
    Urls(PathBuf),
}

impl Source {
    fn open(
        ctx: &Context<'_>,
        planned: Planned,
        target: &crate::target::TargetSpec,
        settings: &WarmSettings,
        checkpoints: &Checkpoints,
    ) -> Result<Source, CliError> {
        let (label, format, total, unit, checkpoint, feed) = match planned.kind {
            Kind::File(path, format) => {
                let format = format.unwrap_or_else(|| Format::guess(&path));
                let (size, at) = resume(settings, checkpoints, &planned.name, &path)?;
                let name = match format {
                    Format::Jsonl => "jsonl",
                    Format::Csv => "csv",
                };
                let label = path.display().to_string();
                (
                    label,
                    name,
                    size,
                    "bytes",
                    Some(at),
                    Feed::File(path, format),
                )
            }
            Kind::Urls(path) => {
                let (size, at) = resume(settings, checkpoints, &planned.name, &path)?;
                let label = path.display().to_string();
                (label, "urls", size, "bytes", Some(at), Feed::Urls(path))
            }
            Kind::Redis { url, pattern, kind } => {
                let shown = match kind {
                    Some(k) => format!("{pattern}, type {}", k.as_str()),
                    None => pattern.clone(),
                };
                let (label, keys, sources) = copy_source(ctx, &url, &shown, target)?;
                let feed = Feed::Redis {
                    sources,
                    pattern,
                    kind,
                    keys,
                };
                (label, "redis", keys, "keys", None, feed)
            }
        };
        Ok(Source {
            name: planned.name,
            priority: planned.priority,
            label,
            format,
            total,
            unit,
            rate: planned.rate.or(settings.rate),
            concurrency: planned.concurrency.unwrap_or(settings.concurrency as usize),
            checkpoint,
            feed,
        })
    }

    fn report(&self) -> SourceReport {
        SourceReport {
            name: self.name.clone(),
            priority: self.priority,
            source: self.label.clone(),
            format: self.format,
            started_at_line: self.checkpoint.as_ref().map_or(0, |c| c.line),
            lines: 0,
            records: 0,
            written: 0,
            existing: 0,
            errors: 0,
            oom: 0,
            statuses: std::collections::BTreeMap::default(),
            types: std::collections::BTreeMap::default(),
            bad_lines: Vec::new(),
            complete: false,
            state: "not started",
        }
    }
}

/// A file's size and where its checkpoint (if any) left off.
fn resume(
    settings: &WarmSettings,
    checkpoints: &Checkpoints,
    name: &str,
    path: &Path,
) -> Result<(u64, Checkpoint), CliError> {
    let size = std::fs::metadata(path)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?
        .len();
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let resumed = match &settings.resume {
        Some(ckpt) => checkpoints
            .resume(ckpt, name, &canonical, size)
            .map_err(CliError::Usage)?,
        None => None,
    };
    Ok((
        size,
        resumed.unwrap_or_else(|| Checkpoint::start(canonical, size)),
    ))
}

/// Connects to the Redis a copy reads from: its label, its key count and
/// the session.
fn copy_source(
    ctx: &Context<'_>,
    url: &str,
    pattern: &str,
    target: &crate::target::TargetSpec,
) -> Result<(String, u64, Vec<Session>), CliError> {
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
    // A Cluster holds its keys on its primaries: every one is read.
    let in_cluster = ctx
        .runtime
        .block_on(source.query::<String>(redis::cmd("INFO").arg("cluster")))
        .is_ok_and(|text| crate::redis::info::parse(&text).f64("cluster_enabled") == Some(1.0));
    let sources = if in_cluster {
        let nodes = ctx
            .runtime
            .block_on(crate::target::cluster::nodes_at(&spec, &ctx.timeouts))
            .map_err(|e| CliError::Other(anyhow::anyhow!("the source Cluster: {e}")))?;
        let mut sessions = Vec::new();
        for n in nodes.iter().filter(|n| n.has("master") && n.slots > 0) {
            let at = spec.at(n.addr.clone());
            sessions.push(
                ctx.runtime
                    .block_on(crate::target::connect::connect(&at, &ctx.timeouts))
                    .map_err(|f| {
                        CliError::Other(anyhow::anyhow!(
                            "cannot connect to the source Cluster's primary {}: {}",
                            n.addr,
                            f.detail
                        ))
                    })?,
            );
        }
        sessions
    } else {
        vec![source]
    };
    let keys = sources
        .iter()
        .map(|s| ctx.runtime.block_on(crate::scan::dbsize(s)))
        .sum();
    let label = match sources.len() {
        1 => format!("{} ({})", spec.redacted_url(), pattern),
        n => format!(
            "{} ({}; a Cluster: its {n} primaries)",
            spec.redacted_url(),
            pattern
        ),
    };
    Ok((label, keys, sources))
}

/// What a run shares across its sources.
struct Warming<'r, 'p> {
    ctx: &'r Context<'p>,
    settings: &'r WarmSettings,
    session: &'r Session,
    router: Option<&'r Router>,
    http: Option<&'r App>,
    node: &'r NodeState<'r>,
    mutator: &'r mut Mutator,
    checkpoints: Checkpoints,
}

impl Warming<'_, '_> {
    /// Asks once for every source, then warms them in order until one stops.
    fn warm(&mut self, sources: Vec<Source>, report: &mut WarmReport) -> Status {
        let records = sources.iter().any(|s| matches!(s.feed, Feed::File(..)));
        let dumps = sources.iter().any(|s| matches!(s.feed, Feed::Redis { .. }));
        let from = match sources.as_slice() {
            [one] => one.label.clone(),
            many => format!(
                "{} ({} sources: {})",
                report.plan.as_deref().unwrap_or("a plan"),
                many.len(),
                many.iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        // Every node that receives records: a Cluster's primaries, or the one.
        let holders: Vec<Session> = match self.router {
            Some(r) => r.nodes.iter().map(|(_, s)| s.clone()).collect(),
            None => vec![self.session.clone()],
        };
        let op = Operation {
            node: report.node.clone(),
            targets: holders.iter().map(|s| s.addr.clone()).collect(),
            db: Some(report.db),
            origin: Origin::command("warm", None),
            title: format!(
                "warm db {} from {from}{}",
                report.db,
                if self.settings.replace {
                    ", replacing existing keys"
                } else {
                    ""
                }
            ),
            safety: if self.settings.replace {
                Safety::Destructive
            } else {
                Safety::Safe
            },
            // Warming through URLs: the application writes, not cachectl.
            commands: commands(self.settings.replace, records, dumps),
            count: None,
            summary: None,
            confirm: Some(report.node.to_string()),
        };
        report.sources = sources.iter().map(Source::report).collect();
        for s in &sources {
            self.ctx.printer.status(&describe(s, report));
        }
        let consent = match self.ctx.runtime.block_on(self.mutator.clear(
            &holders,
            self.node,
            &op,
            &op.commands,
        )) {
            Ok(consent) => consent,
            Err(held) => {
                report.outcome = held.outcome;
                report.reason.clone_from(&held.reason);
                if held.outcome == Outcome::Planned {
                    return self.read_through(&sources, report, held.status());
                }
                return held.status();
            }
        };
        let interrupt = self.ctx.runtime.block_on(async { Interrupt::catch() });
        let mut stop = None;
        let mut stopped_at = String::new();
        for (i, source) in sources.into_iter().enumerate() {
            let name = source.name.clone();
            let label = source.label.clone();
            let checkpoint = source.checkpoint.clone();
            stop = self.source(&op, &consent, source, &mut report.sources[i], &interrupt);
            add(report, i);
            if stop.is_some() {
                let s = &report.sources[i];
                stopped_at = match &checkpoint {
                    Some(_) => format!(
                        "source {name}: {} written, {} existing, up to line {} of {label}",
                        s.written,
                        s.existing,
                        s.started_at_line + s.lines
                    ),
                    None => format!(
                        "source {name}: {} written, {} existing",
                        s.written, s.existing
                    ),
                };
                break;
            }
        }
        report.complete = report.sources.iter().all(|s| s.complete);
        let resume = match &self.settings.resume {
            Some(p) => format!("rerun with --resume {} to go on", p.display()),
            None => "rerun (existing keys are left alone) or add --resume FILE next time".into(),
        };
        let not_started: Vec<&str> = report
            .sources
            .iter()
            .filter(|s| s.state == "not started")
            .map(|s| s.name.as_str())
            .collect();
        let later = match not_started.as_slice() {
            [] => String::new(),
            names => format!("; not started: {}", names.join(", ")),
        };
        match stop {
            None => {
                report.outcome = Outcome::Applied;
                if report.errors > 0 {
                    report.reason = format!(
                        "{} errors (malformed lines, refused writes or failed requests); the rest was warmed",
                        report.errors
                    );
                }
                if report.errors > 0 {
                    Status::Warning
                } else {
                    Status::Ok
                }
            }
            Some(why) => {
                report.outcome = Outcome::Failed;
                let done = format!("{stopped_at}{later}");
                report.reason = match why {
                    Stop::Interrupted => format!("interrupted (Ctrl-C): {done}; {resume}"),
                    Stop::Oom => format!(
                        "Redis is out of memory (OOM: maxmemory reached and nothing can be evicted): {done}; \
                         the last batch may be partly written. Free memory or raise maxmemory \
                         (`cachectl memory`), then {resume}; --continue-on-oom goes on regardless"
                    ),
                    Stop::TooManyErrors => format!(
                        "stopped after {} errors (more than --max-errors {}): {done}; fix the input, then {resume}",
                        report.errors, self.settings.max_errors
                    ),
                    Stop::Failed(e) => format!("{e}: {done}; {resume}"),
                };
                report.outcome.status()
            }
        }
    }

    /// A dry run: every file source read to its end as the run would read
    /// it (from its checkpoint with --resume), its records counted by type
    /// and its malformed lines said by number; nothing is written. A copy
    /// from another Redis is not read (its size is DBSIZE's).
    fn read_through(&self, sources: &[Source], report: &mut WarmReport, status: Status) -> Status {
        for (i, source) in sources.iter().enumerate() {
            let at = source
                .checkpoint
                .clone()
                .unwrap_or_else(|| Checkpoint::start(PathBuf::new(), 0));
            let (path, parse) = match &source.feed {
                Feed::File(path, format) => (path, ReadAs::Records(format.parser())),
                Feed::Urls(path) => {
                    let base = self.http.filter(|_| self.settings.app).cloned();
                    (path, ReadAs::Urls(urls::parser(base)))
                }
                Feed::Redis { .. } => continue,
            };
            let sr = &mut report.sources[i];
            let read = match parse {
                ReadAs::Records(p) => {
                    read_all(path, p, &at, sr, |r: &Record| Some(data_type(&r.data)))
                }
                ReadAs::Urls(p) => read_all(path, p, &at, sr, |_| None),
            };
            if let Err(e) = read {
                report.outcome = Outcome::Failed;
                report.reason = format!("cannot read {}: {e}", path.display());
                return report.outcome.status();
            }
            sr.state = "read (dry run)";
            sr.complete = true;
            add(report, i);
        }
        report.complete = report.sources.iter().all(|s| s.complete);
        if report.errors > 0 {
            report.reason = format!(
                "{}; {} malformed lines would be skipped",
                report.reason, report.errors
            );
        }
        status
    }

    /// Warms one source in batches, each audited and checkpointed.
    fn source(
        &mut self,
        op: &Operation,
        consent: &Consent,
        source: Source,
        report: &mut SourceReport,
        interrupt: &Interrupt,
    ) -> Option<Stop> {
        report.state = "stopped";
        let mut checkpoint = source.checkpoint.clone();
        let base = checkpoint
            .as_ref()
            .map_or((0, 0, 0), |c| (c.written, c.existing, c.errors));
        let bar = render::progress::Bar::labelled(&source.name, source.unit);
        bar.total(source.total);
        bar.advance(checkpoint.as_ref().map_or(0, |c| c.offset));
        let started = Instant::now();
        let at = checkpoint
            .clone()
            .unwrap_or_else(|| Checkpoint::start(PathBuf::new(), 0));
        let parse_base = self.http.filter(|_| self.settings.app).cloned();
        let (rate, concurrency) = (source.rate, source.concurrency);
        let stop = self.ctx.runtime.block_on(async {
            let mut chunks = match Chunks::start(source.feed, &at, rate, parse_base) {
                Ok(c) => c,
                Err(e) => return Some(Stop::Failed(e)),
            };
            loop {
                // Reading a source (a copy's SCAN, a slow file) gives way to
                // Ctrl-C.
                let next = tokio::select! {
                    next = chunks.next() => next,
                    () = interrupt.wait() => return Some(Stop::Interrupted),
                };
                let piece = match next {
                    None => {
                        report.complete = true;
                        report.state = "done";
                        return None;
                    }
                    Some(Ok(c)) => c,
                    Some(Err(e)) => {
                        return Some(Stop::Failed(format!("reading {}: {e}", report.source)))
                    }
                };
                report.lines += piece.last_line + 1 - piece.first_line;
                report.records += piece.items.len() as u64;
                report.errors += piece.bad.len() as u64;
                keep(&mut report.bad_lines, piece.bad);
                let batch = Operation {
                    count: Some(piece.items.len() as u64),
                    summary: Some(format!(
                        "{} {} {} from {} lines {}-{}",
                        piece.items.verb(),
                        piece.items.len(),
                        piece.items.noun(),
                        report.source,
                        piece.first_line,
                        piece.last_line
                    )),
                    ..op.clone()
                };
                // A batch sent is seen to its reply (bounded by the command
                // or request timeout): the counts and the checkpoint are
                // what was done.
                let done = match piece.items {
                    Items::Records(records) => match self.router {
                        None => {
                            write_batch(
                                self.session,
                                self.mutator,
                                &batch,
                                consent,
                                &records,
                                self.settings.replace,
                            )
                            .await
                        }
                        Some(router) => {
                            write_routed(
                                router,
                                self.mutator,
                                &batch,
                                consent,
                                records,
                                self.settings.replace,
                            )
                            .await
                        }
                    },
                    Items::Requests(requests) => {
                        request_batch(
                            self.http,
                            self.mutator,
                            (&batch, consent),
                            requests,
                            concurrency,
                            report,
                            interrupt,
                        )
                        .await
                    }
                };
                match done {
                    Ok(t) => {
                        report.written += t.written;
                        report.existing += t.existing;
                        report.errors += t.errors;
                        report.oom += t.oom;
                        if t.interrupted {
                            return Some(Stop::Interrupted);
                        }
                        if t.oom > 0 && !self.settings.continue_on_oom {
                            return Some(Stop::Oom);
                        }
                    }
                    Err(why) => return Some(Stop::Failed(why)),
                }
                bar.advance(piece.bytes);
                if let Some(c) = checkpoint.as_mut() {
                    c.offset = piece.end_offset;
                    c.line = piece.last_line;
                    c.written = base.0 + report.written;
                    c.existing = base.1 + report.existing;
                    c.errors = base.2 + report.errors;
                    if let Some(path) = &self.settings.resume {
                        self.checkpoints
                            .sources
                            .insert(source.name.clone(), c.clone());
                        if let Err(e) = self.checkpoints.save(path) {
                            return Some(Stop::Failed(format!(
                                "cannot write the checkpoint {}: {e}",
                                path.display()
                            )));
                        }
                    }
                }
                if report.errors > self.settings.max_errors {
                    return Some(Stop::TooManyErrors);
                }
                if interrupt.fired() {
                    return Some(Stop::Interrupted);
                }
                let paced = crate::flush::pace(rate, report.records, started);
                tokio::select! {
                    () = paced => {}
                    () = interrupt.wait() => return Some(Stop::Interrupted),
                }
            }
        });
        bar.finish();
        stop
    }
}

/// Adds source `i`'s counts to the run's totals.
fn add(report: &mut WarmReport, i: usize) {
    let s = &report.sources[i];
    report.records += s.records;
    report.written += s.written;
    report.existing += s.existing;
    report.errors += s.errors;
    report.oom += s.oom;
}

/// How a dry run reads a source: records, or URLs.
enum ReadAs {
    Records(warm::Parse<Record>),
    Urls(warm::Parse<Request>),
}

/// A record's Redis type, as TYPE names it.
fn data_type(d: &warm::Data) -> &'static str {
    match d {
        warm::Data::String(_) => "string",
        warm::Data::Hash(_) => "hash",
        warm::Data::Set(_) => "set",
        warm::Data::Zset(_) => "zset",
        warm::Data::List(_) => "list",
        warm::Data::Dump { .. } => "dump",
    }
}

/// Reads `path` from `at` to its end through `parse`, counting into `sr`
/// (lines, items, malformed lines, and items by `kind`).
fn read_all<T>(
    path: &Path,
    parse: warm::Parse<T>,
    at: &Checkpoint,
    sr: &mut SourceReport,
    kind: impl Fn(&T) -> Option<&'static str>,
) -> std::io::Result<()> {
    let mut reader = Reader::open(path, parse, at.offset, at.line)?;
    loop {
        let (items, bad) = reader.batch(warm::BATCH)?;
        if items.is_empty() && bad.is_empty() {
            break;
        }
        sr.records += items.len() as u64;
        sr.errors += bad.len() as u64;
        for item in &items {
            if let Some(k) = kind(item) {
                *sr.types.entry(k.to_string()).or_default() += 1;
            }
        }
        keep(&mut sr.bad_lines, bad);
    }
    sr.lines = reader.line - at.line;
    Ok(())
}

/// Keeps the first `SAMPLES` bad lines, in line order.
fn keep(kept: &mut Vec<BadLine>, more: Vec<BadLine>) {
    kept.extend(more);
    kept.sort_by_key(|b| b.line);
    kept.truncate(SAMPLES);
}

/// What the status line says a source will do.
fn describe(s: &Source, report: &WarmReport) -> String {
    let resumed = match &s.checkpoint {
        Some(c) if c.line > 0 => format!(" (resuming after line {})", c.line),
        _ => String::new(),
    };
    let into = format!("into db {} on {}", report.db, report.node);
    let label = render::clean(&s.label);
    match &s.feed {
        Feed::File(_, format) => format!(
            "{}: {} bytes of {} records from {label}{resumed} {into}",
            s.name,
            s.total - s.checkpoint.as_ref().map_or(0, |c| c.offset),
            match format {
                Format::Jsonl => "JSON Lines",
                Format::Csv => "CSV",
            },
        ),
        Feed::Urls(_) => format!(
            "{}: URLs from {label}{resumed}, {} at a time, warming {into} through the application",
            s.name, s.concurrency
        ),
        Feed::Redis { .. } => format!(
            "{}: keys from {label} ({} keys there) {into}",
            s.name, s.total
        ),
    }
}

/// A batch's items: records cachectl writes, or URLs it requests.
enum Items {
    Records(Vec<Record>),
    Requests(Vec<Request>),
}

impl Items {
    fn len(&self) -> usize {
        match self {
            Items::Records(r) => r.len(),
            Items::Requests(r) => r.len(),
        }
    }
    fn verb(&self) -> &'static str {
        match self {
            Items::Records(_) => "warm",
            Items::Requests(_) => "request",
        }
    }
    fn noun(&self) -> &'static str {
        match self {
            Items::Records(_) => "records",
            Items::Requests(_) => "URLs",
        }
    }
}

/// One batch as read, whatever the source.
struct Piece {
    items: Items,
    bad: Vec<BadLine>,
    first_line: u64,
    last_line: u64,
    end_offset: u64,
    bytes: u64,
}

/// The batches of a source: from a file (parsed ahead on a thread), a URL
/// list (likewise), or another Redis (a SCAN page of DUMPs at a time).
enum Chunks {
    File(tokio::sync::mpsc::Receiver<std::io::Result<Chunk<Record>>>),
    Urls(tokio::sync::mpsc::Receiver<std::io::Result<Chunk<Request>>>),
    Redis {
        sources: Vec<Session>,
        pattern: String,
        kind: Option<crate::scan::KeyType>,
        cursor: u64,
        /// Which of `sources` is being read.
        at: usize,
        /// Keys of the page SCAN gave, not DUMPed yet, and the source
        /// they are on.
        pending: std::collections::VecDeque<Vec<u8>>,
        from: usize,
        /// Payload bytes per key of the last round trip.
        average: usize,
        /// Keys SCAN has returned so far, and how many it may before the
        /// scan is taken for one that never ends (a hostile or broken
        /// source: Redis's own visits each key about once).
        visited: u64,
        limit: u64,
    },
}

impl Chunks {
    fn start(
        feed: Feed,
        at: &Checkpoint,
        rate: Option<u64>,
        base: Option<App>,
    ) -> Result<Chunks, String> {
        let open = |path: &Path| format!("cannot read {}", path.display());
        Ok(match feed {
            Feed::File(path, format) => {
                let reader = Reader::open(&path, format.parser(), at.offset, at.line)
                    .map_err(|e| format!("{}: {e}", open(&path)))?;
                Chunks::File(warm::read_ahead(reader, warm::batch_size(rate)))
            }
            Feed::Urls(path) => {
                let reader = Reader::open(&path, urls::parser(base), at.offset, at.line)
                    .map_err(|e| format!("{}: {e}", open(&path)))?;
                let n = rate.map_or(URL_BATCH, |r| (r / 10).clamp(1, URL_BATCH as u64) as usize);
                Chunks::Urls(warm::read_ahead(reader, n))
            }
            Feed::Redis {
                sources,
                pattern,
                kind,
                keys,
            } => Chunks::Redis {
                sources,
                pattern,
                kind,
                cursor: 0,
                at: 0,
                pending: std::collections::VecDeque::new(),
                from: 0,
                average: 0,
                visited: 0,
                limit: keys.max(1000).saturating_mul(10),
            },
        })
    }

    async fn next(&mut self) -> Option<Result<Piece, String>> {
        fn wrap<T>(c: Chunk<T>, items: fn(Vec<T>) -> Items) -> Piece {
            Piece {
                items: items(c.items),
                bad: c.bad,
                first_line: c.first_line,
                last_line: c.last_line,
                end_offset: c.end_offset,
                bytes: c.bytes,
            }
        }
        match self {
            Chunks::File(rx) => rx.recv().await.map(|r| {
                r.map(|c| wrap(c, Items::Records))
                    .map_err(|e| e.to_string())
            }),
            Chunks::Urls(rx) => rx.recv().await.map(|r| {
                r.map(|c| wrap(c, Items::Requests))
                    .map_err(|e| e.to_string())
            }),
            Chunks::Redis {
                sources,
                pattern,
                kind,
                cursor,
                at,
                pending,
                from,
                average,
                visited,
                limit,
            } => {
                // Records of at most BATCH_BYTES of payload (and a value up
                // to --max-reply past it): a page of big values is several
                // batches, not one.
                let mut records = Vec::new();
                let mut bytes = 0usize;
                loop {
                    if pending.is_empty() {
                        let Some(source) = sources.get(*at) else {
                            break;
                        };
                        match warm::copy_page(source, *cursor, pattern, *kind).await {
                            Err(e) => {
                                return Some(Err(format!(
                                    "the source {}: {}",
                                    source.addr, e.detail
                                )))
                            }
                            Ok((next, keys)) => {
                                // An empty page counts too: a SCAN that only
                                // ever returns empty pages never ends either.
                                *visited += (keys.len() as u64).max(1);
                                if *visited > *limit {
                                    return Some(Err(format!(
                                        "the source {}'s SCAN returned {visited} keys without ending, more than 10 times what its DBSIZE said: it is not taken further",
                                        source.addr
                                    )));
                                }
                                *from = *at;
                                pending.extend(keys);
                                *cursor = next;
                                if next == 0 {
                                    *at += 1;
                                }
                            }
                        }
                        continue;
                    }
                    let group: Vec<Vec<u8>> = pending
                        .drain(..pending.len().min(warm::dump_group(*average)))
                        .collect();
                    let asked = group.len().max(1);
                    let source = &sources[*from];
                    match warm::dump_keys(source, group).await {
                        Err(e) => {
                            return Some(Err(format!("the source {}: {}", source.addr, e.detail)))
                        }
                        Ok((mut got, b)) => {
                            bytes += b;
                            *average = b / asked;
                            records.append(&mut got);
                        }
                    }
                    if bytes >= warm::BATCH_BYTES || records.len() >= warm::BATCH {
                        break;
                    }
                }
                if records.is_empty() {
                    return None;
                }
                let n = records.len() as u64;
                Some(Ok(Piece {
                    items: Items::Records(records),
                    bad: Vec::new(),
                    first_line: 1,
                    last_line: 0,
                    end_offset: 0,
                    bytes: n,
                }))
            }
        }
    }
}

/// Requests one batch of URLs through the application, audited like a
/// batch of writes: the application writes to the cache on cachectl's
/// behalf.
async fn request_batch(
    http: Option<&App>,
    mutator: &mut Mutator,
    (op, consent): (&Operation, &Consent),
    requests: Vec<Request>,
    concurrency: usize,
    report: &mut SourceReport,
    interrupt: &Interrupt,
) -> Result<BatchTally, String> {
    let Some(app) = http else {
        return Err("no HTTP client".into());
    };
    if requests.is_empty() {
        return Ok(BatchTally::default());
    }
    let shown = op.summary.clone().unwrap_or_default();
    let work = async { Ok(urls::request_all(app, requests, concurrency, interrupt.wait()).await) };
    let answers = mutator
        .audited(op, consent, shown, work, |a: &urls::Answers| {
            format!(
                "{} answered 2xx, {} did not{}",
                a.ok,
                a.failed.len(),
                match a.interrupted {
                    0 => String::new(),
                    n => format!(", {n} abandoned at Ctrl-C"),
                }
            )
        })
        .await
        .map_err(|e| e.reason)?;
    for (status, n) in answers.statuses {
        *report.statuses.entry(status).or_default() += n;
    }
    let tally = BatchTally {
        written: answers.ok,
        errors: answers.failed.len() as u64,
        interrupted: answers.interrupted > 0,
        ..BatchTally::default()
    };
    keep(&mut report.bad_lines, answers.failed);
    Ok(tally)
}

/// What one batch did.
#[derive(Default)]
struct BatchTally {
    written: u64,
    existing: u64,
    errors: u64,
    oom: u64,
    /// Ctrl-C stopped it part-way: its checkpoint is not advanced, so a
    /// resumed run does the whole batch again.
    interrupted: bool,
}

/// Writes one batch in a Cluster: each record to the primary serving its
/// key's slot, one audited pipeline a primary; a record whose slot no
/// primary serves is an error.
async fn write_routed(
    router: &Router,
    mutator: &mut Mutator,
    op: &Operation,
    consent: &Consent,
    records: Vec<Record>,
    replace: bool,
) -> Result<BatchTally, String> {
    let mut groups: Vec<Vec<Record>> = router.nodes.iter().map(|_| Vec::new()).collect();
    let mut tally = BatchTally::default();
    for r in records {
        match router.route(&r.key) {
            Some(i) => groups[i].push(r),
            None => tally.errors += 1,
        }
    }
    for ((addr, session), group) in router.nodes.iter().zip(groups) {
        if group.is_empty() {
            continue;
        }
        let on = Operation {
            node: addr.clone(),
            count: Some(group.len() as u64),
            ..op.clone()
        };
        let t = write_batch(session, mutator, &on, consent, &group, replace).await?;
        tally.written += t.written;
        tally.existing += t.existing;
        tally.errors += t.errors;
        tally.oom += t.oom;
    }
    Ok(tally)
}

/// Writes one batch: which non-string keys exist is asked first (strings
/// use SET NX), then one audited pipeline stores the rest.
async fn write_batch(
    session: &Session,
    mutator: &mut Mutator,
    op: &Operation,
    consent: &Consent,
    records: &[Record],
    replace: bool,
) -> Result<BatchTally, String> {
    let mut tally = BatchTally::default();
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
        // A key twice in one batch: the first record writes it, the later
        // ones find it there (as they would in a later batch). With
        // --replace each is written in order, and the last one stays.
        let mut seen = std::collections::HashSet::with_capacity(records.len());
        for (r, there) in records.iter().zip(exists.iter_mut()) {
            if !seen.insert(r.key.as_slice()) {
                *there = true;
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
        .send_audited(session, op, consent, &pipe, shown)
        .await
        .map_err(|e| e.reason)?;
    let mut replies = replies.into_iter();
    for (r, n) in records.iter().zip(spans) {
        if n == 0 {
            continue;
        }
        let mine: Vec<Value> = replies.by_ref().take(n).collect();
        // The first refusal, inside a transaction's EXEC reply too.
        let refused = mine
            .iter()
            .flat_map(|v| match v {
                Value::Array(inner) => inner.iter().collect::<Vec<_>>(),
                other => vec![other],
            })
            .find_map(|v| match v {
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
                tally.existing += 1;
            }
            None => tally.written += 1,
        }
    }
    Ok(tally)
}

crate::render::document::write_view!(WarmReport, "warm", table_at);

#[cfg(test)]
mod snapshots {
    use super::*;

    fn source(name: &str, priority: Priority, records: u64, complete: bool) -> SourceReport {
        SourceReport {
            name: name.into(),
            priority,
            source: format!("/srv/warm/{name}.jsonl"),
            format: "jsonl",
            started_at_line: 0,
            lines: records + 2,
            records,
            written: records - 40,
            existing: 40,
            errors: 2,
            oom: 0,
            statuses: std::collections::BTreeMap::default(),
            types: std::collections::BTreeMap::default(),
            bad_lines: vec![
                BadLine {
                    line: 7,
                    reason: "expected value at line 1 column 9".into(),
                },
                BadLine {
                    line: 19,
                    reason: "a zset member needs a score".into(),
                },
            ],
            complete,
            state: if complete { "done" } else { "stopped" },
        }
    }

    fn report(mode: Mode) -> WarmReport {
        let sources = vec![
            source("sessions", Priority::Critical, 12_000, true),
            source("catalogue", Priority::Normal, 5_000, true),
        ];
        WarmReport {
            node: NodeAddr::tcp("10.0.0.5", 6379),
            db: 0,
            mode,
            replace: false,
            plan: Some("/srv/warm/plan.yaml".into()),
            critical_only: false,
            records: 17_000,
            written: 16_920,
            existing: 80,
            errors: 4,
            oom: 0,
            complete: true,
            keys_before: 120,
            keys_after: 17_040,
            sources,
            check: Some(HitRateCheck {
                window_s: 10.0,
                thresholds: Thresholds {
                    warning: 0.7,
                    critical: 0.5,
                    min_lookups: 100,
                },
                redis: check::Rate {
                    hits: 930,
                    misses: 70,
                    hit_rate: Some(93.0),
                    lifetime_hit_rate: Some(61.2),
                    verdict: "ok",
                    error: String::new(),
                },
                app: None,
                interrupted: false,
            }),
            outcome: Outcome::Applied,
            reason:
                "4 errors (malformed lines, refused writes or failed requests); the rest was warmed"
                    .into(),
            checkpoint: Some("/srv/warm/warm.ckpt".into()),
            audit_log: Some("/var/lib/cachectl/audit.jsonl".into()),
        }
    }

    #[test]
    fn a_plan_warmed_and_checked() {
        let r = report(Mode::Yes);
        insta::assert_snapshot!(table_at(&r, 80));
        insta::assert_snapshot!(crate::render::json::fixed_document(
            "warm",
            "warm",
            &r,
            Status::Warning
        ));
    }

    #[test]
    fn a_warm_dry_run() {
        let mut r = report(Mode::DryRun);
        r.sources = vec![SourceReport {
            written: 0,
            existing: 0,
            types: [("hash".to_string(), 40), ("string".to_string(), 60)].into(),
            complete: true,
            state: "read (dry run)",
            ..source("sessions", Priority::Normal, 100, true)
        }];
        (r.records, r.written, r.existing, r.errors, r.complete) = (100, 0, 0, 2, true);
        r.keys_after = r.keys_before;
        r.plan = None;
        r.check = None;
        r.checkpoint = None;
        r.audit_log = None;
        r.outcome = Outcome::Planned;
        r.reason = "--dry-run: nothing was changed; 2 malformed lines would be skipped".into();
        insta::assert_snapshot!(table_at(&r, 80));
        insta::assert_snapshot!(crate::render::json::fixed_document(
            "warm",
            "warm",
            &r,
            r.outcome.status()
        ));
    }
}
