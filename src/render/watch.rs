//! `cachectl watch` for people: the live screen (`screen`), a line per
//! refresh where there is no terminal (`line`), and the nodes' section of
//! a `--once` table (`section`). Every line fits the width it is given;
//! sparklines fall back to ASCII without Unicode.

use std::fmt::Write;
use std::time::{Duration, UNIX_EPOCH};

use super::table::{coloured, grouped, status_label, wrap};
use crate::findings::{Finding, Report, Severity};
use crate::watch::{NodeFigures, WatchView};

/// Sparkline levels, lowest first.
const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ASCII: [char; 8] = ['_', '.', ',', '-', '~', '=', '*', '#'];

/// What a sparkline's lowest and highest cells stand for.
#[derive(Debug, Clone, Copy)]
pub enum Scale {
    /// 0 to the highest value shown (rates, round trips).
    FromZero,
    /// The lowest to the highest value shown (memory, which moves little
    /// against its size).
    Span,
    /// Fixed bounds (a percentage).
    Fixed(f64, f64),
}

/// `values` (oldest first; `None` where a refresh had none, drawn as a
/// space) as a sparkline of the last `cells`.
pub fn spark(values: &[Option<f64>], cells: usize, scale: Scale, unicode: bool) -> String {
    let shown = &values[values.len().saturating_sub(cells)..];
    let known = shown.iter().flatten().copied().filter(|v| v.is_finite());
    let (lo, hi) = known.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = match scale {
        Scale::FromZero => (lo.min(0.0), hi),
        Scale::Span => (lo, hi),
        Scale::Fixed(a, b) => (a, b),
    };
    let levels = if unicode { &BLOCKS } else { &ASCII };
    shown
        .iter()
        .map(|v| match v {
            Some(v) if v.is_finite() => {
                let f = if hi > lo {
                    ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                levels[((f * 7.0).round() as usize).min(7)]
            }
            _ => ' ',
        })
        .collect()
}

/// A count in at most five characters: 950, 12.3k, 4.5M.
fn compact(n: f64) -> String {
    let a = n.abs();
    if a < 1000.0 {
        if n.fract() == 0.0 || a >= 100.0 {
            format!("{n:.0}")
        } else {
            format!("{n:.1}")
        }
    } else if a < 999_950.0 {
        format!("{:.1}k", n / 1000.0)
    } else {
        format!("{:.1}M", n / 1_000_000.0)
    }
}

/// Bytes in at most six characters: 512B, 3.1M, 1.2G.
fn bytes(n: i64) -> String {
    let units = ["B", "K", "M", "G", "T"];
    let (v, u) = super::table::in_units(n);
    if u == 0 {
        format!("{n}B")
    } else if v >= 100.0 {
        format!("{v:.0}{}", units[u])
    } else {
        format!("{v:.1}{}", units[u])
    }
}

/// The time of day of a Unix time, UTC: 05:12:33.
fn clock(unix: u64) -> String {
    let t = UNIX_EPOCH + Duration::from_secs(unix);
    humantime::format_rfc3339_seconds(t).to_string()[11..19].to_string()
}

/// How long from `since` to `now`, in its two largest units: 1m12s, 3h4m.
fn ago(since: u64, now: u64) -> String {
    let s = now.saturating_sub(since);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600),
    }
}

fn role(n: &NodeFigures) -> &'static str {
    match n.role {
        crate::target::Role::Primary => "primary",
        crate::target::Role::Replica => "replica",
        crate::target::Role::Sentinel => "sentinel",
        crate::target::Role::Unknown => "?",
    }
}

/// The memory column: used, and its share of maxmemory when there is one.
fn memory(n: &NodeFigures) -> String {
    match (n.used_memory, n.maxmemory) {
        (Some(u), Some(m)) if m > 0 => {
            format!("{} {:.0}%", bytes(u), u as f64 / m as f64 * 100.0)
        }
        (Some(u), _) => bytes(u),
        _ => "-".into(),
    }
}

fn or_dash<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map_or_else(|| "-".into(), f)
}

/// The columns of a node's row: header, width, right-aligned, and which
/// go first when the width is short (higher goes sooner).
const COLUMNS: [(&str, usize, u8); 8] = [
    ("ROLE", 7, 4),
    ("OPS/S", 6, 0),
    ("HIT%", 5, 3),
    ("MEMORY", 10, 0),
    ("CLIENTS", 7, 2),
    ("EVICT/S", 7, 1),
    ("P50MS", 6, 5),
    ("P99MS", 6, 0),
];

