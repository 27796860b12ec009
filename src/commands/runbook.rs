//! `cachectl runbook list | show | validate | facts`.

use std::fmt::Write;

use comfy_table::Cell;
use serde_json::json;

use crate::cli::{OutputFormat, RunbookCommand};
use crate::error::{CliError, Status};
use crate::facts::catalog::{self, Shape};
use crate::render::{self, Printer};
use crate::runbook::{load_all, load_file};

pub fn run(cmd: RunbookCommand, printer: &Printer) -> Result<Status, CliError> {
    match cmd {
        RunbookCommand::List { runbooks, output } => {
            let set = load_all(&runbooks.dirs)?;
            match output.output {
                OutputFormat::Json => {
                    let list: Vec<_> = set
                        .runbooks
                        .iter()
                        .map(|r| {
                            json!({
                                "id": r.id,
                                "title": r.title,
                                "source": r.source,
                                "origin": r.origin,
                                "replaces_builtin": r.replaces_builtin,
                                "checks": r.checks.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
                            })
                        })
                        .collect();
                    printer.out_json(&list)?;
                }
                OutputFormat::Html => {
                    let rows: Vec<Vec<String>> = set
                        .runbooks
                        .iter()
                        .map(|r| {
                            vec![
                                r.id.clone(),
                                r.title.clone(),
                                r.checks.len().to_string(),
                                r.origin.clone(),
                            ]
                        })
                        .collect();
                    printer.out(&render::html::table_page(
                        "cachectl runbooks",
                        &["id", "title", "checks", "from"],
                        &rows,
                    ))?;
                }
                OutputFormat::Table => {
                    let width = render::table_width();
                    let mut table =
                        render::table::new_table(&["ID", "TITLE", "CHECKS", "FROM"], width);
                    for r in &set.runbooks {
                        table.add_row(vec![
                            Cell::new(&r.id),
                            Cell::new(&r.title),
                            Cell::new(r.checks.len()),
                            Cell::new(if r.replaces_builtin {
                                format!("{} (replaces the built-in)", r.origin)
                            } else {
                                r.origin.clone()
                            }),
                        ]);
                    }
                    printer.out(&format!("{}\n", render::table::shown(table, width)))?;
                }
            }
            Ok(Status::Ok)
        }
        RunbookCommand::Show { id, runbooks } => {
            let set = load_all(&runbooks.dirs)?;
            let rb = set.require(&id)?;
            let mut out = String::new();
            let _ = writeln!(out, "# {} ({}) from {}", rb.title, rb.id, rb.origin);
            let _ = writeln!(out, "# source: {}", rb.source);
            out.push_str(&rb.text);
            if !rb.text.ends_with('\n') {
                out.push('\n');
            }
            printer.out(&out)?;
            Ok(Status::Ok)
        }
        RunbookCommand::Validate { files } => {
            let mut failed = false;
            let mut out = String::new();
            for f in &files {
                match load_file(f) {
                    Ok(rb) => {
                        let _ = writeln!(
                            out,
                            "ok: {} (runbook `{}`, {} checks)",
                            f.display(),
                            rb.id,
                            rb.checks.len()
                        );
                    }
                    Err(e) => {
                        failed = true;
                        printer.status(&format!("error: {e}"));
                    }
                }
            }
            printer.out(&out)?;
            Ok(if failed { Status::Unknown } else { Status::Ok })
        }
        RunbookCommand::Facts => {
            let mut out = String::new();
            for root in catalog::roots() {
                let _ = writeln!(out, "{}  {}", root.name, root.doc);
                describe(&root.shape, &root.name, &mut out);
            }
            let _ = writeln!(
                out,
                "threshold  The runbook's own thresholds: threshold.<name>.\n\
                 http  With --app, the responses of the runbook's HTTP steps: http.<step>.ok, .error, \
                 .status, .json, .values.<name>, .series.<name>.value|increase|rate|window|present, \
                 .cache.dialect|hits|misses|errors|gets|caches (see docs/runbooks.md)."
            );
            printer.out(&out)?;
            Ok(Status::Ok)
        }
    }
}

fn describe(shape: &Shape, path: &str, out: &mut String) {
    match shape {
        Shape::Record(fields) => {
            for f in fields {
                let child = format!("{path}.{}", f.name);
                match &f.shape {
                    Shape::Scalar(ty) => {
                        let _ = writeln!(out, "  {child:<40} {ty:<7} {}", f.doc);
                    }
                    other => {
                        let _ = writeln!(out, "  {child:<40} {:<7} {}", kind(other), f.doc);
                        describe(other, &child, out);
                    }
                }
            }
        }
        Shape::List(inner) => describe(inner, &format!("{path}[]"), out),
        Shape::Map(inner) => describe(inner, &format!("{path}[key]"), out),
        Shape::InfoFields => {
            let _ = writeln!(out, "  fields: {}", catalog::info_fields().join(" "));
        }
        Shape::Scalar(_) => {}
    }
}

fn kind(shape: &Shape) -> &'static str {
    match shape {
        Shape::List(_) => "list",
        Shape::Map(_) => "map",
        Shape::Record(_) => "record",
        Shape::InfoFields => "map",
        Shape::Scalar(ty) => ty,
    }
}
