//! `cachectl watch`'s loop: a diagnosis renewed every `--every` (the
//! nodes read by `watch::Nodes`, judged by `Diagnosis::renew`, the
//! findings' times kept by `watch::Timeline`), shown in place on a
//! terminal, a line (or a JSON document) per refresh elsewhere, or one
//! frame (`--once`); until a key, a signal, `--count` or `--timeout`.

use std::time::{Duration, Instant, SystemTime};

use tokio::time::sleep_until;

use super::{topology, Context, Diagnosis};
use crate::error::{CliError, Status};
use crate::facts::Facts;
use crate::interrupt::Interrupt;
use crate::render::document::Part;
use crate::render::terminal::{Key, Screen};
use crate::render::view::{DoorView, Viewed};
use crate::render::{self, Format};
use crate::target::{TargetSpec, Timeouts};
use crate::watch::view::Frame;
use crate::watch::{Nodes, Timeline, WatchView, TOPOLOGY_EVERY};

/// The watch: the diagnosis it started from, renewed each refresh.
pub struct Watcher {
    /// The target as given (a Sentinel target is located again).
    target: TargetSpec,
    diagnosis: Diagnosis,
    nodes: Nodes,
    timeline: Timeline,
    every: Duration,
    refreshes: u64,
    started: SystemTime,
    topology_read: Instant,
}

impl Watcher {
    /// Starts from a diagnosis of `target` (its first frame).
    pub fn new(target: TargetSpec, diagnosis: Diagnosis, every: Duration) -> Watcher {
        let started = SystemTime::now();
        let all: Vec<&Facts> = std::iter::once(&diagnosis.facts)
            .chain(diagnosis.others.iter())
            .collect();
        let nodes = Nodes::of(&all, &diagnosis.spec, every, started);
        let mut watcher = Watcher {
            target,
            diagnosis,
            nodes,
            timeline: Timeline::default(),
            every,
            refreshes: 0,
            started,
            topology_read: Instant::now(),
        };
        watcher.track(started);
        watcher
    }

    /// Reads every node again (and, every `TOPOLOGY_EVERY`, the topology),
    /// then judges the facts. Each node answers by `deadline` or is shown
    /// as not answering.
    pub async fn refresh(&mut self, timeouts: &Timeouts, deadline: tokio::time::Instant) {
        let started = Instant::now();
        if self.diagnosis.topology.is_some() && started >= self.topology_read + TOPOLOGY_EVERY {
            self.topology_read = started;
            self.reread_topology(timeouts, deadline).await;
        }
        let mut all = self.nodes.read(timeouts, deadline).await;
        let first = all.remove(0);
        self.refreshes += 1;
        let took = started.elapsed().as_secs_f64() * 1000.0;
        self.diagnosis.renew(
            first,
            all,
            (took * 10.0).round() / 10.0,
            deadline.into_std(),
        );
        self.track(SystemTime::now());
    }

    /// The topology read again: a Sentinel target's primary located anew,
    /// a Cluster's view from a node that answers. Nodes it names that are
    /// not followed yet are from now on; a failed read keeps the last.
    async fn reread_topology(&mut self, timeouts: &Timeouts, deadline: tokio::time::Instant) {
        let fresh = if let crate::target::Via::Sentinel(_) = &self.target.via {
            match topology::locate(&self.target, timeouts, deadline).await {
                Ok((spec, Some(t))) if t.primary().is_some() => Some((Some(spec), t)),
                _ => None,
            }
        } else {
            match self.nodes.one_up() {
                Some(spec) => topology::cluster_of(spec, timeouts, deadline)
                    .await
                    .ok()
                    .map(|t| (None, t)),
                None => None,
            }
        };
        let Some((primary, mut fresh)) = fresh else {
            return;
        };
        if let Some(primary) = primary {
            self.nodes.put_first(&primary.addr);
        }
        for m in &fresh.members {
            self.nodes.follow(&m.addr, &self.diagnosis.spec);
        }
        // Members the first diagnosis found that the Sentinels do not
        // name (replicas only their primary lists) stay members.
        if let Some(old) = &self.diagnosis.topology {
            for m in &old.members {
                if !fresh.members.iter().any(|n| n.addr == m.addr) {
                    fresh.members.push(m.clone());
                }
            }
        }
        self.diagnosis.spec = self.diagnosis.spec.at(self.nodes.list[0].spec.addr.clone());
        self.diagnosis.topology = Some(fresh);
    }

    fn track(&mut self, now: SystemTime) {
        let current = self
            .diagnosis
            .report
            .findings
            .iter()
            .map(|f| (f.id.clone(), f.node.to_string()))
            .collect();
        self.timeline.track(current, &self.nodes.down(), now);
    }

    /// The view of the latest refresh.
    pub fn view(&self) -> WatchView {
        let d = &self.diagnosis;
        let facts: Vec<&Facts> = std::iter::once(&d.facts).chain(d.others.iter()).collect();
        WatchView::of(&Frame {
            nodes: &self.nodes,
            facts: &facts,
            findings: &d.report.findings,
            timeline: &self.timeline,
            refresh: self.refreshes,
            every: self.every,
            started: self.started,
        })
    }

    fn report(&self) -> &crate::findings::Report {
        &self.diagnosis.report
    }
}

/// How the watch shows its refreshes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One frame, after one refresh, in the chosen format.
    Once,
    /// In place on the terminal, until q.
    Screen,
    /// A line per refresh (a JSON document per line with `Format::Json`).
    Lines,
}

