//! `cachectl runbook list` and `runbook facts` for people and scripts: the
//! runbooks as a table, JSON or a page, and the reference of every fact a
//! check may read.

use std::fmt::Write;

use comfy_table::Cell;
use serde_json::json;

use crate::facts::catalog::{self, Shape};
use crate::runbook::RunbookSet;

/// The runbooks, one row each, `width` columns wide.
pub fn table(set: &RunbookSet, width: u16) -> String {
    let mut table = super::table::new_table(&["ID", "TITLE", "CHECKS", "FROM"], width);
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
    format!("{}\n", super::table::shown(table, width))
}

/// The runbooks as a JSON list (docs/json.md).
pub fn json(set: &RunbookSet) -> serde_json::Value {
    set.runbooks
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
        .collect()
}

/// The runbooks as one HTML page.
pub fn html(set: &RunbookSet) -> String {
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
    super::html::table_page(
        "cachectl runbooks",
        &["id", "title", "checks", "from"],
        &rows,
    )
}

/// The runbooks as a Markdown table.
pub fn markdown(set: &RunbookSet) -> String {
    use super::markdown::esc;
    let mut out = String::from("| id | title | checks | from |\n| --- | --- | ---: | --- |\n");
    for r in &set.runbooks {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            r.id.replace('`', "'"),
            esc(&r.title),
            r.checks.len(),
            esc(&r.origin)
        );
    }
    out
}

/// Every fact root a check may read, its fields, types and meaning.
pub fn facts() -> String {
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
    out
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
