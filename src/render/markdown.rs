//! `-o markdown`: a report for an incident channel or a postmortem, with
//! the table's grouping (a check on several nodes once, its nodes listed,
//! its fix once where the commands agree). Every text from a server, an
//! application or a file is escaped, so it renders as the text it is.

use std::fmt::Write;

use super::document::{Document, Part, Renderer};
use super::table::{grouped, Group};
use super::view::DoorView;
use super::Printer;
use crate::error::CliError;
use crate::findings::fleet::Entry;
use crate::findings::{Finding, Report};

pub struct MarkdownRenderer;

impl Renderer for MarkdownRenderer {
    fn render(&self, doc: &Document<'_>, printer: &Printer) -> Result<(), CliError> {
        let text = match doc {
            Document::Report { report, view, part } => report_md(report, *view, *part),
            Document::Fleet { command, entries } => fleet_md(command, entries),
            Document::Written {
                subject,
                status,
                view,
            } => format!(
                "## cachectl {}: {}\n\n{}\n\n{}",
                esc(subject.command),
                status.label(),
                esc(subject.target),
                fenced(&super::plain(&view.table(100)))
            ),
        };
        printer.out(&text)
    }
}

/// Inline text escaped: Markdown's punctuation and HTML's `<`, `&` taken as
/// themselves, a line break a space (a table cell or a list item stays
/// one).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `text` as a fenced block, the fence longer than any run of backticks in
/// it (so a server's text cannot end the block).
fn fenced(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}text\n{}\n{fence}\n", text.trim_end())
}

/// A diagnosis report in Markdown (a snapshot's report.md).
pub fn report(r: &Report) -> String {
    report_md(r, None, Part::Diagnosis)
}

fn fleet_md(command: &str, entries: &[Entry]) -> String {
    let worst = crate::findings::fleet::worst(entries);
    let mut out = format!(
        "# {} · cachectl {} of a fleet\n\n{}\n\n| Target | Status | Health | Worst finding |\n| --- | --- | ---: | --- |\n",
        worst.label(),
        esc(command),
        super::fleet::totals(entries)
    );
    for e in entries {
        let (health, worst) = match &e.outcome {
            Ok(r) => (
                r.score.to_string(),
                e.worst().unwrap_or_else(|| "none".into()),
            ),
            Err(why) => ("-".into(), why.clone()),
        };
        let _ = writeln!(
            out,
            "| {} | **{}** | {health} | {} |",
            esc(&e.name),
            e.status().label(),
            esc(&worst)
        );
    }
    for e in entries {
        let _ = writeln!(out, "\n---\n\n# {}\n", esc(&e.name));
        match &e.outcome {
            Ok(r) => out.push_str(&report_md(r, None, Part::Diagnosis)),
            Err(why) => {
                let _ = writeln!(out, "Not assessed: {}", esc(why));
            }
        }
    }
    out
}

