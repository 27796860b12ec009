//! `cachectl runbook list | show | validate | facts`: glue between the
//! flags, the runbook loader and its renderers (`render::runbooks`).

use std::fmt::Write;

use crate::cli::{OutputFormat, RunbookCommand};
use crate::error::{CliError, Status};
use crate::render::{self, Printer};
use crate::runbook::{load_all, load_file};

pub fn run(cmd: RunbookCommand, printer: &Printer) -> Result<Status, CliError> {
    match cmd {
        RunbookCommand::List { runbooks, output } => {
            let set = load_all(&runbooks.dirs)?;
            match output.output {
                OutputFormat::Json => printer.out_json(&render::runbooks::json(&set))?,
                OutputFormat::Html => printer.out(&render::runbooks::html(&set))?,
                OutputFormat::Table => {
                    printer.out(&render::runbooks::table(&set, render::table_width()))?;
                }
                OutputFormat::Markdown => printer.out(&render::runbooks::markdown(&set))?,
                OutputFormat::Junit | OutputFormat::Nagios | OutputFormat::Prometheus => {
                    return Err(CliError::Usage(
                        "runbook list is a list, not a run: use -o table, json, html or markdown"
                            .into(),
                    ));
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
            printer.out(&render::runbooks::facts())?;
            Ok(Status::Ok)
        }
    }
}
