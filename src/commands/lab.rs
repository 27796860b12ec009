//! `cachectl lab up | list | down`: glue between the flags and the lab
//! (`lab`), which stages, tracks and stops.

use serde_json::json;

use crate::cli::{LabCommand, OutputFormat};
use crate::error::{CliError, Status};
use crate::lab::{self, scenario, SCENARIOS};
use crate::render::{self, Printer};

pub fn run(cmd: &LabCommand, printer: &Printer) -> Result<Status, CliError> {
    let home = lab::home();
    let fail = |e: String| CliError::Other(anyhow::anyhow!("lab: {e}"));
    match cmd {
        LabCommand::Up { scenario, output } => {
            let s = scenario::find(scenario).map_err(CliError::Usage)?;
            let mut state = lab::load(&home).map_err(fail)?;
            let me = std::env::current_exe().map_err(|e| fail(e.to_string()))?;
            let dir = home.join(format!("{}-{}", s.id, std::process::id()));
            printer.status(&format!("lab: staging {}: {}", s.id, s.title));
            let running = scenario::stage(s, &dir, &me).map_err(fail)?;
            state.running.push(running.clone());
            lab::save(&home, &state).map_err(fail)?;
            if output.output == OutputFormat::Json {
                printer.out_json(&json!({
                    "scenario": s.id,
                    "seed": s.seed,
                    "title": s.title,
                    "url": running.url,
                    "flags": running.flags,
                    "command": running.command(),
                    "processes": running.processes,
                }))?;
            } else {
                printer.out(&format!(
                    "{}: {}\n  follows {}\n  diagnose it: {}\n  stop it:     cachectl lab down\n",
                    s.id,
                    s.title,
                    s.seed,
                    running.command()
                ))?;
            }
            Ok(Status::Ok)
        }
        LabCommand::List { output } => {
            let state = lab::load(&home).map_err(fail)?;
            let up = |id: &str| {
                state
                    .running
                    .iter()
                    .filter(|r| r.scenario == id)
                    .map(lab::Running::command)
                    .collect::<Vec<_>>()
            };
            if output.output == OutputFormat::Json {
                let list: Vec<_> = SCENARIOS
                    .iter()
                    .map(|s| json!({"scenario": s.id, "seed": s.seed, "title": s.title, "up": up(s.id)}))
                    .collect();
                printer.out_json(&list)?;
                return Ok(Status::Ok);
            }
            let rows = SCENARIOS
                .iter()
                .map(|s| {
                    let now = up(s.id);
                    vec![
                        s.id.to_string(),
                        s.seed.to_string(),
                        if now.is_empty() {
                            s.title.to_string()
                        } else {
                            format!("{} (up: {})", s.title, now.join("; "))
                        },
                    ]
                })
                .collect();
            let width = render::table_width();
            printer.out(&render::table::rows(
                &["SCENARIO", "SEED", "WHAT"],
                rows,
                width,
            ))?;
            Ok(Status::Ok)
        }
        LabCommand::Down => {
            let (stopped, gone) = lab::down(&home).map_err(fail)?;
            let mut out = String::new();
            for s in &stopped {
                out.push_str(&format!("stopped {s}\n"));
            }
            for g in &gone {
                out.push_str(&format!("already gone: {g}\n"));
            }
            if stopped.is_empty() && gone.is_empty() {
                out.push_str("the lab has nothing up\n");
            }
            printer.out(&out)?;
            Ok(Status::Ok)
        }
        LabCommand::Hold {
            port,
            connections,
            name,
        } => lab::app::hold(*port, *connections, name)
            .map(|()| Status::Ok)
            .map_err(fail),
        LabCommand::ServeApp { port, redis_port } => lab::app::serve(*port, *redis_port)
            .map(|()| Status::Ok)
            .map_err(fail),
    }
}
