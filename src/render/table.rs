//! Human output: a status line, a table of findings, their fixes, and what
//! could not be checked.

use std::fmt::Write;

use comfy_table::{presets, Cell, ColumnConstraint, ContentArrangement, Table, Width};
use owo_colors::OwoColorize;

use crate::clients::ClientsView;
use crate::error::Status;
use crate::facts::memory::MemoryView;
use crate::findings::evaluate::NOTHING_EVALUATED;
use crate::findings::{Finding, Report, Severity};
use crate::latency::LatencyView;
use crate::mutate::Mode;
use crate::scan::tally::{KeyspaceReport, Source};
use crate::slowlog::SlowlogView;

use super::clean;
use super::view::DoorView;

pub(super) fn status_label(status: Status) -> String {
    let label = status.label();
    match status {
        Status::Ok => label.green().bold().to_string(),
        Status::Warning => label.yellow().bold().to_string(),
        Status::Critical => label.red().bold().to_string(),
        Status::Unknown => label.magenta().bold().to_string(),
    }
}

fn severity_label(s: Severity) -> String {
    coloured(s, s.label())
}

/// `label` in the colour of severity `s`.
pub(super) fn coloured(s: Severity, label: &str) -> String {
    match s {
        Severity::Critical => label.red().bold().to_string(),
        Severity::Warning => label.yellow().to_string(),
        Severity::Unknown => label.magenta().to_string(),
        Severity::Info => label.cyan().to_string(),
        Severity::Ok => label.green().to_string(),
    }
}

/// A new table in the house style, `width` columns wide.
pub fn new_table(header: &[&str], width: u16) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_HORIZONTAL_ONLY);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_width(width);
    table.set_header(header.iter().map(Cell::new));
    table
}

