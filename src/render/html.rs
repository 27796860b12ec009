//! `-o html`: one self-contained page (no script, no external asset; a
//! Content-Security-Policy says so to the browser) with the report, its
//! charts and its fixes, for a postmortem or an incident channel. Every
//! text from a server, an application or a file is escaped.

use std::fmt::Write;

use super::document::{Document, Part, Renderer};
use super::table::{grouped, Group};
use super::view::DoorView;
use super::{plain, Printer};
use crate::error::{CliError, Status};
use crate::findings::fleet::Entry;
use crate::findings::{Finding, Report};

/// The page renderer.
pub struct HtmlRenderer;

impl Renderer for HtmlRenderer {
    fn render(&self, doc: &Document<'_>, printer: &Printer) -> Result<(), CliError> {
        let page = match doc {
            Document::Report { report, view, part } => report_page(report, *view, *part),
            Document::Fleet { command, entries } => fleet_page(command, entries),
            Document::Written {
                subject,
                status,
                view,
            } => {
                let mut body = String::new();
                let _ = write!(
                    body,
                    "<header class=\"status {s}\"><h1>{S}</h1><p>{} on {}</p></header>\
                     <section id=\"result\"><h2>Result</h2><pre>{}</pre></section>",
                    esc(subject.command),
                    esc(subject.target),
                    esc(&plain(&view.table(100))),
                    s = status.label().to_ascii_lowercase(),
                    S = status.label(),
                );
                page(
                    &format!("cachectl {}: {}", subject.command, status.label()),
                    &body,
                )
            }
        };
        printer.out(&page)
    }
}

