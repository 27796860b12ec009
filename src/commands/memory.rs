//! `cachectl memory`: the memory findings of the engine's diagnosis, the
//! memory view, and with --keys a scan of the keyspace whose results the
//! keyspace runbook reads.

use std::time::Instant;

use crate::cli::{resolve, MemoryArgs, ScanArgs};
use crate::engine::dump::{DumpSettings, DumpSource, KEYSPACE_RUNBOOK};
use crate::engine::{self, Context, Door};
use crate::error::{CliError, Status};
use crate::facts::memory::MemoryView;
use crate::findings::evaluate::KEYSCAN_ROOT;
use crate::render::view::DoorView;
use crate::render::Printer;
use crate::runbook::RunbookSet;
use crate::scan::dump::DumpOptions;
use crate::scan::tally::BigKeys;
use crate::scan::ScanOptions;
use crate::target::{replica, NodeAddr};

/// What a big key is, by the keyspace runbook's thresholds.
fn big_keys(runbooks: &RunbookSet) -> BigKeys {
    let threshold = |name: &str, default: f64| {
        runbooks
            .threshold(KEYSPACE_RUNBOOK, name)
            .unwrap_or(default)
    };
    BigKeys {
        string_bytes: (threshold("big_string_mb", 1.0) * 1_048_576.0) as u64,
        collection_members: threshold("big_collection_members", 5000.0) as u64,
        list_elements: threshold("big_list_elements", 10_000.0) as u64,
    }
}

fn scan_options(args: &ScanArgs, runbooks: &RunbookSet, lfu: bool) -> ScanOptions {
    ScanOptions {
        pattern: args.filter.pattern.clone(),
        kind: args.filter.key_type(),
        sample: args.sample,
        top: args.top,
        rate: args.rate,
        count: args.count,
        max_command: args.max_command_time,
        max_patterns: args.max_patterns.max(1),
        big: big_keys(runbooks),
        deadline: Instant::now() + args.scan_timeout,
        resume: args.resume.resume.clone(),
        freq: lfu,
    }
}

pub fn run(args: &MemoryArgs, printer: &Printer) -> Result<Status, CliError> {
    if args.dump.rdb.is_some() || args.dump.rdb_from.is_some() {
        return from_dump(args, printer);
    }
    if args.scan.filter.given() && !args.scan.keys {
        return Err(CliError::Usage(
            "--pattern and --type choose the keys of a scan: add --keys".into(),
        ));
    }
    if args.scan.resume.resume.is_some() && !args.scan.keys {
        return Err(CliError::Usage(
            "--resume keeps the place of a key scan: add --keys".into(),
        ));
    }
    let mut door = Door::open(resolve::door(&args.common, "memory")?, printer, "memory")?;
    // A node not reached is said as every door says it, not scanned.
    let scan = args.scan.keys && door.connected();
    let (ctx, diagnosis) = (&door.ctx, &mut door.diagnosis);
    let keyspace = if scan {
        // Under an LFU policy the server counts accesses: the scan asks
        // OBJECT FREQ too, and the hottest keys come with it.
        let lfu = diagnosis
            .facts
            .get("info")
            .and_then(|i| i["maxmemory_policy"].as_str())
            .is_some_and(|p| p.ends_with("-lfu"));
        let opts = scan_options(&args.scan, &diagnosis.runbooks, lfu);
        let scanned = engine::scan_keys(ctx, &diagnosis.primaries(), &opts)?;
        // A scan that failed is a fact not had: the keyspace checks are
        // not run, and the report says why.
        match &scanned {
            Ok(keyspace) => diagnosis.facts.set(KEYSCAN_ROOT, keyspace.fact()),
            Err(f) => {
                let kind = f.kind.as_str();
                diagnosis
                    .facts
                    .set_unavailable(KEYSCAN_ROOT, "SCAN", kind, &f.detail);
            }
        }
        diagnosis.reassess(ctx);
        scanned.ok()
    } else {
        None
    };
    diagnosis.view = Some(DoorView::Memory {
        memory: MemoryView::of(&diagnosis.facts),
        keyspace,
    });
    door.finish()
}