/// `table` as it prints in `width` columns, no word split: each column is
/// kept at least as wide as its longest word (an address, a key, a
/// command), and where the columns' longest words cannot all fit side by
/// side, each row prints as a block instead: its first cell, then the
/// others as `HEADER value`, wrapped between words.
pub fn shown(mut table: Table, width: u16) -> String {
    let plain = |c: &Cell| anstream::adapter::strip_str(&c.content()).to_string();
    let header: Vec<String> = table
        .header()
        .map(|r| r.cell_iter().map(plain).collect())
        .unwrap_or_default();
    let rows: Vec<Vec<String>> = table
        .row_iter()
        .map(|r| r.cell_iter().map(plain).collect())
        .collect();
    let columns = rows
        .iter()
        .map(Vec::len)
        .chain([header.len()])
        .max()
        .unwrap_or(0);
    let widths = |f: &dyn Fn(&str) -> usize| -> Vec<usize> {
        (0..columns)
            .map(|i| {
                std::iter::once(&header)
                    .chain(&rows)
                    .filter_map(|r| r.get(i))
                    .map(|c| f(c))
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    };
    // Each column pads a space on either side; a width here counts it.
    // What a column may not go below: its longest word, and a short cell
    // whole (a figure and its unit, `900.0 ms`; a header, `KEY PATTERN`).
    let longest_word = widths(&|c| {
        let whole = textwrap::core::display_width(c);
        if whole <= SHORT_CELL && !c.contains('\n') {
            return whole + 2;
        }
        c.split_whitespace()
            .map(textwrap::core::display_width)
            .max()
            .unwrap_or(0)
            + 2
    });
    let longest_line = widths(&|c| {
        c.lines()
            .map(textwrap::core::display_width)
            .max()
            .unwrap_or(0)
            + 2
    });
    let caps: Vec<usize> = (0..columns)
        .map(
            |i| match table.column_mut(i).and_then(|c| c.constraint().copied()) {
                Some(ColumnConstraint::UpperBoundary(Width::Fixed(u))) => {
                    usize::from(u).max(longest_word[i])
                }
                _ => usize::MAX,
            },
        )
        .collect();
    // Between columns, a blank separator.
    let room = usize::from(width).saturating_sub(columns.saturating_sub(1));
    if let Some(set) = columns_within(&longest_word, &longest_line, &caps, room) {
        for (i, w) in set.into_iter().enumerate() {
            if let Some(col) = table.column_mut(i) {
                col.set_constraint(ColumnConstraint::Absolute(Width::Fixed(
                    u16::try_from(w).unwrap_or(u16::MAX),
                )));
            }
        }
        return table.to_string();
    }
    let mut out = String::new();
    if let Some(title) = header.first() {
        let _ = writeln!(out, "{title}");
    }
    for row in &rows {
        let one_line = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let _ = writeln!(out, "{}", wrap(&one_line(&row[0]), width, "", "    "));
        let pieces: Vec<String> = row
            .iter()
            .zip(&header)
            .skip(1)
            .filter(|(c, _)| !c.trim().is_empty())
            .map(|(c, h)| format!("{} {}", h.to_lowercase(), one_line(c)))
            .collect();
        let (short, long): (Vec<String>, Vec<String>) = pieces
            .into_iter()
            .partition(|p| textwrap::core::display_width(p) <= usize::from(width / 2));
        if !short.is_empty() {
            let _ = writeln!(out, "{}", fit_in(&short, width, "  "));
        }
        for p in long {
            let _ = writeln!(out, "{}", wrap(&p, width, "  ", "    "));
        }
    }
    out.trim_end().to_string()
}

/// A cell this wide or less is never wrapped.
const SHORT_CELL: usize = 12;

/// A plain table of text rows, as `shown` lays it out.
pub fn rows(header: &[&str], rows: Vec<Vec<String>>, width: u16) -> String {
    let mut table = new_table(header, width);
    for r in rows {
        table.add_row(r);
    }
    format!("{}\n", shown(table, width))
}

/// Column widths within `width`: each at least its `least`, at most its
/// `most` (and its `cap`), the room over the least shared in proportion to
/// what each column lacks; `None` when even the least do not fit.
fn columns_within(
    least: &[usize],
    most: &[usize],
    cap: &[usize],
    width: usize,
) -> Option<Vec<usize>> {
    let total: usize = least.iter().sum();
    if total > width {
        return None;
    }
    let want: Vec<usize> = most
        .iter()
        .zip(least)
        .zip(cap)
        .map(|((m, l), c)| (*m).min(*c).max(*l))
        .collect();
    let lacking: Vec<usize> = want.iter().zip(least).map(|(w, l)| w - l).collect();
    let short: usize = lacking.iter().sum();
    let room = width - total;
    if short <= room {
        return Some(want);
    }
    let mut set: Vec<usize> = least
        .iter()
        .zip(&lacking)
        .map(|(l, k)| l + room * k / short)
        .collect();
    // What the rounding left, a column at a time, to those still short.
    let mut left = width - set.iter().sum::<usize>();
    for (i, w) in set.iter_mut().enumerate() {
        if left == 0 {
            break;
        }
        if *w < want[i] {
            *w += 1;
            left -= 1;
        }
    }
    Some(set)
}

/// Renders a diagnosis for people, as wide as the terminal: the report,
/// then the door's view.
pub fn diagnosis(r: &Report, view: Option<&DoorView>) -> String {
    diagnosis_at(r, view, super::table_width())
}

/// A diagnosis `width` columns wide.
pub fn diagnosis_at(r: &Report, view: Option<&DoorView>, width: u16) -> String {
    let mut out = report_at(r, width);
    if let Some(v) = view {
        v.table(&mut out, width);
    }
    out
}

/// What a scan with `--resume FILE` says of it: where it went on from,
/// and where the next run goes on.
pub fn resume_line(r: &crate::scan::resume::ResumeNote) -> String {
    let from = if r.resumed {
        format!(
            "resumed from {} (run {}): a key may count twice if the keyspace changed between runs",
            clean(&r.file),
            r.runs
        )
    } else {
        format!("resume file {}", clean(&r.file))
    };
    let then = if r.finished {
        "; the scan ended and the file was removed"
    } else {
        "; not finished: run again with the same --resume to go on"
    };
    format!("{from}{then}")
}

/// A bar `fraction` (0 to 1) of `cells` wide: Unicode blocks to an
/// eighth of a cell, or `#` to a whole one.
pub fn bar(fraction: f64, cells: usize, unicode: bool) -> String {
    let fraction = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    if !unicode {
        return "#".repeat((fraction * cells as f64).round() as usize);
    }
    let eighths = (fraction * cells as f64 * 8.0).round() as usize;
    let mut out = "█".repeat(eighths / 8);
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    out.push_str(PARTS[eighths % 8]);
    out
}

/// Below this width findings print as blocks, not as a table.
pub const COMPACT_BELOW: u16 = 100;

/// `text` wrapped to `width` at spaces, every line after the first
/// indented by `indent`; a word longer than a line (an address, a key, a
/// command) stays whole on its own.
pub fn wrap(text: &str, width: u16, first: &str, indent: &str) -> String {
    let options = textwrap::Options::new(usize::from(width).max(20))
        .initial_indent(first)
        .subsequent_indent(indent)
        .break_words(false)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::fill(text, options)
}

/// `pieces` on as few lines as fit `width`, two spaces apart; a piece
/// never splits.
fn fit(pieces: &[String], width: u16) -> String {
    fit_in(pieces, width, "")
}

/// A line of figures two spaces apart (`used 3 MiB  peak 4 MiB`), its
/// figures on as few lines as fit `width`, each line after `indent`.
pub fn spaced(line: &str, width: u16, indent: &str) -> String {
    let pieces: Vec<String> = line.split("  ").map(str::trim).map(String::from).collect();
    fit_in(&pieces, width, indent)
}

/// `fit`, every line starting with `indent`.
fn fit_in(pieces: &[String], width: u16, indent: &str) -> String {
    let mut out = String::from(indent);
    let start = textwrap::core::display_width(indent);
    let mut line = start;
    for p in pieces.iter().filter(|p| !p.is_empty()) {
        let len = textwrap::core::display_width(p);
        if start + len > usize::from(width) && p.contains(' ') {
            // Longer than a line by itself: wrapped at its spaces on lines
            // of its own, the next piece after its last line.
            if line > start {
                out.push('\n');
            } else {
                out.truncate(out.len() - indent.len());
            }
            let wrapped = wrap(p, width, indent, indent);
            line = textwrap::core::display_width(wrapped.lines().last().unwrap_or_default());
            out.push_str(&wrapped);
            continue;
        }
        if line > start && line + 2 + len > usize::from(width) {
            out.push('\n');
            out.push_str(indent);
            line = start;
        } else if line > start {
            out.push_str("  ");
            line += 2;
        }
        out.push_str(p);
        line += len;
    }
    out
}

/// One finding, or the same check fired on several nodes.
pub(super) struct Group<'a> {
    pub(super) first: &'a Finding,
    pub(super) members: Vec<&'a Finding>,
}

impl<'a> Group<'a> {
    /// The group's `i`th fix: once, when every node's commands are the
    /// same (no node named); else each node's own, naming it.
    pub(super) fn fix_by_node(
        &self,
        i: usize,
    ) -> Vec<(Option<String>, &'a crate::findings::FixView)> {
        let Some(fix) = self.first.fixes.get(i) else {
            return Vec::new();
        };
        let same = self
            .members
            .iter()
            .all(|m| m.fixes.get(i).map(|x| &x.commands) == Some(&fix.commands));
        if same {
            return vec![(None, fix)];
        }
        self.members
            .iter()
            .filter_map(|m| m.fixes.get(i).map(|x| (Some(m.node.to_string()), x)))
            .collect()
    }

    pub(super) fn nodes(&self) -> String {
        let addrs: Vec<String> = self.members.iter().map(|f| f.node.to_string()).collect();
        match addrs.len() {
            1 => format!("on {}", addrs[0]),
            n => format!("on {n} nodes: {}", addrs.join(", ")),
        }
    }
}

/// The findings with the same check and severity as one group each, in
/// the order they first appear.
pub(super) fn grouped<'a>(findings: &[&'a Finding]) -> Vec<Group<'a>> {
    let mut groups: Vec<Group<'a>> = Vec::new();
    for f in findings {
        match groups
            .iter_mut()
            .find(|g| g.first.id == f.id && g.first.severity == f.severity)
        {
            Some(g) => g.members.push(f),
            None => groups.push(Group {
                first: f,
                members: vec![f],
            }),
        }
    }
    groups
}

