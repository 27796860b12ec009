//! What `memory --rdb` shows of the dump itself, before its keyspace: what
//! wrote it and when, how it was read, how its keys' memory was estimated;
//! and after the keyspace, the keys idle longest.

use std::fmt::Write as _;

use comfy_table::Cell;
use owo_colors::OwoColorize as _;

use super::clean;
use super::table::{human_bytes, new_table, shown, wrap};
use crate::scan::dump::DumpInfo;
use crate::scan::tally::KeyView;

/// The dump's section.
pub(super) fn section(out: &mut String, d: &DumpInfo, width: u16) {
    let written = match (&d.server_version, &d.created) {
        (Some(v), Some(t)) => format!(", written by {} {} at {}", server(d), clean(v), t),
        (Some(v), None) => format!(", written by {} {}", server(d), clean(v)),
        (None, Some(t)) => format!(", written at {t}"),
        (None, None) => String::new(),
    };
    let envelope = match d.envelope.as_deref() {
        Some("vkcs-lz4") => ", LZ4-compressed (VKCS)".to_string(),
        Some(other) => format!(", in a {} envelope", clean(other)),
        None => String::new(),
    };
    let head = format!(
        "{}  {}  RDB {} ({}{envelope}){written}",
        "Dump".bold(),
        clean(&d.from),
        d.rdb_version,
        clean(&d.format)
    );
    let _ = writeln!(out, "\n{}", wrap(&head, width, "", "  "));
    let mut read = format!(
        "read {} at {:.1} MB/s, {:.0} keys/s; checksum {}",
        human_bytes(d.bytes_read as i64),
        d.mb_per_s,
        d.keys_per_s,
        d.checksum
    );
    if let Some(m) = d.used_mem {
        read = format!("used-mem {} when written; {read}", human_bytes(m as i64));
    }
    let _ = writeln!(out, "{}", wrap(&read, width, "  ", "    "));
    let dbs: Vec<String> = d
        .databases
        .iter()
        .map(|db| format!("db{} {} keys ({} with a TTL)", db.db, db.keys, db.expires))
        .collect();
    if !dbs.is_empty() {
        let _ = writeln!(out, "{}", wrap(&dbs.join(", "), width, "  ", "    "));
    }
    let mut passed = Vec::new();
    let sized = |what: String, bytes: u64| format!("{what} ({})", human_bytes(bytes as i64));
    if d.functions > 0 {
        let what = format!("{} function libraries", d.functions);
        passed.push(sized(what, d.function_bytes));
    }
    if d.module_aux > 0 {
        let what = format!("{} module AUX fields", d.module_aux);
        passed.push(sized(what, d.module_aux_bytes));
    }
    if d.key_meta > 0 {
        let what = format!("module metadata of {} keys", d.key_meta);
        passed.push(sized(what, d.key_meta_bytes));
    }
    if d.hash_templates > 0 {
        passed.push(format!("{} hash templates", d.hash_templates));
    }
    if d.slot_imports > 0 {
        passed.push(format!("{} slot imports in progress", d.slot_imports));
    }
    if d.inline_commands > 0 {
        passed.push(format!(
            "{} writes made while the dump was taken (not in this report)",
            d.inline_commands
        ));
    }
    if !passed.is_empty() {
        let extra = format!("passed over: {}", passed.join(", "));
        let _ = writeln!(out, "{}", wrap(&extra, width, "  ", "    "));
    }
    if let Some(m) = &d.memory_model {
        let model = format!(
            "bytes are estimates of each key's memory in the server (MEMORY USAGE): {} accounting, {} size classes (docs/rdb.md; --allocator to change)",
            m.family.name(),
            m.allocator.name(),
        );
        let _ = writeln!(out, "{}", wrap(&model, width, "  ", "    "));
    }
    if let Some(e) = &d.error {
        let line = format!("{}: {}", "the dump is cut short or corrupt".red(), clean(e));
        let _ = writeln!(out, "{}", wrap(&line, width, "  ", "    "));
    }
}

fn server(d: &DumpInfo) -> &'static str {
    if d.format == "valkey" || d.rdb_version >= 80 {
        "Valkey"
    } else {
        "Redis"
    }
}

/// The keys idle longest (the dump's LRU idle field).
pub(super) fn cold_keys(out: &mut String, cold: &[KeyView], width: u16) {
    if cold.is_empty() {
        return;
    }
    let mut table = new_table(&["COLDEST KEYS (IDLE)", "TYPE", "IDLE", "BYTES"], width);
    for key in cold {
        table.add_row(vec![
            Cell::new(clean(&key.key)),
            Cell::new(&key.kind),
            Cell::new(
                humantime::format_duration(std::time::Duration::from_secs(key.idle.unwrap_or(0)))
                    .to_string(),
            ),
            Cell::new(human_bytes(key.bytes as i64)),
        ]);
    }
    let _ = writeln!(out, "{}", shown(table, width));
}