/// Text as HTML: `&`, `<`, `>` and quotes escaped.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 1.5rem;color:#1d2430}\
header.status{border-left:.5rem solid #888;padding:.2rem 1rem;margin-bottom:1rem}\
header.ok{border-color:#2e8b57}header.warning{border-color:#d49b00}\
header.critical{border-color:#c0392b}header.unknown{border-color:#8e44ad}\
h1{margin:.2rem 0}h2{border-bottom:1px solid #ddd;margin-top:2rem}\
article.finding{border:1px solid #ddd;border-radius:.4rem;padding:.5rem 1rem;margin:.8rem 0}\
.sev{font-weight:700;margin-right:.4rem}.critical .sev{color:#c0392b}.warning .sev{color:#a67800}\
.unknown .sev{color:#8e44ad}.info .sev{color:#2471a3}\
pre{background:#f5f6f8;padding:.5rem;overflow-x:auto;white-space:pre}\
.nodes{color:#555}table{border-collapse:collapse}td,th{padding:.15rem .6rem;text-align:left}\
tr+tr td{border-top:1px solid #eee}.bar{display:inline-block;height:.8rem;background:#4a78c2;vertical-align:middle}\
.chart td.n{text-align:right}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>{}</title><style>{STYLE}</style></head>\n<body>\n{body}\n\
         <footer><p>cachectl {}</p></footer>\n</body></html>\n",
        esc(title),
        env!("CARGO_PKG_VERSION")
    )
}

/// A page of one table (`runbook list -o html`), every cell escaped.
pub fn table_page(title: &str, headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut body = format!("<h1>{}</h1><table><tr>", esc(title));
    for h in headers {
        let _ = write!(body, "<th>{}</th>", esc(h));
    }
    body.push_str("</tr>");
    for row in rows {
        body.push_str("<tr>");
        for cell in row {
            let _ = write!(body, "<td>{}</td>", esc(cell));
        }
        body.push_str("</tr>");
    }
    body.push_str("</table>");
    page(title, &body)
}

fn report_page(r: &Report, view: Option<&DoorView>, part: Part) -> String {
    page(
        &format!("cachectl {}: {} {}", r.command, r.status.label(), r.target),
        &report_body(r, view, part),
    )
}

/// A fleet: the summary table, then each target's report.
fn fleet_page(command: &str, entries: &[Entry]) -> String {
    let worst = crate::findings::fleet::worst(entries);
    let mut body = format!(
        "<header class=\"status {}\"><h1>{}</h1><p>cachectl {} of a fleet: {}</p></header>\
         <section id=\"fleet\"><table><tr><th>target</th><th>status</th><th>health</th><th>worst finding</th></tr>",
        status_class(worst),
        worst.label(),
        esc(command),
        esc(&super::fleet::totals(entries))
    );
    for (i, e) in entries.iter().enumerate() {
        let (health, worst) = match &e.outcome {
            Ok(r) => (
                r.score.to_string(),
                e.worst().unwrap_or_else(|| "none".into()),
            ),
            Err(why) => ("-".into(), why.clone()),
        };
        let _ = write!(
            body,
            "<tr><td><a href=\"#target-{i}\">{}</a></td><td>{}</td><td class=\"n\">{health}</td><td>{}</td></tr>",
            esc(&e.name),
            e.status().label(),
            esc(&worst)
        );
    }
    body.push_str("</table></section>");
    for (i, e) in entries.iter().enumerate() {
        let _ = write!(
            body,
            "<section class=\"target\" id=\"target-{i}\"><h2>{}</h2>",
            esc(&e.name)
        );
        match &e.outcome {
            Ok(r) => body.push_str(&report_body(r, None, Part::Diagnosis)),
            Err(why) => {
                let _ = write!(body, "<p>not assessed: {}</p>", esc(why));
            }
        }
        body.push_str("</section>");
    }
    page(
        &format!("cachectl {command}: fleet {}", worst.label()),
        &body,
    )
}

fn report_body(r: &Report, view: Option<&DoorView>, part: Part) -> String {
    let mut body = String::new();
    let server = r
        .server
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let _ = write!(
        body,
        "<header class=\"status {}\"><h1>{} <small>health {}/100</small></h1>\
         <p>{} {}{}</p><p>{} checks: {} fired, {} passed, {} not run; {:.1} ms</p></header>",
        status_class(r.status),
        r.status.label(),
        r.score,
        esc(&server),
        esc(&r.target),
        r.app
            .as_ref()
            .map(|a| format!(" · app {}", esc(a)))
            .unwrap_or_default(),
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
        let _ = write!(body, "<p class=\"nodes\">nodes: {}</p>", nodes.join(", "));
    }
    body.push_str("<section id=\"findings\"><h2>Findings</h2>");
    if r.findings.is_empty() {
        body.push_str("<p>No findings: every check that could run passed.</p>");
    }
    let mut all: Vec<&Finding> = r.findings.iter().collect();
    all.sort_by_key(|f| std::cmp::Reverse((f.severity, f.score)));
    for g in grouped(&all) {
        finding(&mut body, &g, r.nodes.len() > 1);
    }
    body.push_str("</section>");
    if let Some(v) = view {
        door_view(&mut body, v);
    }
    if part == Part::Remediation || r.remediation.is_some() {
        let text = plain(&super::table::remediation_at(r, 100));
        if !text.trim().is_empty() {
            let _ = write!(
                body,
                "<section id=\"remediation\"><h2>Remediation</h2><pre>{}</pre></section>",
                esc(text.trim())
            );
        }
    }
    if !r.unavailable.is_empty() || !r.skipped.is_empty() {
        body.push_str("<section id=\"not-checked\"><h2>Not checked</h2><ul>");
        for u in &r.unavailable {
            let _ = write!(
                body,
                "<li><code>{}</code>: {}</li>",
                esc(&u.fact),
                esc(&u.reason())
            );
        }
        for s in &r.skipped {
            let _ = write!(
                body,
                "<li><code>{}</code> not run: {}</li>",
                esc(&s.check),
                esc(&s.reason)
            );
        }
        body.push_str("</ul></section>");
    }
    body
}

fn status_class(s: Status) -> String {
    s.label().to_ascii_lowercase()
}

/// A finding (or the same check on several nodes) with its fixes.
fn finding(body: &mut String, g: &Group<'_>, with_nodes: bool) {
    let f = g.first;
    let _ = write!(
        body,
        "<article class=\"finding {sev}\" id=\"finding-{id}\"><h3><span class=\"sev\">{SEV}</span>\
         <span class=\"score\">{}</span> <code>{id}</code> {}</h3>",
        f.score,
        esc(&f.title),
        sev = f.severity.label(),
        SEV = f.severity.label().to_uppercase(),
        id = esc(&f.id),
    );
    if with_nodes {
        let _ = write!(body, "<p class=\"nodes\">{}</p>", esc(&g.nodes()));
    }
    let _ = write!(body, "<p>{}</p>", esc(&f.message));
    for (i, fix) in f.fixes.iter().enumerate() {
        let _ = write!(
            body,
            "<div class=\"fix\"><h4>Fix: {} <small>[{}, {}]</small></h4>",
            esc(&fix.title),
            fix.safety.label(),
            fix.kind.label()
        );
        for (node, x) in g.fix_by_node(i) {
            if let Some(node) = node {
                let _ = write!(body, "<p class=\"nodes\">on {}:</p>", esc(&node));
            }
            let _ = write!(body, "<pre>{}</pre>", esc(&x.commands.join("\n")));
            if let Some(why) = &x.not_runnable {
                let _ = write!(body, "<p>not runnable: {}</p>", esc(why));
            }
        }
        body.push_str("</div>");
    }
    body.push_str("</article>");
}

/// A bar of `fraction` of its column, as a chart row draws it.
fn bar(fraction: f64) -> String {
    let pct = if fraction.is_finite() {
        (fraction.clamp(0.0, 1.0) * 100.0 * 10.0).round() / 10.0
    } else {
        0.0
    };
    format!("<span class=\"bar\" style=\"width:{pct}%\"></span>")
}

fn door_view(body: &mut String, view: &DoorView) {
    match view {
        DoorView::Memory { keyspace, .. } => {
            let mut text = String::new();
            view.table(&mut text, 100);
            let _ = write!(
                body,
                "<section id=\"memory\"><h2>Memory</h2><pre>{}</pre>",
                esc(plain(&text).trim())
            );
            if let Some(k) = keyspace {
                body.push_str(
                    "<h3>Share of memory by key pattern</h3><table class=\"chart\" id=\"keyspace-chart\">\
                     <tr><th>pattern</th><th>keys</th><th>bytes</th><th>share</th></tr>",
                );
                for p in k.patterns.iter().take(20) {
                    let _ = write!(
                        body,
                        "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                         <td style=\"width:40%\">{} {:.1}%</td></tr>",
                        esc(&p.pattern),
                        p.keys,
                        super::table::human_bytes(p.bytes as i64),
                        bar(p.share),
                        p.share * 100.0
                    );
                }
                body.push_str("</table>");
            }
            body.push_str("</section>");
        }
        DoorView::Latency { latency } => {
            let mut text = String::new();
            super::table::latency_section_text(&mut text, latency);
            let _ = write!(
                body,
                "<section id=\"latency\"><h2>Round trips</h2><pre>{}</pre>",
                esc(plain(&text).trim())
            );
            let most = latency.histogram.iter().map(|b| b.count).max().unwrap_or(0);
            if most > 0 {
                body.push_str(
                    "<table class=\"chart\" id=\"latency-chart\"><tr><th>took</th><th>round trips</th><th></th></tr>",
                );
                for b in &latency.histogram {
                    let label = match b.le_us {
                        Some(us) => format!("≤ {} ms", us as f64 / 1000.0),
                        None => "> 1000 ms".to_string(),
                    };
                    let _ = write!(
                        body,
                        "<tr><td>{label}</td><td class=\"n\">{}</td><td style=\"width:60%\">{}</td></tr>",
                        b.count,
                        bar(b.count as f64 / most as f64)
                    );
                }
                body.push_str("</table>");
            }
            body.push_str("</section>");
        }
        DoorView::Clients { .. }
        | DoorView::Slowlog { .. }
        | DoorView::Watch { .. }
        | DoorView::Hotkeys { .. } => {
            let (id, title) = match view {
                DoorView::Clients { .. } => ("clients", "Clients"),
                DoorView::Watch { .. } => ("watch", "Nodes"),
                DoorView::Hotkeys { .. } => ("hotkeys", "Hot keys"),
                _ => ("slowlog", "Slow log"),
            };
            let mut text = String::new();
            view.table(&mut text, 100);
            let _ = write!(
                body,
                "<section id=\"{id}\"><h2>{title}</h2><pre>{}</pre></section>",
                esc(plain(&text).trim())
            );
        }
    }
}