fn findings_table(groups: &[Group<'_>], with_nodes: bool, width: u16) -> Table {
    let mut table = new_table(&["SEVERITY", "SCORE", "FINDING", "WHAT IS WRONG"], width);
    if let Some(col) = table.column_mut(2) {
        col.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(34)));
    }
    for g in groups {
        let f = g.first;
        let mut what = clean(&f.message).into_owned();
        if with_nodes {
            what = format!("{}\n{what}", g.nodes());
        }
        table.add_row(vec![
            Cell::new(f.severity.label().to_uppercase()),
            Cell::new(f.score),
            Cell::new(format!("{}\n{}", f.id, f.title)),
            Cell::new(what),
        ]);
    }
    table
}

/// A group as a block: severity, score, id and title on one line, where
/// (with several nodes), the message wrapped beneath, then its fixes.
fn finding_block(out: &mut String, g: &Group<'_>, with_nodes: bool, width: u16) {
    let f = g.first;
    let head = [
        coloured(f.severity, &f.severity.label().to_uppercase()),
        f.score.to_string(),
        f.id.bold().to_string(),
        clean(&f.title).into_owned(),
    ];
    let _ = writeln!(out, "\n{}", fit(&head, width));
    if with_nodes {
        let _ = writeln!(out, "{}", wrap(&g.nodes(), width, "  ", "    "));
    }
    let _ = writeln!(out, "{}", wrap(&clean(&f.message), width, "  ", "  "));
    fixes(out, g, "  ", "fix: ", width);
}

/// A group's fixes: each once, its commands once when every node's are
/// the same, else under each node.
fn fixes(out: &mut String, g: &Group<'_>, indent: &str, bullet: &str, width: u16) {
    for (i, fix) in g.first.fixes.iter().enumerate() {
        let line = format!(
            "{bullet}{} [{}, {}]",
            clean(&fix.title),
            fix.safety.label(),
            fix.kind.label()
        );
        let hang = " ".repeat(bullet.len());
        let _ = writeln!(
            out,
            "{}",
            wrap(&line, width, indent, &format!("{indent}{hang}"))
        );
        for (node, x) in g.fix_by_node(i) {
            let deeper = match &node {
                Some(addr) => {
                    let _ = writeln!(out, "{indent}    on {addr}:");
                    format!("{indent}      ")
                }
                None => format!("{indent}    "),
            };
            for c in &x.commands {
                for l in command_lines(&clean(c), x.kind, width, &deeper) {
                    let _ = writeln!(out, "{deeper}{}", l.dimmed());
                }
            }
            if let Some(why) = &x.not_runnable {
                let text = format!("not runnable: {}", clean(why));
                let _ = writeln!(out, "{}", wrap(&text, width, &deeper, &deeper));
            }
        }
    }
}

/// A fix's command as lines that fit `width` after `indent`, each still
/// pasted as it is: a shell command (a manual fix) is cut between words
/// outside quotes, each cut a ` \` line continuation, and its comment
/// goes on lines of its own, each a comment. A Redis command or a request
/// stays on one line whatever its length: redis-cli takes a command a line.
pub fn command_lines(
    cmd: &str,
    kind: crate::findings::FixKind,
    width: u16,
    indent: &str,
) -> Vec<String> {
    let room = usize::from(width).saturating_sub(textwrap::core::display_width(indent));
    if textwrap::core::display_width(cmd) <= room || kind != crate::findings::FixKind::Manual {
        return vec![cmd.to_string()];
    }
    let (words, comment) = shell_words(cmd);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for w in words {
        // Room for " \" after a word, and the continuation's indent.
        let hang = if lines.is_empty() { 0 } else { 2 };
        if !line.is_empty()
            && hang
                + textwrap::core::display_width(&line)
                + 1
                + textwrap::core::display_width(w)
                + 2
                > room
        {
            lines.push(format!("{}{line} \\", " ".repeat(hang)));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        let hang = if lines.is_empty() { 0 } else { 2 };
        lines.push(format!("{}{line}", " ".repeat(hang)));
    }
    if let Some(comment) = comment {
        let text = comment.trim_start_matches('#').trim();
        let body = u16::try_from(room.saturating_sub(2))
            .unwrap_or(u16::MAX)
            .max(20);
        for l in textwrap::wrap(
            text,
            textwrap::Options::new(usize::from(body)).break_words(false),
        ) {
            lines.push(format!("# {l}"));
        }
    }
    lines
}

/// A shell command's words, split at unquoted blanks, and its comment (an
/// unquoted `#` that starts a word, to the end).
fn shell_words(cmd: &str) -> (Vec<&str>, Option<&str>) {
    let mut words = Vec::new();
    let (mut quote, mut start): (Option<char>, Option<usize>) = (None, None);
    let mut escaped = false;
    for (i, c) in cmd.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => escaped = true,
            (Some('"'), '"') => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, ' ' | '\t') => {
                if let Some(s) = start.take() {
                    words.push(&cmd[s..i]);
                }
                continue;
            }
            (None, '#') if start.is_none() => return (words, Some(&cmd[i..])),
            _ => {}
        }
        if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push(&cmd[s..]);
    }
    (words, None)
}

