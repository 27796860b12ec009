//! A fleet: many targets diagnosed at once by a bounded pool of threads,
//! each target under its own deadline and all under the fleet's, so a dead
//! or hung target costs the others nothing but its place in the pool. The
//! result is an entry per target, in the order given.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{diagnose, Context};
use crate::error::CliError;
use crate::findings::fleet::Entry;
use crate::findings::Report;
use crate::http::probe::App;
use crate::render::Printer;
use crate::runbook::RunbookSet;
use crate::target::{TargetSpec, Timeouts};

/// How to diagnose one target.
pub struct Member {
    pub name: String,
    pub settings: Result<Settings, String>,
}

pub struct Settings {
    pub spec: TargetSpec,
    pub timeouts: Timeouts,
    pub app: Option<App>,
    pub load: Box<dyn Fn() -> Result<RunbookSet, CliError> + Send + Sync>,
}

/// Diagnoses every member, `parallel` at a time, all by `within` from now.
/// A member that has not started when the fleet's time is up is not
/// diagnosed, and says so.
pub fn run(members: &[Member], parallel: usize, within: Duration) -> Vec<Entry> {
    let end = Instant::now() + within;
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Entry>>> = members.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..parallel.min(members.len()).max(1) {
            scope.spawn(|| {
                // Each thread's own printer: a target's notes on stderr.
                let printer = Printer::new(Box::new(std::io::sink()), Box::new(anstream::stderr()));
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(member) = members.get(i) else { break };
                    let entry = Entry {
                        name: member.name.clone(),
                        outcome: one(member, end, &printer),
                    };
                    *slots[i]
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(entry);
                }
            });
        }
    });
    slots
        .into_iter()
        .zip(members)
        .map(|(slot, m)| {
            slot.into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .unwrap_or_else(|| Entry {
                    name: m.name.clone(),
                    outcome: Err("its diagnosis did not finish".into()),
                })
        })
        .collect()
}

fn one(member: &Member, end: Instant, printer: &Printer) -> Result<Report, String> {
    let settings = member.settings.as_ref().map_err(Clone::clone)?;
    let left = end.saturating_duration_since(Instant::now());
    if left < Duration::from_millis(50) {
        return Err("not diagnosed: the fleet's deadline passed before its turn".into());
    }
    // Its own deadline, within the fleet's.
    let overall = settings.timeouts.overall.min(left);
    let timeouts = Timeouts {
        overall,
        connect: settings.timeouts.connect.min(overall),
        command: settings.timeouts.command.min(overall),
    };
    let ctx = Context::new(printer, timeouts, "diagnose").map_err(|e| e.to_string())?;
    let load = || (settings.load)();
    diagnose(&ctx, &settings.spec, settings.app.as_ref(), load)
        .map(|d| d.report)
        .map_err(|e| e.to_string())
}