fn cells(n: &NodeFigures) -> [String; 8] {
    [
        role(n).to_string(),
        or_dash(n.ops_per_s, compact),
        or_dash(n.hit_ratio, |h| format!("{:.1}", h * 100.0)),
        memory(n),
        or_dash(n.clients, |c| compact(c as f64)),
        or_dash(n.evictions_per_s, compact),
        or_dash(n.p50_ms, |m| format!("{m:.2}")),
        or_dash(n.p99_ms, |m| format!("{m:.2}")),
    ]
}

/// The nodes' rows (a header, then per node its figures and a line of
/// sparklines), `width` columns wide at most.
fn node_rows(v: &WatchView, width: usize, unicode: bool) -> Vec<String> {
    let name = v
        .nodes
        .iter()
        .map(|n| n.node.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    // Drop the least needed columns until the row fits.
    let mut keep = [true; 8];
    let total = |keep: &[bool; 8]| {
        name + COLUMNS
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|((_, w, _), _)| w + 1)
            .sum::<usize>()
    };
    for level in (1..=5).rev() {
        if total(&keep) <= width {
            break;
        }
        for (i, (_, _, drop)) in COLUMNS.iter().enumerate() {
            if *drop == level {
                keep[i] = false;
            }
        }
    }
    let row = |first: &str, rest: &[String]| {
        let mut line = format!("{first:<name$}");
        for (i, ((_, w, _), cell)) in COLUMNS.iter().zip(rest).enumerate() {
            if keep[i] {
                if i == 0 {
                    let _ = write!(line, " {cell:<w$}");
                } else {
                    let _ = write!(line, " {cell:>w$}");
                }
            }
        }
        line
    };
    let header: Vec<String> = COLUMNS.iter().map(|(h, _, _)| (*h).to_string()).collect();
    let mut out = vec![row("NODE", &header)];
    for n in &v.nodes {
        if let (false, Some(since)) = (n.up, n.down_since) {
            let why = n.down_reason.as_deref().unwrap_or("no answer");
            let line = format!(
                "{:<name$} DOWN since {} ({}): {why}",
                n.node,
                clock(since),
                ago(since, v.at)
            );
            out.push(coloured(Severity::Critical, &fit(&line, width)));
            continue;
        }
        out.push(row(&n.node, &cells(n)));
        out.push(sparks(n, width, unicode));
    }
    out
}

/// A node's history as sparklines: ops/s, hit rate, memory, p99.
fn sparks(n: &NodeFigures, width: usize, unicode: bool) -> String {
    let h = &n.history;
    let series: [(&str, Vec<Option<f64>>, Scale); 4] = [
        ("ops", h.ops_per_s.clone(), Scale::FromZero),
        ("hit", h.hit_ratio.clone(), Scale::Fixed(0.0, 1.0)),
        (
            "mem",
            h.used_memory.iter().map(|m| m.map(|m| m as f64)).collect(),
            Scale::Span,
        ),
        ("p99", h.p99_ms.clone(), Scale::FromZero),
    ];
    // "  ops ▁▂▃ " four times: the labels take 4 + 2 each.
    let cells = (width.saturating_sub(2 + 4 * 6) / 4).clamp(1, 60);
    let mut line = String::from(" ");
    for (label, values, scale) in &series {
        let s = spark(values, cells, *scale, unicode);
        let _ = write!(line, " {label} {s:<cells$}");
    }
    line.trim_end().to_string()
}

/// `text` cut to `width` characters, an ellipsis marking the cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The findings, grouped across nodes, one line each: severity, check,
/// where, since when.
fn finding_lines(r: &Report, v: &WatchView, width: usize, messages: bool) -> Vec<String> {
    let all: Vec<&Finding> = r.findings.iter().collect();
    let mut out = Vec::new();
    for g in grouped(&all) {
        let since = g
            .members
            .iter()
            .filter_map(|f| {
                v.findings
                    .iter()
                    .find(|s| s.id == f.id && s.node == f.node.to_string())
            })
            .map(|s| s.since)
            .min()
            .unwrap_or(v.at);
        let whereabouts = match g.members.len() {
            1 => g.first.node.to_string(),
            n => format!("{n} nodes"),
        };
        let label = format!("{:<8}", g.first.severity.label().to_uppercase());
        let rest = format!(
            " {} {whereabouts} since {} ({})",
            g.first.id,
            clock(since),
            ago(since, v.at)
        );
        let rest = fit(&rest, width.saturating_sub(8));
        out.push(format!("{}{rest}", coloured(g.first.severity, &label)));
        if messages {
            let text = super::clean(&g.first.message);
            for l in wrap(
                &text,
                u16::try_from(width).unwrap_or(u16::MAX),
                "   ",
                "   ",
            )
            .lines()
            {
                out.push(l.to_string());
            }
        }
    }
    out
}