/// Findings laid out for `width`: a table and a list of fixes when wide,
/// blocks when narrow.
fn findings(out: &mut String, list: &[&Finding], with_nodes: bool, width: u16) {
    let groups = grouped(list);
    if width < COMPACT_BELOW {
        for g in &groups {
            finding_block(out, g, with_nodes, width);
        }
        return;
    }
    let _ = writeln!(out, "\n{}", findings_table(&groups, with_nodes, width));
    let with_fixes: Vec<&Group<'_>> = groups
        .iter()
        .filter(|g| !g.first.fixes.is_empty())
        .collect();
    if !with_fixes.is_empty() {
        let _ = writeln!(out, "\n{}", "Fixes".bold());
        for g in with_fixes {
            let line = format!(
                "{} {} {}",
                severity_label(g.first.severity),
                g.first.id.bold(),
                g.nodes()
            );
            let _ = writeln!(out, "{}", wrap(&line, width, "  ", "      "));
            fixes(out, g, "    ", "- ", width);
        }
    }
}

/// A report of several nodes: the topology's own findings first, then
/// each finding once with the nodes it fired on; the nodes without
/// findings on one line.
fn by_node(out: &mut String, r: &Report, width: u16) {
    let known = |addr: &crate::target::NodeAddr| r.nodes.iter().any(|n| &n.addr == addr);
    let mut topology: Vec<&Finding> = r.findings.iter().filter(|f| !known(&f.node)).collect();
    topology.sort_by_key(|f| std::cmp::Reverse((f.severity, f.score)));
    if let Some(first) = topology.first() {
        let _ = write!(
            out,
            "\n{} (as {} sees it)\n",
            r.topology.map_or("topology", |k| k.as_str()).bold(),
            first.node,
        );
        findings(out, &topology, false, width);
    }
    let mut on_nodes: Vec<&Finding> = r.findings.iter().filter(|f| known(&f.node)).collect();
    on_nodes.sort_by_key(|f| std::cmp::Reverse((f.severity, f.score)));
    if !on_nodes.is_empty() {
        findings(out, &on_nodes, true, width);
    }
    let quiet: Vec<String> = r
        .nodes
        .iter()
        .filter(|n| !r.findings.iter().any(|f| f.node == n.addr))
        .map(|n| format!("{} ({})", n.addr, n.role.as_str()))
        .collect();
    if !quiet.is_empty() {
        let text = format!("No findings on {}.", quiet.join(", "));
        let _ = writeln!(out, "\n{}", wrap(&text, width, "", "  "));
    }
}

/// Renders a diagnose report `width` columns wide.
pub fn report_at(r: &Report, width: u16) -> String {
    let mut out = String::new();
    let server = r
        .server
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let nodes = match r.topology {
        Some(kind) => format!(" ({kind}: {} nodes)", r.nodes.len()),
        None => String::new(),
    };
    let blind = r.application.as_ref().is_some_and(|a| !a.assessed);
    let app = match &r.app {
        Some(app) => format!("app {app}"),
        None => String::new(),
    };
    let not_assessed = if r.app.is_some() && blind {
        "(NOT ASSESSED: no check about it had data)".to_string()
    } else {
        String::new()
    };
    // Checks that passed only by finding the server reachable say nothing
    // of its health: the summary says so, not just the findings.
    let nothing = if r.findings.iter().any(|f| f.id == NOTHING_EVALUATED) {
        ": nothing judged beyond reaching it"
    } else {
        ""
    };
    let head = [
        status_label(r.status),
        format!("health {}/100", r.score),
        server,
        format!("{}{nodes}", r.target),
        app,
        not_assessed,
        format!(
            "({} checks: {} fired, {} passed, {} not run{nothing}; {:.1} ms)",
            r.checks.total, r.checks.fired, r.checks.passed, r.checks.skipped, r.duration_ms
        ),
    ];
    let _ = writeln!(out, "{}", fit(&head, width));
    if r.nodes.len() > 1 {
        let nodes: Vec<String> = r
            .nodes
            .iter()
            .map(|n| format!("{} ({})", n.addr, n.role.as_str()))
            .collect();
        let text = format!("nodes: {}", nodes.join(", "));
        let _ = writeln!(out, "{}", wrap(&text, width, "", "  "));
    }
    for replaced in &r.replaced_runbooks {
        let _ = writeln!(
            out,
            "note: user runbook {replaced} replaces the built-in one"
        );
    }
    if r.findings.is_empty() {
        let _ = writeln!(out, "\nNo findings: every check that could run passed.");
    } else if r.nodes.len() > 1 || r.topology.is_some() {
        by_node(&mut out, r, width);
    } else {
        let all: Vec<&Finding> = r.findings.iter().collect();
        findings(&mut out, &all, false, width);
    }
    if let Some(a) = &r.application {
        application(&mut out, a, width);
    }
    no_data(&mut out, r, width);
    if !r.unavailable.is_empty() {
        let _ = writeln!(out, "\n{}", "Not checked".bold());
        let not_connected = r.unavailable.iter().all(|u| u.kind == "not_connected");
        if not_connected {
            let _ = writeln!(
                out,
                "  {} not run for want of a connection to the node.",
                checks(r.checks.skipped - r.checks.no_data)
            );
        } else {
            for u in &r.unavailable {
                let line = format!("{:<13} {}", u.fact, clean(&u.reason()));
                let _ = writeln!(out, "{}", wrap(&line, width, "  ", "    "));
            }
            if r.checks.skipped > r.checks.no_data {
                let _ = writeln!(
                    out,
                    "  {} not run for want of these facts.",
                    checks(r.checks.skipped - r.checks.no_data)
                );
            }
        }
    }
    out
}

