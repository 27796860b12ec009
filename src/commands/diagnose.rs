//! `cachectl diagnose`: collect facts, evaluate the runbooks, print the
//! report; with --fix, walk the fixes.

use std::io::BufRead;
use std::time::Instant;

use crate::cli::{AppArgs, DiagnoseArgs, OutputFormat, RunbookArgs, SafetyArgs, TargetArgs};
use crate::error::{CliError, Status};
use crate::facts::collect::collect;
use crate::findings::{evaluate, After, Report};
use crate::http::probe::App;
use crate::remediate::{self, audit::AuditLog, confirm, Mode};
use crate::render;
use crate::runbook::{load_all, RunbookSet};
use crate::target::{self, TargetInputs, TargetSpec, Timeouts, TlsOptions};

pub fn run(args: DiagnoseArgs) -> Result<Status, CliError> {
    let started = Instant::now();
    let remediation = remediation_options(&args.safety)?;
    let spec = resolve_target(&args.target)?;
    let timeouts = timeouts(&args.target);
    let app = resolve_app(&args.app, &timeouts)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(anyhow::anyhow!("cannot start the async runtime: {e}")))?;
    let deadline = tokio::time::Instant::now() + timeouts.overall;
    // Compiling the runbooks is CPU work and collecting Redis facts is
    // waiting on the network: do both at once. The application's requests
    // come from the runbooks, so they start as soon as those are loaded.
    let (loaded_tx, loaded_rx) = tokio::sync::oneshot::channel();
    let (mut facts, (runbooks, app_facts)) = std::thread::scope(|scope| {
        scope.spawn(|| {
            let _ = loaded_tx.send(select_runbooks(&args.runbooks, &args.only, &args.skip));
        });
        runtime.block_on(async {
            let app_side = async {
                let runbooks = loaded_rx.await.unwrap_or_else(|_| {
                    Err(CliError::Other(anyhow::anyhow!("runbook loading panicked")))
                });
                let app_facts = match (&app, &runbooks) {
                    (Some(app), Ok(set)) => {
                        let steps = set.http_steps().into_iter().cloned().collect();
                        Some(crate::facts::app::collect(app, steps, deadline).await)
                    }
                    _ => None,
                };
                (runbooks, app_facts)
            };
            tokio::join!(collect(&spec, &timeouts), app_side)
        })
    });
    let runbooks = runbooks?;
    if let Some(value) = app_facts {
        facts.values.insert("http".into(), value);
    }
    let evaluation = evaluate(&runbooks, &facts);
    let mut report = Report::new(
        spec.redacted_url(),
        app.as_ref().map(App::redacted),
        vec![facts.node.clone()],
        evaluation,
        facts.unavailable.values().cloned().collect(),
        (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0,
    );
    let Some(options) = remediation else {
        match args.output.output {
            OutputFormat::Table => render::out(&render::table::report(&report)),
            OutputFormat::Json => render::out(&render::json::render(&report)?),
        }
        return Ok(report.status);
    };
    if args.output.output == OutputFormat::Table {
        render::out(&render::table::report(&report));
    }
    let (done, latest) = runtime.block_on(remediate::walk(
        &report, &runbooks, &facts, &spec, &timeouts, &options,
    ));
    report.remediation = Some(done);
    if let Some(now) = latest {
        report.after = Some(After::of(&evaluate(&runbooks, &now)));
    }
    match args.output.output {
        OutputFormat::Table => render::out(&render::table::remediation(&report)),
        OutputFormat::Json => render::out(&render::json::render(&report)?),
    }
    // The exit code tells the state the node is left in.
    Ok(report
        .after
        .as_ref()
        .map(|a| a.status)
        .unwrap_or(report.status))
}

/// Checks the --fix flags before anything touches the network.
fn remediation_options(args: &SafetyArgs) -> Result<Option<remediate::Options>, CliError> {
    if !args.fix {
        return Ok(None);
    }
    let mode = if args.dry_run {
        Mode::DryRun
    } else if args.yes {
        Mode::Yes
    } else if confirm::interactive() {
        Mode::Interactive
    } else {
        return Err(CliError::Usage(
            "--fix needs a terminal to ask before each fix, and there is none: add --yes to apply only safe fixes without asking, or --dry-run to print the plan".into(),
        ));
    };
    let audit = if mode == Mode::DryRun {
        None
    } else {
        let path = args.audit_log.clone().or_else(AuditLog::default_path).ok_or_else(|| {
            CliError::Usage("no state directory for the audit log ($XDG_STATE_HOME and $HOME are unset): give --audit-log PATH".into())
        })?;
        Some(AuditLog { path })
    };
    Ok(Some(remediate::Options {
        mode,
        confirm_destructive: args.confirm_destructive.clone(),
        audit,
    }))
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

/// The application from --app or CACHECTL_APP, if any.
pub fn resolve_app(args: &AppArgs, timeouts: &Timeouts) -> Result<Option<App>, CliError> {
    let text = match &args.app {
        Some(a) => a.clone(),
        None => match std::env::var("CACHECTL_APP") {
            Ok(a) if !a.trim().is_empty() => a,
            _ => return Ok(None),
        },
    };
    let base = App::parse_base(&text).map_err(CliError::Usage)?;
    if args.interval + timeouts.command >= timeouts.overall {
        return Err(CliError::Usage(format!(
            "--interval {:?} plus --command-timeout {:?} does not fit in --timeout {:?}",
            args.interval, timeouts.command, timeouts.overall
        )));
    }
    let ca_pem = match &args.app_ca {
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            CliError::Usage(format!("--app-ca: cannot read {}: {e}", path.display()))
        })?),
        None => None,
    };
    // A CA file that is not PEM is a bad argument, not an application fault.
    let app = App::new(
        base,
        timeouts.connect,
        timeouts.command,
        args.interval,
        ca_pem.as_deref(),
    )
    .map_err(CliError::Usage)?;
    Ok(Some(app))
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
