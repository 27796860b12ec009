//! The watch's loop: refresh, show, wait for the next refresh or a key or
//! a signal. Three ways to show: the live screen on a terminal, a line (or
//! a JSON document) per refresh elsewhere, or one frame (`--once`).

use std::time::Instant;

use tokio::time::sleep_until;

use super::Watcher;
use crate::engine::Context;
use crate::error::{CliError, Status};
use crate::interrupt::Interrupt;
use crate::render::document::Part;
use crate::render::terminal::{Key, Screen};
use crate::render::view::{DoorView, Viewed};
use crate::render::{self, Format};

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
            let due = Instant::now() + w.every();
            if let Woken::Stop = wait(ctx, &stop, due, None, s.until) {
                // Stopped before the refresh: the first diagnosis is the frame.
            } else {
                refresh(ctx, &mut w, s.until);
            }
            let view = DoorView::Watch { watch: w.view() };
            ctx.emit(s.format, &w.diagnosis.report, Some(&view), Part::Diagnosis)?;
            Ok(w.diagnosis.report.status)
        }
        Mode::Lines => {
            let mut shown = 0;
            loop {
                emit_line(ctx, &w, s.format)?;
                shown += 1;
                if s.count.is_some_and(|c| shown >= c) {
                    break;
                }
                let due = Instant::now() + w.every();
                match wait(ctx, &stop, due, None, s.until) {
                    Woken::Stop => break,
                    Woken::Due | Woken::Key(_) => {}
                }
                refresh(ctx, &mut w, s.until);
            }
            Ok(w.diagnosis.report.status)
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
        let lines = render::watch::screen(&w.diagnosis.report, &view, width, height, unicode);
        screen
            .draw(&lines)
            .map_err(|e| CliError::Output(format!("cannot draw on the terminal: {e}")))
    };
    draw(&w)?;
    let mut shown = 1;
    let mut due = Instant::now() + w.every();
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
        due = Instant::now() + w.every();
        draw(&w)?;
    }
    drop(screen);
    Ok(w.diagnosis.report.status)
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
    let report = &w.diagnosis.report;
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