fn cleared_lines(v: &WatchView, width: usize) -> Vec<String> {
    v.cleared
        .iter()
        .map(|c| {
            let line = format!(
                "{:<8} {} {} held {}–{}",
                "CLEARED",
                c.id,
                c.node,
                clock(c.since),
                clock(c.cleared)
            );
            let line = fit(&line, width);
            format!("{}{}", coloured(Severity::Ok, &line[..7]), &line[7..])
        })
        .collect()
}

/// The first line: the verdict, the counts, the window.
fn verdict(r: &Report, v: &WatchView) -> String {
    let window = if v.refresh == 0 {
        "since start".to_string()
    } else {
        format!("last {}", ago(0, u64::try_from(v.window_s).unwrap_or(0)))
    };
    format!(
        "{}  health {}/100  {} finding{}  (counters: {window}; refresh {})",
        status_label(r.status),
        r.score,
        r.findings.len(),
        if r.findings.len() == 1 { "" } else { "s" },
        v.refresh
    )
}

/// The live screen: `height` lines at most, none wider than `width`.
/// What does not fit is cut from the bottom, the findings' messages first.
pub fn screen(r: &Report, v: &WatchView, width: u16, height: u16, unicode: bool) -> Vec<String> {
    let (w, h) = (usize::from(width), usize::from(height).max(3));
    let title = fit(
        &format!(
            "cachectl watch  {}  every {}  {} UTC",
            super::clean(&r.target),
            crate::duration::format(Duration::from_secs_f64(v.every_s)),
            clock(v.at)
        ),
        w.saturating_sub(9),
    );
    let mut top = vec![
        format!("{title:<0$}  q quits", w.saturating_sub(9)),
        verdict(r, v),
    ];
    top.push(String::new());
    top.extend(node_rows(v, w, unicode));
    top.push(String::new());
    let cleared = cleared_lines(v, w);
    let room = h.saturating_sub(top.len());
    let mut body = finding_lines(r, v, w, true);
    if body.len() + cleared.len().min(3) > room {
        body = finding_lines(r, v, w, false);
    }
    if r.findings.is_empty() {
        body.push("no finding".into());
    }
    body.extend(cleared.into_iter().take(3));
    if body.len() > room {
        let more = body.len() - room + 1;
        body.truncate(room.saturating_sub(1));
        body.push(format!(
            "… {more} more lines: cachectl diagnose shows them all"
        ));
    }
    top.extend(body);
    top.truncate(h);
    top.into_iter().map(|l| fit_shown(l, w)).collect()
}

/// A line that may carry colour, cut to `width` as it shows: a line too
/// wide loses its colour with its end.
fn fit_shown(line: String, width: usize) -> String {
    let plain = anstream::adapter::strip_str(&line).to_string();
    if plain.chars().count() <= width {
        line
    } else {
        fit(&plain, width)
    }
}

/// One line per refresh, for a log: when, the verdict, the nodes up, the
/// figures summed (ops/s) or at their worst (memory, p99), the findings.
pub fn line(r: &Report, v: &WatchView) -> String {
    let up = v.nodes.iter().filter(|n| n.up).count();
    // No node with a rate (all down): no figure, not a sum of nothing
    // (which for floats is -0).
    let rates: Vec<f64> = v.nodes.iter().filter_map(|n| n.ops_per_s).collect();
    let ops = if rates.is_empty() {
        "-".to_string()
    } else {
        compact(rates.iter().sum())
    };
    let worst = |f: &dyn Fn(&NodeFigures) -> Option<f64>| {
        v.nodes
            .iter()
            .filter_map(f)
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
    };
    let mem = worst(&|n| match (n.used_memory, n.maxmemory) {
        (Some(u), Some(m)) if m > 0 => Some(u as f64 / m as f64 * 100.0),
        _ => None,
    });
    let p99 = worst(&|n| n.p99_ms);
    let hit = v
        .nodes
        .iter()
        .filter_map(|n| n.hit_ratio)
        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.min(x))));
    let ids: Vec<&str> = {
        let mut ids: Vec<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
        ids.dedup();
        ids
    };
    let mut line = format!(
        "{} {} health {} nodes {up}/{} ops/s {}",
        humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(v.at)),
        r.status.label(),
        r.score,
        v.nodes.len(),
        ops
    );
    if let Some(h) = hit {
        let _ = write!(line, " hit {:.1}%", h * 100.0);
    }
    if let Some(m) = mem {
        let _ = write!(line, " mem {m:.0}%");
    }
    if let Some(p) = p99 {
        let _ = write!(line, " p99 {p:.2}ms");
    }
    let _ = write!(
        line,
        " findings {}",
        if ids.is_empty() {
            "none".to_string()
        } else {
            ids.join(",")
        }
    );
    line
}

