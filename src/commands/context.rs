//! `cachectl context list | show`: the named contexts of the config files
//! (`cli::context`), their secrets never shown.

use std::fmt::Write;

use serde_json::json;

use crate::cli::{context, ContextCommand, OutputFormat};
use crate::error::{CliError, Status};
use crate::render::{self, Printer};

pub fn run(cmd: &ContextCommand, printer: &Printer) -> Result<Status, CliError> {
    match cmd {
        ContextCommand::List { output } => {
            let all = context::all()?;
            let rows: Vec<[String; 4]> = all
                .values()
                .map(|c| {
                    [
                        c.name.clone(),
                        c.target(),
                        c.password_source(),
                        c.file.display().to_string(),
                    ]
                })
                .collect();
            if output.output == OutputFormat::Json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|[name, target, password, file]| {
                        json!({"name": name, "target": target, "password": password, "file": file})
                    })
                    .collect();
                return printer.out_json(&list).map(|()| Status::Ok);
            }
            if rows.is_empty() {
                let files: Vec<String> = context::files()
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect();
                printer.status(&format!(
                    "no contexts: {} (README: Contexts)",
                    if files.is_empty() {
                        "neither ~/.config/cachectl/config.yaml nor a .cachectl.yaml here or above"
                            .into()
                    } else {
                        format!("none in {}", files.join(", "))
                    }
                ));
            }
            let width = render::table_width();
            let header = ["CONTEXT", "TARGET", "PASSWORD", "FILE"];
            printer.out(&render::table::rows(
                &header,
                rows.into_iter().map(Vec::from).collect(),
                width,
            ))?;
            Ok(Status::Ok)
        }
        ContextCommand::Show { name } => {
            let c = context::find(name)?;
            let mut out = String::new();
            let _ = writeln!(out, "context   {}", c.name);
            let _ = writeln!(out, "file      {}", c.file.display());
            let _ = writeln!(out, "target    {}", c.target());
            let _ = writeln!(out, "password  {}", c.password_source());
            out.push_str(&c.details());
            printer.out(&out)?;
            Ok(Status::Ok)
        }
    }
}
