//! `cachectl diagnose`: collect facts, evaluate the runbooks, print the report.

use std::io::BufRead;
use std::time::Instant;

use crate::cli::{DiagnoseArgs, OutputFormat, RunbookArgs, TargetArgs};
use crate::error::{CliError, Status};
use crate::facts::collect::collect;
use crate::findings::{evaluate, Report};
use crate::render;
use crate::runbook::{load_all, RunbookSet};
use crate::target::{self, TargetInputs, TargetSpec, Timeouts, TlsOptions};

pub fn run(args: DiagnoseArgs) -> Result<Status, CliError> {
    let started = Instant::now();
    let spec = resolve_target(&args.target)?;
    let timeouts = timeouts(&args.target);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(anyhow::anyhow!("cannot start the async runtime: {e}")))?;
    // Compiling the runbooks is CPU work and collecting facts is waiting on
    // the network: do both at once.
    let (runbooks, facts) = std::thread::scope(|scope| {
        let loading = scope.spawn(|| select_runbooks(&args.runbooks, &args.only, &args.skip));
        let facts = runtime.block_on(collect(&spec, &timeouts));
        let runbooks = loading
            .join()
            .unwrap_or_else(|_| Err(CliError::Other(anyhow::anyhow!("runbook loading panicked"))));
        (runbooks, facts)
    });
    let runbooks = runbooks?;
    let evaluation = evaluate(&runbooks, &facts);
    let report = Report::new(
        spec.redacted_url(),
        vec![facts.node.clone()],
        evaluation,
        facts.unavailable.values().cloned().collect(),
        (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0,
    );
    match args.output.output {
        OutputFormat::Table => render::out(&render::table::report(&report)),
        OutputFormat::Json => render::out(&render::json::render(&report)?),
    }
    Ok(report.status)
}

/// Loads the runbooks and applies --only / --skip, rejecting unknown ids.
pub fn select_runbooks(
    args: &RunbookArgs,
    only: &[String],
    skip: &[String],
) -> Result<RunbookSet, CliError> {
    let mut set = load_all(&args.dirs).map_err(|e| CliError::Runbook(e.to_string()))?;
    for id in only.iter().chain(skip) {
        if set.get(id).is_none() {
            let known: Vec<_> = set.runbooks.iter().map(|r| r.id.as_str()).collect();
            return Err(CliError::Usage(format!(
                "no runbook `{id}`; known runbooks: {}",
                known.join(", ")
            )));
        }
    }
    set.runbooks
        .retain(|r| (only.is_empty() || only.contains(&r.id)) && !skip.contains(&r.id));
    Ok(set)
}

pub fn timeouts(args: &TargetArgs) -> Timeouts {
    // No single step may outlast the whole run.
    Timeouts {
        connect: args.connect_timeout.min(args.timeout),
        command: args.command_timeout.min(args.timeout),
        overall: args.timeout,
    }
}

pub fn resolve_target(args: &TargetArgs) -> Result<TargetSpec, CliError> {
    let password_from_stdin = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::Usage(format!("--password-stdin: cannot read stdin: {e}")))?;
        let pw = line.trim_end_matches(['\r', '\n']).to_string();
        if pw.is_empty() {
            return Err(CliError::Usage(
                "--password-stdin: standard input gave an empty password".into(),
            ));
        }
        Some(pw)
    } else {
        None
    };
    let env = |name: &str| std::env::var(name).ok();
    target::resolve(TargetInputs {
        url: args.url.as_deref(),
        password_from_stdin,
        tls_options: TlsOptions {
            ca_file: args.tls_ca.clone(),
            cert_file: args.tls_cert.clone(),
            key_file: args.tls_key.clone(),
        },
        env: &env,
    })
    .map_err(CliError::Usage)
}