/// What the application's metrics said: dialect, hit rate, per cache.
fn application(out: &mut String, a: &crate::findings::report::AppSummary, width: u16) {
    let _ = writeln!(out, "\n{}", "Application".bold());
    match a.dialect.as_deref() {
        None => {}
        Some(_) if a.unanswered.is_some() => {
            let why = a.unanswered.as_deref().unwrap_or_default();
            let text = format!("no cache counters: {}", clean(why));
            let _ = writeln!(out, "{}", wrap(&text, width, "  ", "    "));
        }
        Some("") => {
            let _ = writeln!(
                out,
                "  no cache counters recognised on its metrics endpoint (see --app-metric)"
            );
        }
        Some(dialect) => {
            let names: Vec<String> = ["hits", "misses", "errors", "gets"]
                .iter()
                .filter_map(|role| {
                    a.metrics[*role]
                        .as_str()
                        .filter(|m| !m.is_empty())
                        .map(|m| format!("{role}={}", clean(m)))
                })
                .collect();
            let text = format!("{} metrics: {}", clean(dialect), names.join(", "));
            let _ = writeln!(out, "{}", wrap(&text, width, "  ", "    "));
            let over = if a.measured_over_s > 0.0 {
                format!("over {} s", a.measured_over_s)
            } else {
                "since the application started".to_string()
            };
            match a.hit_percent {
                Some(p) => {
                    let _ = writeln!(
                        out,
                        "  hit rate {p}% {over} ({} hits, {} misses; {})",
                        count(a.hits),
                        count(a.misses),
                        errors(a.errors)
                    );
                }
                None => {
                    let _ = writeln!(out, "  no lookups {over} ({})", errors(a.errors));
                }
            }
            let caches = a.caches.as_array().map(Vec::as_slice).unwrap_or_default();
            if caches.len() > 1 || caches.iter().any(|c| c["name"] != "") {
                for c in caches {
                    let _ = writeln!(
                        out,
                        "    {}={}: {}% of {} lookups ({})",
                        clean(c["label"].as_str().unwrap_or_default()),
                        clean(c["name"].as_str().unwrap_or_default()),
                        c["hit_percent"],
                        count(c["lookups"].as_f64().unwrap_or(0.0)),
                        errors(a.errors.and(c["errors"].as_f64()))
                    );
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "  {} checks about the application: {} had data, {} did not",
        a.checks, a.judged, a.no_data
    );
}

/// `1 check was` / `3 checks were`.
fn checks(n: usize) -> String {
    if n == 1 {
        "1 check was".into()
    } else {
        format!("{n} checks were")
    }
}

/// A counter's value as a count: whole numbers without a fraction.
fn count(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.1}")
    }
}

fn errors(n: Option<f64>) -> String {
    match n {
        Some(n) => format!("{} errors", count(n)),
        None => "errors not counted".into(),
    }
}

/// Checks that did not fire but had no data to judge by, by reason.
fn no_data(out: &mut String, r: &Report, width: u16) {
    let mut by_reason: Vec<(&str, Vec<String>)> = Vec::new();
    for s in r.skipped.iter().filter(|s| s.no_data) {
        let check = if r.nodes.len() > 1 {
            format!("{} on {}", s.check, s.node)
        } else {
            s.check.clone()
        };
        match by_reason.iter_mut().find(|(why, _)| *why == s.reason) {
            Some((_, checks)) => checks.push(check),
            None => by_reason.push((&s.reason, vec![check])),
        }
    }
    if by_reason.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", "Not run: no data".bold());
    for (why, checks) in by_reason {
        let text = format!("{}: {}", checks.join(", "), clean(why));
        let _ = writeln!(out, "{}", wrap(&text, width, "  ", "    "));
    }
}

/// Renders what --fix did: one row per fix, then the state after.
pub fn remediation(r: &Report) -> String {
    remediation_at(r, super::table_width())
}

/// What --fix did, `width` columns wide.
pub fn remediation_at(r: &Report, width: u16) -> String {
    let mut out = String::new();
    let Some(rem) = &r.remediation else {
        return out;
    };
    if rem.actions.is_empty() {
        let _ = writeln!(out, "\nNothing to fix: no finding has a fix.");
        return out;
    }
    let mut table = new_table(&["FINDING", "FIX", "SAFETY", "OUTCOME", "DETAIL"], width);
    for a in &rem.actions {
        let detail = match (a.resolved, a.verified) {
            (Some(true), _) => "check passes now".to_string(),
            (Some(false), Some(true)) => "verified; the check still fires".to_string(),
            (Some(false), _) => "the check still fires".to_string(),
            (None, _) => clean(&a.reason).into_owned(),
        };
        table.add_row(vec![
            Cell::new(&a.finding),
            Cell::new(&a.fix),
            Cell::new(a.safety.label()),
            Cell::new(a.outcome.label()),
            Cell::new(detail),
        ]);
    }
    let mode = match (rem.mode, &rem.confirmed) {
        (Mode::DryRun, _) => "plan (--dry-run: nothing was changed)".to_string(),
        (Mode::Yes, None) => "remediation (--yes: safe fixes only)".to_string(),
        (Mode::Yes, Some(node)) => format!(
            "remediation (--yes --confirm-destructive {node}: every fix on {node}, safe ones elsewhere)"
        ),
        (Mode::Interactive, _) => "remediation (each fix asked)".to_string(),
    };
    let _ = writeln!(out, "\n{}", wrap(&mode, width, "", "  ").bold());
    let _ = writeln!(out, "{}", shown(table, width));
    if let Some(path) = &rem.audit_log {
        let _ = writeln!(out, "audit log: {path}");
    }
    if let Some(after) = &r.after {
        let _ = writeln!(
            out,
            "after: {}  health {}/100{}",
            status_label(after.status),
            after.score,
            if after.findings.is_empty() {
                String::new()
            } else {
                format!("  findings now: {}", after.findings.join(", "))
            }
        );
    }
    out
}

/// Bytes for people: `512 B`, `1.5 KiB`, `3.2 GiB`.
pub fn human_bytes(n: i64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let (v, u) = in_units(n);
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// `n` bytes in the largest power of 1024 (up to 4: TiB) under which it
/// stays at least 1, and that power.
pub(super) fn in_units(n: i64) -> (f64, usize) {
    let mut v = n as f64;
    let mut u = 0;
    while v.abs() >= 1024.0 && u < 4 {
        v /= 1024.0;
        u += 1;
    }
    (v, u)
}

/// `cachectl memory`'s sections: where the memory is, then the keyspace by
/// pattern when it was scanned.
pub(super) fn memory(
    out: &mut String,
    memory: Option<&MemoryView>,
    keyspace: Option<&KeyspaceReport>,
    width: u16,
) {
    if let Some(m) = memory {
        let _ = writeln!(out, "\n{}", "Memory".bold());
        let limit = if m.maxmemory_bytes > 0 {
            format!(
                " of {} ({:.1}%)",
                human_bytes(m.maxmemory_bytes),
                m.used_ratio * 100.0
            )
        } else {
            " (no maxmemory)".to_string()
        };
        let used = format!(
            "used {}{limit}  peak {}  RSS {}  fragmentation {:.2}",
            human_bytes(m.used_bytes),
            human_bytes(m.peak_bytes),
            human_bytes(m.rss_bytes),
            m.fragmentation_ratio
        );
        let _ = writeln!(out, "{}", spaced(&used, width, "  "));
        let policy = format!(
            "policy {}  evicted {} keys  expired {} keys since start",
            clean(&m.policy),
            m.evicted_keys,
            m.expired_keys
        );
        let _ = writeln!(out, "{}", spaced(&policy, width, "  "));
        if let Some(s) = &m.stats {
            let n = |f: &str| s[f].as_i64().unwrap_or(0);
            let text = format!(
                "dataset {} ({:.1}% of net memory), {} keys at {} each; overhead {} (clients {}, replication backlog {})",
                human_bytes(n("dataset_bytes")),
                s["dataset_percentage"].as_f64().unwrap_or(0.0),
                n("keys_count"),
                human_bytes(n("bytes_per_key")),
                human_bytes(n("overhead_total")),
                human_bytes(n("clients_normal") + n("clients_replicas")),
                human_bytes(n("replication_backlog")),
            );
            let _ = writeln!(out, "{}", wrap(&text, width, "  ", "    "));
        }
        if let Some(d) = &m.doctor {
            // Its own lines, each escaped: the text is the server's.
            let _ = writeln!(out, "  MEMORY DOCTOR:");
            for line in d
                .trim()
                .lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
            {
                let _ = writeln!(out, "{}", wrap(&clean(line), width, "    ", "    "));
            }
        }
    }
    if let Some(k) = keyspace {
        if let Some(d) = &k.dump {
            super::dump::section(out, d, width);
        }
        let head = format!(
            "{}  {} keys {} of {}, {}{}{}",
            "Keyspace".bold(),
            k.scanned_keys,
            match k.source {
                Source::Scan => "scanned",
                Source::Rdb => "read",
            },
            k.total_keys,
            human_bytes(k.total_bytes as i64),
            match &k.estimated_total_bytes {
                Some(e) => format!(
                    " (sample: about {} in all, ±{})",
                    human_bytes(e.value as i64),
                    human_bytes(e.margin as i64)
                ),
                None => String::new(),
            },
            match &k.stopped_because {
                Some(why) => format!("  PARTIAL: {}", clean(why)),
                None => String::new(),
            }
        );
        let _ = writeln!(out, "\n{}", wrap(&head, width, "", "  "));
        if let Some(r) = &k.resume {
            let _ = writeln!(out, "{}", wrap(&resume_line(r), width, "", "  "));
        }
        let mut table = new_table(
            &[
                "PATTERN", "KEYS", "BYTES", "SHARE", "NO TTL", "TYPES", "TTL",
            ],
            width,
        );
        for p in k.patterns.iter().take(20) {
            let types: Vec<String> = p.types.iter().map(|(t, n)| format!("{t} {n}")).collect();
            let ttl: Vec<String> = p.ttl.iter().map(|(b, n)| format!("{b} {n}")).collect();
            table.add_row(vec![
                Cell::new(clean(&p.pattern)),
                Cell::new(p.keys),
                Cell::new(human_bytes(p.bytes as i64)),
                Cell::new(format!(
                    "{:>5.1}% {}",
                    p.share * 100.0,
                    bar(p.share, 10, super::unicode())
                )),
                Cell::new(p.no_ttl_keys),
                Cell::new(types.join(", ")),
                Cell::new(ttl.join(", ")),
            ]);
        }
        let _ = writeln!(out, "{}", shown(table, width));
        if k.patterns.len() > 20 {
            let _ = writeln!(
                out,
                "  ... {} more patterns (-o json lists them all)",
                k.patterns.len() - 20
            );
        }
        if k.patterns_capped {
            let _ = writeln!(
                out,
                "  more patterns than --max-patterns: the rest are summed as <other patterns>"
            );
        }
        if !k.largest.is_empty() {
            let mut table = new_table(&["LARGEST KEYS", "TYPE", "BYTES", "ELEMENTS", "TTL"], width);
            for key in &k.largest {
                table.add_row(vec![
                    Cell::new(clean(&key.key)),
                    Cell::new(&key.kind),
                    Cell::new(human_bytes(key.bytes as i64)),
                    Cell::new(key.elements),
                    Cell::new(if key.ttl < 0 {
                        "none".to_string()
                    } else {
                        format!("{} s", key.ttl)
                    }),
                ]);
            }
            let _ = writeln!(out, "{}", shown(table, width));
        }
        match &k.hot_keys {
            Some(hot) if !hot.is_empty() => {
                let mut table = new_table(
                    &["HOTTEST KEYS (OBJECT FREQ)", "TYPE", "FREQ", "BYTES"],
                    width,
                );
                for key in hot {
                    table.add_row(vec![
                        Cell::new(clean(&key.key)),
                        Cell::new(&key.kind),
                        Cell::new(key.freq.unwrap_or(0)),
                        Cell::new(human_bytes(key.bytes as i64)),
                    ]);
                }
                let _ = writeln!(out, "{}", shown(table, width));
            }
            Some(_) => {}
            None if k.source == Source::Rdb => {
                let _ = writeln!(
                    out,
                    "{}",
                    wrap(
                        "Hot keys: the dump carries no access frequency (a server under an LFU policy writes one); `cachectl hotkeys --sample 10s` samples the live server's commands",
                        width,
                        "  ",
                        "    "
                    )
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "{}",
                    wrap(
                        "Hot keys: the policy keeps no access frequency (an LFU policy does); `cachectl hotkeys --sample 10s` samples the commands",
                        width,
                        "  ",
                        "    "
                    )
                );
            }
        }
        if let Some(cold) = &k.cold_keys {
            super::dump::cold_keys(out, cold, width);
        }
        if k.vanished_keys > 0 {
            let _ = writeln!(
                out,
                "  {} keys were deleted or expired during the scan (skipped)",
                k.vanished_keys
            );
        }
    }
}

/// `cachectl clients`'s section: who is connected.
pub(super) fn clients(out: &mut String, c: &ClientsView, width: u16) {
    let of_max = if c.maxclients > 0 {
        format!(
            " of maxclients {} ({:.1}%)",
            c.maxclients,
            c.used_ratio * 100.0
        )
    } else {
        String::new()
    };
    let _ = writeln!(out, "\n{}  {} connected{of_max}", "Clients".bold(), c.count);
    let f = &c.flags;
    let flags = format!(
        "normal {}  blocked {}  pubsub {}  replicas {}  primary link {}  monitors {}  in MULTI {}",
        f.normal, f.blocked, f.pubsub, f.replica, f.master, f.monitor, f.in_multi
    );
    let _ = writeln!(out, "{}", spaced(&flags, width, "  "));
    let hist = |h: &std::collections::BTreeMap<String, u64>| {
        ["<1s", "<1m", "<5m", "<1h", ">=1h"]
            .iter()
            .map(|b| format!("{b} {}", h.get(*b).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let _ = writeln!(out, "  idle: {}", hist(&c.idle));
    let _ = writeln!(out, "  age:  {}", hist(&c.age));
    for (title, groups) in [
        ("NODE", &c.by_node),
        ("HOST", &c.by_host),
        ("NAME", &c.by_name),
        ("LIBRARY", &c.by_lib),
        ("USER", &c.by_user),
        ("DB", &c.by_db),
        ("LAST COMMAND", &c.by_cmd),
    ] {
        if groups.is_empty() && title == "NODE" {
            continue; // one node: no node column
        }
        let mut table = new_table(&[title, "CLIENTS", "IDLE > 5M", "MAX IDLE"], width);
        for g in groups.iter().take(10) {
            let key = if g.key.is_empty() {
                "(none)".to_string()
            } else {
                clean(&g.key).into_owned()
            };
            table.add_row(vec![
                Cell::new(key),
                Cell::new(g.count),
                Cell::new(g.idle_over_300s),
                Cell::new(format!("{} s", g.max_idle)),
            ]);
        }
        let _ = writeln!(out, "{}", shown(table, width));
    }
    for (title, list) in [
        ("LARGEST QUERY BUFFERS", &c.largest_query_buffers),
        ("LARGEST OUTPUT BUFFERS", &c.largest_output_buffers),
    ] {
        if list.is_empty() {
            continue;
        }
        let mut table = new_table(&[title, "NAME", "QBUF", "OMEM", "CMD"], width);
        for x in list {
            table.add_row(vec![
                Cell::new(if x.node.is_empty() {
                    format!("{} {}", x.id, clean(&x.addr))
                } else {
                    format!("{} {} on {}", x.id, clean(&x.addr), x.node)
                }),
                Cell::new(clean(&x.name)),
                Cell::new(human_bytes(x.qbuf)),
                Cell::new(human_bytes(x.omem)),
                Cell::new(clean(&x.cmd)),
            ]);
        }
        let _ = writeln!(out, "{}", shown(table, width));
    }
}

/// What `clients kill` is about to do, for the transcript (stderr).
pub fn kill_plan(
    node: &crate::target::NodeAddr,
    matched: &[crate::clients::Client],
    groups: &crate::clients::ClientsView,
    spared: &[crate::clients::Spared],
) -> String {
    let mut out = format!("{} clients matched on {node}", matched.len());
    let by = |g: &[crate::clients::Group]| {
        g.iter()
            .take(5)
            .map(|g| {
                format!(
                    "{} {}",
                    if g.key.is_empty() {
                        "(none)".into()
                    } else {
                        clean(&g.key).into_owned()
                    },
                    g.count
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !matched.is_empty() {
        out.push_str(&format!(
            "\n  by host: {}\n  by name: {}",
            by(&groups.by_host),
            by(&groups.by_name)
        ));
    }
    out.push_str(&kill_list(matched, spared));
    out
}

/// The clients a kill matched (the first ten) and those it spares, a line
/// each.
pub fn kill_list(matched: &[crate::clients::Client], spared: &[crate::clients::Spared]) -> String {
    let mut out = String::new();
    for c in matched.iter().take(10) {
        out.push_str(&format!(
            "\n    id {} {} name {} idle {} s cmd {}",
            c.id,
            clean(&c.addr),
            clean(&c.name),
            c.idle,
            clean(&c.cmd)
        ));
    }
    if matched.len() > 10 {
        out.push_str(&format!("\n    ... and {} more", matched.len() - 10));
    }
    for s in spared {
        out.push_str(&format!(
            "\n  spared: id {} {} ({})",
            s.client.id,
            clean(&s.client.addr),
            s.reason
        ));
    }
    out
}

/// One line of latency figures (a window, or the whole run).
pub fn latency_line(f: &crate::latency::Figures) -> String {
    let ms = |us: u64| us as f64 / 1000.0;
    format!(
        "min {:.3} ms  avg {:.3} ms  p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms  ({} samples)\n",
        ms(f.min_us),
        ms(f.avg_us),
        ms(f.p50_us),
        ms(f.p99_us),
        ms(f.max_us),
        f.samples
    )
}

/// `cachectl latency`'s section: the sampled round trips.
pub(super) fn latency(out: &mut String, l: &LatencyView, width: u16) {
    latency_figures(out, l, width);
    histogram(out, &l.histogram, width);
}

/// The latency section's figures, without its histogram (a page draws
/// its own).
pub(super) fn latency_section_text(out: &mut String, l: &LatencyView) {
    latency_figures(out, l, 100);
}

fn latency_figures(out: &mut String, l: &LatencyView, width: u16) {
    {
        let line = format!("{}  {}", "Round trips".bold(), latency_line(&l.overall));
        let _ = writeln!(out, "\n{}", spaced(line.trim_end(), width, ""));
        if l.errors > 0 {
            let _ = writeln!(out, "  {} PINGs failed or timed out", l.errors);
        }
        if let Some(why) = &l.stopped {
            let _ = writeln!(out, "  sampling ended early: {why}");
        }
        for n in &l.nodes {
            let line = format!("{}  {}", n.node, latency_line(&n.figures));
            let _ = writeln!(out, "{}", spaced(line.trim_end(), width, "  "));
        }
    }
}

/// The round trips by bucket, a bar each, as wide as `width` allows.
fn histogram(out: &mut String, buckets: &[crate::latency::Bucket], width: u16) {
    let most = buckets.iter().map(|b| b.count).max().unwrap_or(0);
    if most == 0 {
        return;
    }
    let ms = |us: u64| {
        let ms = us as f64 / 1000.0;
        if ms < 1.0 {
            format!("{ms:.2}")
        } else {
            format!("{ms:.0}")
        }
    };
    let labels: Vec<String> = buckets
        .iter()
        .map(|b| match b.le_us {
            Some(us) => format!("<= {} ms", ms(us)),
            None => format!("> {} ms", ms(1_000_000)),
        })
        .collect();
    let label_width = labels.iter().map(String::len).max().unwrap_or(0);
    let count_width = most.to_string().len();
    let cells = usize::from(width)
        .saturating_sub(label_width + count_width + 6)
        .clamp(10, 50);
    let _ = writeln!(out, "  round trips by time:");
    for (b, label) in buckets.iter().zip(&labels) {
        let _ = writeln!(
            out,
            "  {label:>label_width$}  {:>count_width$} {}",
            b.count,
            bar(b.count as f64 / most as f64, cells, super::unicode())
        );
    }
}

/// `cachectl slowlog`'s section: what is slow.
pub(super) fn slowlog(out: &mut String, s: &SlowlogView, width: u16) {
    let _ = writeln!(
        out,
        "\n{}  {} entries (slowlog-log-slower-than {} µs, slowlog-max-len {})",
        "Slow log".bold(),
        s.entries,
        s.slower_than_us,
        s.max_len
    );
    if !s.groups.is_empty() {
        let mut table = new_table(
            &[
                "COMMAND",
                "KEY PATTERN",
                "COUNT",
                "TOTAL",
                "MAX",
                "CLIENTS",
                "ADVICE",
            ],
            width,
        );
        for g in s.groups.iter().take(20) {
            let command = if g.nodes.is_empty() {
                clean(&g.command).into_owned()
            } else {
                format!("{}\non {}", clean(&g.command), g.nodes.join(", "))
            };
            table.add_row(vec![
                Cell::new(command),
                Cell::new(clean(&g.pattern)),
                Cell::new(g.count),
                Cell::new(format!("{:.1} ms", g.total_us as f64 / 1000.0)),
                Cell::new(format!("{:.1} ms", g.max_us as f64 / 1000.0)),
                Cell::new(clean(&g.clients.join(", "))),
                Cell::new(g.advice.clone().unwrap_or_default()),
            ]);
        }
        let _ = writeln!(out, "{}", shown(table, width));
    }
    for (title, list) in [
        ("SLOWEST PER CALL", &s.by_time_per_call),
        ("MOST TIME IN ALL", &s.by_total_time),
    ] {
        if list.is_empty() {
            continue;
        }
        let mut table = new_table(&[title, "CALLS", "µs PER CALL", "TOTAL"], width);
        for c in list {
            table.add_row(vec![
                Cell::new(&c.command),
                Cell::new(c.calls),
                Cell::new(format!("{:.1}", c.usec_per_call)),
                Cell::new(format!("{:.1} ms", c.usec as f64 / 1000.0)),
            ]);
        }
        let _ = writeln!(out, "{}", shown(table, width));
    }
    if !s.errors.is_empty() {
        let errors: Vec<String> = s
            .errors
            .iter()
            .map(|(k, v)| format!("{} {v}", clean(k)))
            .collect();
        let _ = writeln!(out, "  error replies since start: {}", errors.join(", "));
    }
    if let Some(d) = &s.latency_doctor {
        let _ = writeln!(out, "  LATENCY DOCTOR:");
        for line in d
            .trim()
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
        {
            let _ = writeln!(out, "    {}", clean(line));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::findings::FixKind;

    #[test]
    fn a_long_shell_command_is_cut_between_words_and_still_pastes() {
        let cmd = "(printf '>'; cat redis-app.pass) | redis-cli -h 127.0.0.1 -p 7711 -x ACL SETUSER app on '~* &*' +@all   # the password never on the command line";
        let lines = super::command_lines(cmd, FixKind::Manual, 60, "    ");
        assert_eq!(
            lines,
            [
                "(printf '>'; cat redis-app.pass) | redis-cli -h \\",
                "  127.0.0.1 -p 7711 -x ACL SETUSER app on '~* &*' \\",
                "  +@all",
                "# the password never on the command line",
            ]
        );
        for l in &lines {
            assert!(l.chars().count() <= 56, "{l}");
        }
        // Joined again as a shell joins continued lines, the words are the
        // command's own.
        let joined = lines[..3].join("\n").replace(" \\\n  ", " ");
        assert_eq!(joined, cmd.split("   #").next().unwrap());
        // Redis commands stay whole; short ones too.
        let long = "CONFIG SET save \"3600 1 300 100 60 10000 3600 1 300 100 60 10000\"";
        assert_eq!(super::command_lines(long, FixKind::Redis, 40, ""), [long]);
        assert_eq!(
            super::command_lines("echo hi", FixKind::Manual, 40, ""),
            ["echo hi"]
        );
    }
}
