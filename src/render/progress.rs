//! A progress bar on stderr for long work (scans): position, rate and ETA,
//! the bar taking what the terminal's width leaves (never wider).
//! Hidden when stderr is not a terminal, so pipes, CI logs and cron mail
//! get none of it.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::scan::Progress;

pub struct Bar(ProgressBar);

impl Bar {
    /// A bar counting `unit`s, or a hidden one without a terminal.
    pub fn new(unit: &str) -> Bar {
        Bar::labelled("", unit)
    }

    /// A bar with a label before it (the source of one part of a run).
    pub fn labelled(label: &str, unit: &str) -> Bar {
        if !std::io::stderr().is_terminal() {
            return Bar(ProgressBar::hidden());
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        // A long label (a file's path) keeps its end, the part that names it.
        let label = crate::render::clean(label).replace(['{', '}'], "");
        let chars: Vec<char> = label.chars().collect();
        let label = if chars.len() > 24 {
            format!("…{}", chars[chars.len() - 23..].iter().collect::<String>())
        } else {
            label
        };
        let label = if label.is_empty() {
            label
        } else {
            format!("{label} ")
        };
        let template = format!(
            "{label}{{wide_bar}} {{human_pos}}/{{human_len}} {unit}  {{rate}} {unit}/s  ETA {{eta}}"
        );
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0}", state.per_sec());
                },
            ));
        }
        Bar(bar)
    }
}

impl Progress for Bar {
    fn total(&self, n: u64) {
        self.0.set_length(n);
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// A dump's reading: bytes of its size (a spinner of bytes when the size
/// is unknown, as from a pipe or a replica), bytes/s, keys and keys/s, ETA.
pub struct DumpBar {
    bar: ProgressBar,
    started: std::time::Instant,
}

impl DumpBar {
    pub fn new(size: Option<u64>) -> DumpBar {
        let started = std::time::Instant::now();
        if !std::io::stderr().is_terminal() {
            return DumpBar {
                bar: ProgressBar::hidden(),
                started,
            };
        }
        let bar = ProgressBar::with_draw_target(size, ProgressDrawTarget::stderr());
        let template = if size.is_some() {
            "{wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec}  {msg}  ETA {eta}"
        } else {
            "{spinner} {binary_bytes} {binary_bytes_per_sec}  {msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        DumpBar { bar, started }
    }
}

impl crate::scan::dump::DumpProgress for DumpBar {
    fn at(&self, bytes: u64, keys: u64) {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        self.bar.set_position(bytes);
        self.bar.set_message(format!(
            "{} keys  {:.0} keys/s",
            indicatif::HumanCount(keys),
            keys as f64 / secs
        ));
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
