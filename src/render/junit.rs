//! `-o junit`: the run as a JUnit XML test report, for the CI systems that
//! render one (GitLab, Jenkins, GitHub's test reporters): a test suite per
//! node, a test case per check. A check that fired is a failure carrying
//! its message and fixes; one that could not run is skipped with the
//! reason; one that passed is a plain test case. A writing command is one
//! suite of one case. All text is escaped for XML, and characters XML 1.0
//! cannot hold are written as `\u{..}`.

use std::fmt::Write;

use super::document::{Document, Renderer};
use super::Printer;
use crate::error::{CliError, Status};
use crate::findings::evaluate::Verdict;
use crate::findings::Report;

pub struct JunitRenderer;

impl Renderer for JunitRenderer {
    fn render(&self, doc: &Document<'_>, printer: &Printer) -> Result<(), CliError> {
        let xml = match doc {
            Document::Report { report, .. } => report_xml(report),
            Document::Fleet { command, entries } => {
                let mut suites = String::new();
                let mut all = Counts::default();
                for e in *entries {
                    match &e.outcome {
                        Ok(r) => all.add(suites_of(r, &format!("{} ", e.name), &mut suites)),
                        Err(why) => {
                            all.add(Counts {
                                tests: 1,
                                failed: 1,
                                skipped: 0,
                            });
                            let _ = write!(
                                suites,
                                "  <testsuite name=\"{n}\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\">\n    \
                                 <testcase classname=\"cachectl.{c}\" name=\"assessed\"><failure message=\"{w}\" type=\"unknown\">{w}</failure></testcase>\n  </testsuite>\n",
                                n = esc(&e.name),
                                c = esc(command),
                                w = esc(why)
                            );
                        }
                    }
                }
                format!(
                    "{HEAD}<testsuites name=\"cachectl {} fleet\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n{suites}</testsuites>\n",
                    esc(command),
                    all.tests,
                    all.failed,
                    all.skipped
                )
            }
            Document::Written {
                subject,
                status,
                view,
            } => {
                let text = super::plain(&view.table(100));
                let summary = text.lines().next().unwrap_or_default();
                let case = match status {
                    Status::Ok => String::new(),
                    s => format!(
                        "<failure message=\"{}\" type=\"{}\">{}</failure>",
                        esc(summary),
                        s.label().to_ascii_lowercase(),
                        esc(&text)
                    ),
                };
                let failures = usize::from(*status != Status::Ok);
                format!(
                    "{HEAD}<testsuites name=\"cachectl {cmd}\" tests=\"1\" failures=\"{failures}\" skipped=\"0\">\n\
                     <testsuite name=\"{target}\" tests=\"1\" failures=\"{failures}\" skipped=\"0\">\n\
                     <testcase classname=\"cachectl.{cmd}\" name=\"{cmd}\">{case}</testcase>\n\
                     </testsuite>\n</testsuites>\n",
                    cmd = esc(subject.command),
                    target = esc(subject.target),
                )
            }
        };
        printer.out(&xml)
    }
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Text for XML content or an attribute: markup escaped, and what XML 1.0
/// may not hold (control characters) spelled out.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tests: usize,
    failed: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.tests += o.tests;
        self.failed += o.failed;
        self.skipped += o.skipped;
    }
}

fn report_xml(r: &Report) -> String {
    let mut suites = String::new();
    let all = suites_of(r, "", &mut suites);
    format!(
        "{HEAD}<testsuites name=\"cachectl {} {}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3}\">\n{suites}</testsuites>\n",
        esc(&r.command),
        esc(&r.target),
        all.tests,
        all.failed,
        all.skipped,
        r.duration_ms / 1000.0
    )
}

/// A suite per node of `r` (named `prefix` and the node) into `suites`.
fn suites_of(r: &Report, prefix: &str, suites: &mut String) -> Counts {
    // A suite per node, in the report's order; a node that only the
    // topology's checks name (the Sentinel or Cluster node asked) after.
    let mut nodes: Vec<String> = r.nodes.iter().map(|n| n.addr.to_string()).collect();
    for v in &r.verdicts {
        let n = v.node.to_string();
        if !nodes.contains(&n) {
            nodes.push(n);
        }
    }
    let mut all = Counts::default();
    for node in &nodes {
        let mut cases = String::new();
        let (mut tests, mut failed, mut skipped) = (0, 0, 0);
        for v in r.verdicts.iter().filter(|v| &v.node.to_string() == node) {
            let classname = format!("cachectl.{}", v.runbook);
            let body = match v.verdict {
                Verdict::NotApplicable => continue,
                Verdict::Passed => String::new(),
                Verdict::Fired => {
                    failed += 1;
                    let f = r
                        .findings
                        .iter()
                        .find(|f| f.id == v.check && f.node == v.node);
                    match f {
                        Some(f) => {
                            let mut text = format!("{}\n{}\n", f.title, f.message);
                            for fix in &f.fixes {
                                let _ = write!(
                                    text,
                                    "\nfix: {} [{}, {}]\n",
                                    fix.title,
                                    fix.safety.label(),
                                    fix.kind.label()
                                );
                                for c in &fix.commands {
                                    let _ = writeln!(text, "    {c}");
                                }
                            }
                            format!(
                                "<failure message=\"{}\" type=\"{}\">{}</failure>",
                                esc(&f.message),
                                f.severity.label(),
                                esc(&text)
                            )
                        }
                        None => "<failure message=\"fired\" type=\"fired\"/>".to_string(),
                    }
                }
                Verdict::Skipped => {
                    skipped += 1;
                    let reason = r
                        .skipped
                        .iter()
                        .find(|s| s.check == v.check && s.node == v.node)
                        .map_or("not run", |s| s.reason.as_str());
                    format!("<skipped message=\"{}\"/>", esc(reason))
                }
            };
            tests += 1;
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{}\" name=\"{}\">{body}</testcase>",
                esc(&classname),
                esc(&v.check)
            );
        }
        // A finding no check verdict carries (a run that judged nothing).
        for f in r.findings.iter().filter(|f| &f.node.to_string() == node) {
            if r.verdicts
                .iter()
                .any(|v| v.check == f.id && v.node == f.node)
            {
                continue;
            }
            tests += 1;
            failed += 1;
            let _ = writeln!(
                cases,
                "    <testcase classname=\"cachectl.{}\" name=\"{}\"><failure message=\"{}\" type=\"{}\">{}</failure></testcase>",
                esc(&f.runbook),
                esc(&f.id),
                esc(&f.message),
                f.severity.label(),
                esc(&format!("{}\n{}", f.title, f.message))
            );
        }
        all.add(Counts {
            tests,
            failed,
            skipped,
        });
        let _ = write!(
            suites,
            "  <testsuite name=\"{}{}\" tests=\"{tests}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\">\n{cases}  </testsuite>\n",
            esc(prefix),
            esc(node)
        );
    }
    all
}