pub struct Settings {
    pub mode: Mode,
    pub format: Format,
    /// Stop after this many refreshes.
    pub count: Option<u64>,
    /// Stop at this moment (an explicit --timeout).
    pub until: Option<Instant>,
}

/// Why the loop stopped waiting.
enum Woken {
    Due,
    Key(Key),
    Stop,
}

/// Runs the watch until it is told to stop; the exit status is the last
/// refresh's verdict.
pub fn run(ctx: &Context<'_>, mut w: Watcher, s: &Settings) -> Result<Status, CliError> {
    let stop = ctx.runtime.block_on(async { Interrupt::catch_ending() });
    match s.mode {
        Mode::Once => {
            let due = Instant::now() + w.every;
            if let Woken::Stop = wait(ctx, &stop, due, None, s.until) {
                // Stopped before the refresh: the first diagnosis is the frame.
            } else {
                refresh(ctx, &mut w, s.until);
            }
            let view = DoorView::Watch { watch: w.view() };
            ctx.emit(s.format, w.report(), Some(&view), Part::Diagnosis)?;
            Ok(w.report().status)
        }
        Mode::Lines => {
            let mut shown = 0;
            loop {
                emit_line(ctx, &w, s.format)?;
                shown += 1;
                if s.count.is_some_and(|c| shown >= c) {
                    break;
                }
                let due = Instant::now() + w.every;
                match wait(ctx, &stop, due, None, s.until) {
                    Woken::Stop => break,
                    Woken::Due | Woken::Key(_) => {}
                }
                refresh(ctx, &mut w, s.until);
            }
            Ok(w.report().status)
        }
        Mode::Screen => screen(ctx, w, s, &stop),
    }
}

fn screen(
    ctx: &Context<'_>,
    mut w: Watcher,
    s: &Settings,
    stop: &Interrupt,
) -> Result<Status, CliError> {
    let (screen, mut keys) = Screen::enter()
        .map_err(|e| CliError::Output(format!("cannot take over the terminal: {e}")))?;
    let unicode = render::unicode();
    let draw = |w: &Watcher| {
        let (width, height) = Screen::size();
        let view = w.view();
        let lines = render::watch::screen(w.report(), &view, width, height, unicode);
        screen
            .draw(&lines)
            .map_err(|e| CliError::Output(format!("cannot draw on the terminal: {e}")))
    };
    draw(&w)?;
    let mut shown = 1;
    let mut due = Instant::now() + w.every;
    loop {
        if s.count.is_some_and(|c| shown >= c) {
            break;
        }
        match wait(ctx, stop, due, Some(&mut keys), s.until) {
            Woken::Stop | Woken::Key(Key::Quit) => break,
            Woken::Key(Key::Resize) => {
                draw(&w)?;
                continue;
            }
            Woken::Due | Woken::Key(Key::Refresh) => {}
        }
        // A key pressed while the nodes are read is heard at once.
        let quit = ctx.runtime.block_on(async {
            let deadline = refresh_deadline(ctx, s.until);
            let refresh = w.refresh(&ctx.timeouts, deadline);
            tokio::pin!(refresh);
            loop {
                tokio::select! {
                    () = &mut refresh => return false,
                    key = keys.recv() => match key {
                        Some(Key::Quit) | None => return true,
                        Some(_) => {}
                    },
                    () = stop.wait() => return true,
                }
            }
        });
        if quit {
            break;
        }
        shown += 1;
        due = Instant::now() + w.every;
        draw(&w)?;
    }
    drop(screen);
    Ok(w.report().status)
}

/// How long a refresh may take: a node must connect and answer in its
/// time limits, and the watch's own end holds.
fn refresh_deadline(ctx: &Context<'_>, until: Option<Instant>) -> tokio::time::Instant {
    let mut end = Instant::now() + ctx.timeouts.connect + ctx.timeouts.command;
    if let Some(u) = until {
        end = end.min(u);
    }
    tokio::time::Instant::from_std(end)
}

fn refresh(ctx: &Context<'_>, w: &mut Watcher, until: Option<Instant>) {
    let deadline = refresh_deadline(ctx, until);
    ctx.runtime.block_on(w.refresh(&ctx.timeouts, deadline));
}

/// Waits until `due`, a key, a signal, or the watch's end.
fn wait(
    ctx: &Context<'_>,
    stop: &Interrupt,
    due: Instant,
    keys: Option<&mut tokio::sync::mpsc::UnboundedReceiver<Key>>,
    until: Option<Instant>,
) -> Woken {
    let end = until.map(tokio::time::Instant::from_std);
    ctx.runtime.block_on(async {
        let key = async {
            match keys {
                Some(k) => k.recv().await.map_or(Woken::Key(Key::Quit), Woken::Key),
                None => std::future::pending().await,
            }
        };
        let ended = async {
            match end {
                Some(e) => sleep_until(e).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = sleep_until(tokio::time::Instant::from_std(due)) => Woken::Due,
            woken = key => woken,
            () = stop.wait() => Woken::Stop,
            () = ended => Woken::Stop,
        }
    })
}

fn emit_line(ctx: &Context<'_>, w: &Watcher, format: Format) -> Result<(), CliError> {
    let view = w.view();
    let report = w.report();
    match format {
        Format::Json => {
            let watch = DoorView::Watch { watch: view };
            ctx.printer.out_json_line(&Viewed {
                report,
                view: Some(&watch),
            })
        }
        _ => ctx
            .printer
            .out(&format!("{}\n", render::watch::line(report, &view))),
    }
}
