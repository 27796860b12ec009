//! `cachectl memory`: the memory findings of the engine's diagnosis, the
//! memory view, and with --keys a scan of the keyspace whose results the
//! keyspace runbook reads.

use std::time::Instant;

use crate::cli::{resolve, MemoryArgs, ScanArgs};
use crate::engine::{self, Door};
use crate::error::{CliError, Status};
use crate::facts::memory::MemoryView;
use crate::findings::evaluate::KEYSCAN_ROOT;
use crate::render::view::DoorView;
use crate::render::Printer;
use crate::runbook::RunbookSet;
use crate::scan::tally::BigKeys;
use crate::scan::ScanOptions;

/// The runbook whose thresholds say what a big key is.
const KEYSPACE_RUNBOOK: &str = "keyspace";

fn scan_options(args: &ScanArgs, runbooks: &RunbookSet, lfu: bool) -> ScanOptions {
    let threshold = |name: &str, default: f64| {
        runbooks
            .threshold(KEYSPACE_RUNBOOK, name)
            .unwrap_or(default)
    };
    ScanOptions {
        pattern: args.filter.pattern.clone(),
        kind: args.filter.key_type(),
        sample: args.sample,
        top: args.top,
        rate: args.rate,
        count: args.count,
        max_command: args.max_command_time,
        max_patterns: args.max_patterns.max(1),
        big: BigKeys {
            string_bytes: (threshold("big_string_mb", 1.0) * 1_048_576.0) as u64,
            collection_members: threshold("big_collection_members", 5000.0) as u64,
            list_elements: threshold("big_list_elements", 10_000.0) as u64,
        },
        deadline: Instant::now() + args.scan_timeout,
        resume: args.resume.resume.clone(),
        freq: lfu,
    }
}

pub fn run(args: &MemoryArgs, printer: &Printer) -> Result<Status, CliError> {
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
    let (ctx, diagnosis) = (&door.ctx, &mut door.diagnosis);
    let keyspace = if args.scan.keys {
        // Under an LFU policy the server counts accesses: the scan asks
        // OBJECT FREQ too, and the hottest keys come with it.
        let lfu = diagnosis
            .facts
            .get("info")
            .and_then(|i| i["maxmemory_policy"].as_str())
            .is_some_and(|p| p.ends_with("-lfu"));
        let opts = scan_options(&args.scan, &diagnosis.runbooks, lfu);
        let keyspace = engine::scan_keys(ctx, &diagnosis.primaries(), &opts)?;
        diagnosis
            .facts
            .values
            .insert(KEYSCAN_ROOT.into(), keyspace.fact());
        diagnosis.reassess(ctx);
        Some(keyspace)
    } else {
        None
    };
    diagnosis.view = Some(DoorView::Memory {
        memory: MemoryView::of(&diagnosis.facts),
        keyspace,
    });
    door.finish()
}
