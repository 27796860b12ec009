//! The hotkeys view as a table: each node's method (or why none), the hot
//! keys hottest first, the hot patterns and the hot slots.

use std::fmt::Write as _;

use comfy_table::Cell;
use owo_colors::OwoColorize as _;

use super::table::{human_bytes, new_table, shown, wrap};
use super::{clean, unicode};
use crate::hotkeys::{HotKey, HotkeysView, Method};

fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "-".into(), |n| n.to_string())
}

/// What a key's heat is, in its method's unit.
fn heat(k: &HotKey) -> String {
    match k.method {
        Method::Monitor => format!(
            "{}/s ({} r, {} w)",
            k.per_s.unwrap_or(0.0),
            count(k.reads),
            count(k.writes)
        ),
        Method::ObjectFreq => format!("freq {}", count(k.freq)),
        Method::Hotkeys => format!(
            "{} us CPU, {}",
            count(k.cpu_us),
            k.net_bytes
                .map_or_else(|| "-".into(), |b| human_bytes(b as i64))
        ),
    }
}

pub fn section(out: &mut String, view: &HotkeysView, width: u16) {
    let _ = writeln!(out, "\n{}", "Hot keys".bold());
    for n in &view.nodes {
        let method = n.method.map_or("not measured", Method::as_str);
        let mut line = format!("{}: {method}: {}", n.node, clean(&n.reason));
        if let (Some(lines), Some(bytes)) = (n.lines, n.bytes) {
            let _ = write!(
                line,
                "; {lines} lines, {}, {} reads, {} writes",
                human_bytes(bytes as i64),
                count(n.reads),
                count(n.writes)
            );
        }
        if let Some(seen) = n.keys_seen {
            let _ = write!(line, "; {seen} keys looked at");
        }
        if let Some(c) = &n.capped {
            let _ = write!(line, "; ended early: {}", clean(c));
        }
        if n.approximate {
            line.push_str("; more distinct keys than the table holds: counts are lower bounds");
        }
        if let Some(s) = &n.slot_stats {
            let _ = write!(line, "; slot stats {}", clean(s));
        }
        let _ = writeln!(out, "{}", wrap(&line, width, "  ", "    "));
    }
    if !view.keys.is_empty() {
        let mut table = new_table(&["KEY", "NODE", "SHARE", "HEAT", "PATTERN"], width);
        for k in &view.keys {
            table.add_row(vec![
                Cell::new(clean(&k.key)),
                Cell::new(&k.node),
                Cell::new(format!(
                    "{:>5.1}% {}",
                    k.share * 100.0,
                    super::table::bar(k.share, 8, unicode())
                )),
                Cell::new(heat(k)),
                Cell::new(clean(&k.pattern)),
            ]);
        }
        let _ = writeln!(out, "{}", shown(table, width));
    }
    if !view.patterns.is_empty() {
        let mut table = new_table(&["PATTERN", "NODE", "SHARE", "READS", "WRITES"], width);
        for p in &view.patterns {
            table.add_row(vec![
                Cell::new(clean(&p.pattern)),
                Cell::new(&p.node),
                Cell::new(format!("{:.1}%", p.share * 100.0)),
                Cell::new(p.reads),
                Cell::new(p.writes),
            ]);
        }
        let _ = writeln!(out, "{}", shown(table, width));
    }
    if !view.slots.is_empty() {
        let mut table = new_table(
            &["SLOT", "NODE", "KEYS", "CPU US", "NET IN", "NET OUT"],
            width,
        );
        for s in &view.slots {
            table.add_row(vec![
                Cell::new(s.slot),
                Cell::new(&s.node),
                Cell::new(s.key_count),
                Cell::new(count(s.cpu_usec)),
                Cell::new(
                    s.network_bytes_in
                        .map_or_else(|| "-".into(), |b| human_bytes(b as i64)),
                ),
                Cell::new(
                    s.network_bytes_out
                        .map_or_else(|| "-".into(), |b| human_bytes(b as i64)),
                ),
            ]);
        }
        let _ = writeln!(out, "{}", shown(table, width));
    }
}