fn report_md(r: &Report, view: Option<&DoorView>, part: Part) -> String {
    let mut out = String::new();
    let server = r
        .server
        .as_ref()
        .map(|s| format!(" · {s}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "## {} · health {}/100 · {}\n",
        r.status.label(),
        r.score,
        esc(&r.target)
    );
    let _ = writeln!(
        out,
        "cachectl {}{} · {} checks: {} fired, {} passed, {} not run · {:.1} ms\n",
        esc(&r.command),
        esc(&server),
        r.checks.total,
        r.checks.fired,
        r.checks.passed,
        r.checks.skipped,
        r.duration_ms
    );
    if r.nodes.len() > 1 {
        let nodes: Vec<String> = r
            .nodes
            .iter()
            .map(|n| format!("{} ({})", esc(&n.addr.to_string()), n.role.as_str()))
            .collect();
        let _ = writeln!(out, "Nodes: {}\n", nodes.join(", "));
    }
    let list: Vec<&Finding> = r.findings.iter().collect();
    let groups = grouped(&list);
    if groups.is_empty() {
        let _ = writeln!(out, "No findings: every check that could run passed.\n");
    } else {
        out.push_str("| Severity | Score | Finding | Nodes | What is wrong |\n");
        out.push_str("| --- | ---: | --- | --- | --- |\n");
        for g in &groups {
            let f = g.first;
            let nodes: Vec<String> = g.members.iter().map(|m| m.node.to_string()).collect();
            let _ = writeln!(
                out,
                "| **{}** | {} | `{}` {} | {} | {} |",
                f.severity.label(),
                f.score,
                code(&f.id),
                esc(&f.title),
                esc(&nodes.join(", ")),
                esc(&f.message)
            );
        }
        out.push('\n');
        let with_fixes: Vec<&Group<'_>> = groups
            .iter()
            .filter(|g| !g.first.fixes.is_empty())
            .collect();
        if !with_fixes.is_empty() {
            out.push_str("### Fixes\n\n");
            for g in with_fixes {
                fixes(&mut out, g);
            }
        }
    }
    if let Some(view) = view {
        let (title, text) = view_text(view);
        let _ = writeln!(out, "### {title}\n\n{}", fenced(&text));
    }
    if part == Part::Remediation || r.remediation.is_some() {
        let text = super::plain(&super::table::remediation_at(r, 100));
        if !text.trim().is_empty() {
            let _ = writeln!(out, "### Remediation\n\n{}", fenced(&text));
        }
    }
    if !r.figures.is_empty() {
        out.push_str("### Key figures\n\n| Node | Memory | Clients | Hit rate | Keys | Evicted | Ops/s | Latency |\n");
        out.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for k in &r.figures {
            let memory = match (k.used_memory, k.maxmemory) {
                (Some(u), Some(m)) if m > 0 => format!(
                    "{} of {}",
                    super::table::human_bytes(u),
                    super::table::human_bytes(m)
                ),
                (Some(u), _) => super::table::human_bytes(u),
                _ => "-".into(),
            };
            let opt = |v: Option<i64>| v.map_or_else(|| "-".into(), |v| v.to_string());
            let _ = writeln!(
                out,
                "| {} | {memory} | {} | {} | {} | {} | {} | {} |",
                esc(&k.node),
                match (k.connected_clients, k.maxclients) {
                    (Some(c), Some(m)) => format!("{c} of {m}"),
                    (c, _) => opt(c),
                },
                k.hit_ratio
                    .map_or_else(|| "-".into(), |h| format!("{:.1}%", h * 100.0)),
                opt(k.keys),
                opt(k.evicted_keys),
                opt(k.ops_per_sec),
                k.latency_ms
                    .map_or_else(|| "-".into(), |l| format!("{l:.2} ms")),
            );
        }
        out.push('\n');
    }
    if !r.unavailable.is_empty() || !r.skipped.is_empty() {
        out.push_str("### Not checked\n\n");
        for u in &r.unavailable {
            let _ = writeln!(
                out,
                "- `{}` on {}: {}",
                code(&u.fact),
                esc(&u.node.as_ref().map(ToString::to_string).unwrap_or_default()),
                esc(&u.reason())
            );
        }
        for s in &r.skipped {
            let _ = writeln!(
                out,
                "- `{}` on {} not run: {}",
                code(&s.check),
                esc(&s.node.to_string()),
                esc(&s.reason)
            );
        }
        out.push('\n');
    }
    out
}

/// Text for inside a code span: a backtick cannot end it.
fn code(text: &str) -> String {
    text.replace('`', "'").replace(['\n', '\r'], " ")
}

fn fixes(out: &mut String, g: &Group<'_>) {
    let f = g.first;
    let nodes: Vec<String> = g.members.iter().map(|m| m.node.to_string()).collect();
    let _ = writeln!(
        out,
        "#### {} `{}` on {}\n",
        f.severity.label(),
        code(&f.id),
        esc(&nodes.join(", "))
    );
    for (i, fix) in f.fixes.iter().enumerate() {
        let _ = writeln!(
            out,
            "- {} *({}, {})*\n",
            esc(&fix.title),
            fix.safety.label(),
            fix.kind.label()
        );
        for (node, x) in g.fix_by_node(i) {
            if let Some(node) = node {
                let _ = writeln!(out, "  on {}:\n", esc(&node));
            }
            let block = fenced(&x.commands.join("\n"));
            for line in block.lines() {
                let _ = writeln!(out, "  {line}");
            }
            out.push('\n');
            if let Some(why) = &x.not_runnable {
                let _ = writeln!(out, "  not runnable: {}\n", esc(why));
            }
        }
    }
}

/// A door's view as the title of its section and its table's text.
fn view_text(view: &DoorView) -> (&'static str, String) {
    let title = match view {
        DoorView::Memory { .. } => "Memory",
        DoorView::Clients { .. } => "Clients",
        DoorView::Slowlog { .. } => "Slow log",
        DoorView::Latency { .. } => "Round trips",
        DoorView::Hotkeys { .. } => "Hot keys",
        DoorView::Watch { .. } => "Nodes",
    };
    let mut text = String::new();
    view.table(&mut text, 100);
    (title, super::plain(text.trim()))
}

#[cfg(test)]
mod tests {
    /// Server text can neither end a table cell, open markup, nor close a
    /// fenced block it sits in.
    #[test]
    fn server_text_stays_text() {
        assert_eq!(
            super::esc("a|b `x` <script>*y*\n[z]"),
            "a\\|b \\`x\\` &lt;script&gt;\\*y\\* \\[z\\]"
        );
        let block = super::fenced("one\n```\nthree");
        assert!(block.starts_with("````text\n"), "{block}");
        assert!(block.ends_with("\n````\n"), "{block}");
    }
}