/// `memory --rdb PATH` and `memory --rdb-from URL`: the keyspace report of
/// a dump, the server untouched (or, from a replica, asked only for the
/// dump).
fn from_dump(args: &MemoryArgs, printer: &Printer) -> Result<Status, CliError> {
    if args.common.fix.fix {
        return Err(CliError::Usage(
            "--fix changes a server, and a dump's report is about no server: run memory --keys --fix on the server itself".into(),
        ));
    }
    let mut timeouts = resolve::timeouts(&args.common.target);
    // A dump is read to its end: its time grows with its size, as a
    // scan's does.
    timeouts.overall = timeouts.overall.max(args.scan.scan_timeout);
    let ctx = Context::new(printer, timeouts, "memory")?;
    let runbooks =
        engine::dump::runbooks(&args.common.runbooks.dirs, &args.common.runbooks.tuning)?;
    let mut opts = DumpOptions {
        from: String::new(),
        size: None,
        top: args.scan.top,
        max_patterns: args.scan.max_patterns.max(1),
        big: big_keys(&runbooks),
        allocator: args.dump.allocator,
        allocator_info: None,
        pattern: args.scan.filter.pattern.clone(),
        kind: args.scan.filter.key_type(),
    };
    let mut reach = None;
    let (input, target, node): (DumpSource, String, NodeAddr) =
        match (&args.dump.rdb, &args.dump.rdb_from) {
            (Some(path), _) if path.as_os_str() == "-" => {
                opts.from = "-".into();
                let node = NodeAddr::Dump { path: "-".into() };
                (DumpSource::Stdin, "rdb:-".into(), node)
            }
            (Some(path), _) => {
                let file = std::fs::File::open(path).map_err(|e| {
                    CliError::Usage(format!("--rdb {}: cannot open it: {e}", path.display()))
                })?;
                opts.size = file.metadata().ok().map(|m| m.len());
                opts.from = path.display().to_string();
                let node = NodeAddr::Dump { path: path.clone() };
                (
                    DumpSource::File(file),
                    format!("rdb:{}", path.display()),
                    node,
                )
            }
            (None, Some(url)) => {
                let mut target = args.common.target.clone();
                target.url = Some(url.clone());
                let spec = resolve::target(&target)?;
                let before = ctx
                    .runtime
                    .block_on(replica::before(
                        &spec,
                        &ctx.timeouts,
                        args.dump.allow_primary,
                    ))
                    .map_err(|e| match e {
                        replica::NotBefore::Connect(f) => engine::cannot_connect(&spec, &f),
                        replica::NotBefore::Unreachable(why) => CliError::Unreachable(why),
                        replica::NotBefore::Refused(why) => CliError::Usage(why),
                    })?;
                let arriving = ctx
                    .runtime
                    .block_on(replica::sync(&spec, &ctx.timeouts))
                    .map_err(|e| {
                        CliError::Other(anyhow::anyhow!("--rdb-from {}: {e}", spec.addr))
                    })?;
                opts.allocator_info = before.allocator;
                opts.size = arriving.size;
                opts.from = format!("{} (role {}, via SYNC)", spec.addr, before.role);
                reach = Some(spec.cli_reach());
                let source = DumpSource::Replica(arriving.chunks);
                (source, spec.redacted_url(), spec.addr.clone())
            }
            (None, None) => unreachable!("from_dump is called with --rdb or --rdb-from"),
        };
    let keyspace = engine::dump::read(&ctx, input, opts)?;
    let settings = DumpSettings {
        runbooks,
        format: args.common.output.format(),
        target,
        node,
        reach,
    };
    engine::dump::show(&ctx, keyspace, &settings)
}