/// The nodes' section of a `--once` table, after the report's findings:
/// each node's figures, and since when each finding has held.
pub fn section(out: &mut String, v: &WatchView, width: u16) {
    let w = usize::from(width);
    let _ = writeln!(
        out,
        "\nNodes (at {} UTC, refresh {})",
        clock(v.at),
        v.refresh
    );
    for l in node_rows(v, w, super::unicode()) {
        let _ = writeln!(out, "{l}");
    }
    if !v.findings.is_empty() {
        let _ = writeln!(out, "\nSince");
        for s in &v.findings {
            let line = format!(
                "  {} {} since {} ({})",
                s.id,
                s.node,
                clock(s.since),
                ago(s.since, v.at)
            );
            let _ = writeln!(out, "{}", fit(&line, w));
        }
    }
    for l in cleared_lines(v, w) {
        let _ = writeln!(out, "{l}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_and_fall_back_to_ascii() {
        let v = [Some(0.0), Some(5.0), None, Some(10.0)];
        assert_eq!(spark(&v, 10, Scale::FromZero, true), "▁▅ █");
        assert_eq!(spark(&v, 10, Scale::FromZero, false), "_~ #");
        // The last cells only.
        assert_eq!(spark(&v, 2, Scale::FromZero, true), " █");
        // A flat series: at the bottom of its span, at its height from 0.
        assert_eq!(spark(&[Some(3.0); 3], 5, Scale::Span, true), "▁▁▁");
        assert_eq!(spark(&[Some(3.0); 3], 5, Scale::FromZero, true), "███");
        assert_eq!(
            spark(
                &[Some(0.5), Some(1.0), Some(2.0)],
                5,
                Scale::Fixed(0.0, 1.0),
                true
            ),
            "▅██"
        );
    }

    #[test]
    fn figures_are_short() {
        assert_eq!(compact(950.0), "950");
        assert_eq!(compact(12_345.0), "12.3k");
        assert_eq!(compact(2.5), "2.5");
        assert_eq!(compact(4_500_000.0), "4.5M");
        assert_eq!(bytes(3_250_000), "3.1M");
        assert_eq!(bytes(512), "512B");
        assert_eq!(ago(100, 172), "1m12s");
        assert_eq!(ago(0, 3 * 3600 + 240), "3h04m");
        assert_eq!(clock(1_796_362_353), "05:32:33");
    }

    /// Every node down: the line says so, without a figure made of none.
    #[test]
    fn a_line_of_nodes_all_down_has_no_rate() {
        let down = NodeFigures {
            node: "127.0.0.1:1".into(),
            role: crate::target::Role::Unknown,
            up: false,
            down_since: Some(100),
            down_reason: Some("refused".into()),
            ops_per_s: None,
            hit_ratio: None,
            used_memory: None,
            maxmemory: None,
            clients: None,
            maxclients: None,
            evictions_per_s: None,
            p50_ms: None,
            p99_ms: None,
            history: crate::watch::view::History::default(),
        };
        let view = WatchView {
            refresh: 1,
            every_s: 2.0,
            started: 100,
            at: 102,
            window_s: 0,
            history_s: 300,
            nodes: vec![down],
            findings: Vec::new(),
            cleared: Vec::new(),
        };
        let r = crate::findings::Report::new(
            "redis://127.0.0.1:1/0".into(),
            None,
            Vec::new(),
            crate::findings::Evaluation::default(),
            Vec::new(),
            1.0,
        );
        let l = line(&r, &view);
        assert!(l.contains(" nodes 0/1 ops/s - "), "{l}");
    }
}
