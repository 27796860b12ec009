//! Turning the shared flag groups into what the engine works with: the
//! target, the time limits, the application, the runbooks, the mutation
//! policy. Every command resolves its flags here, before any I/O.

use std::io::BufRead;
use std::time::Duration;

use crate::cli::{AppArgs, CommonArgs, FixArgs, MutationArgs, RunbookArgs, TargetArgs, WriteArgs};
use crate::engine::writer::WriteSettings;
use crate::engine::DoorSettings;
use crate::error::CliError;
use crate::http::probe::App;
use crate::mutate::audit::AuditLog;
use crate::mutate::{confirm, Mode, Policy};
use crate::runbook::RunbookSet;
use crate::target::{self, SentinelTarget, TargetInputs, TargetSpec, Timeouts, TlsOptions, Via};

/// The whole run's deadline when `--timeout` is not given: diagnosis is
/// seconds of work.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// ... and for a command whose work grows with the data (flush, warm).
pub const LONG_TIMEOUT: Duration = Duration::from_secs(3600);

/// A front door's settings: its target, the time limits, the runbooks
/// and `--fix`.
pub fn door(args: &CommonArgs, command: &'static str) -> Result<DoorSettings, CliError> {
    let policy = fix_policy(&args.fix)?;
    Ok(DoorSettings {
        spec: target(&args.target)?,
        timeouts: timeouts(&args.target),
        runbook_dirs: args.runbooks.dirs.clone(),
        tuning: args.runbooks.tuning.clone(),
        policy,
        format: args.output.format(),
        command,
    })
}

/// A writing command's settings: the target, the time limits (`long` for
/// a command whose work grows with the data), the mutation policy.
pub fn writer(
    command: &'static str,
    args: &WriteArgs,
    long: bool,
    asks: Asks,
) -> Result<WriteSettings, CliError> {
    let (target_args, output) = (&args.target, &args.output);
    let spec = target(target_args)?;
    let policy = policy(&args.mutation).map_err(|e| match e {
        // Without a terminal: the flags that would do it, whole.
        CliError::Usage(why) if why.starts_with(NO_TERMINAL) => {
            let consent = match asks {
                Asks::Safe => String::new(),
                Asks::Destructive => format!(" --confirm-destructive {}", spec.addr),
                Asks::DestructiveInDb => format!(" --confirm-destructive {}/{}", spec.addr, spec.db),
            };
            CliError::Usage(format!(
                "{command} needs a terminal to ask before it writes (stdin and stderr), and there is none: add --yes{consent} to go ahead without asking, or --dry-run to see what it would do"
            ))
        }
        e => e,
    })?;
    Ok(WriteSettings {
        spec,
        timeouts: if long {
            timeouts_or(target_args, LONG_TIMEOUT)
        } else {
            timeouts(target_args)
        },
        policy,
        format: output.format(),
        command,
    })
}

/// The time limits; no single step may outlast the whole run.
pub fn timeouts(args: &TargetArgs) -> Timeouts {
    timeouts_or(args, DEFAULT_TIMEOUT)
}

/// The time limits of a command whose run lasts `default` unless
/// `--timeout` says otherwise.
pub fn timeouts_or(args: &TargetArgs, default: Duration) -> Timeouts {
    let overall = args.timeout.unwrap_or(default);
    Timeouts {
        connect: args.connect_timeout.min(overall),
        command: args.command_timeout.min(overall),
        overall,
    }
}

pub fn target(args: &TargetArgs) -> Result<TargetSpec, CliError> {
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
    let mut spec = target::resolve(TargetInputs {
        url: args.url.as_deref(),
        socket: args.socket.clone(),
        password_from_stdin,
        context_password: args.context_password.clone(),
        tls_options: TlsOptions {
            ca_file: args.tls_ca.clone(),
            cert_file: args.tls_cert.clone(),
            key_file: args.tls_key.clone(),
        },
        env: &env,
    })
    .map_err(CliError::Usage)?;
    spec.max_reply = args.max_reply;
    if let Some(db) = args.db {
        spec.db = db;
    }
    if let (Some(list), Some(master)) = (&args.sentinel, &args.master) {
        let sentinels = target::parse_sentinels(list)
            .map_err(|e| CliError::Usage(format!("--sentinel: {e}")))?;
        spec.addr = sentinels[0].clone();
        spec.via = Via::Sentinel(SentinelTarget {
            sentinels,
            master: master.clone(),
            username: None,
            password: None,
        });
    } else if args.cluster {
        spec.via = Via::Cluster;
    }
    if let Via::Sentinel(s) = &mut spec.via {
        s.username = env("CACHECTL_SENTINEL_USER").filter(|u| !u.is_empty());
        s.password = env("CACHECTL_SENTINEL_PASSWORD")
            .filter(|p| !p.is_empty())
            .map(crate::secret::Secret::new);
    }
    Ok(spec)
}

/// The application from --app or CACHECTL_APP, if any, for diagnose: its
/// /metrics scraped twice `interval` apart, each request within
/// --app-timeout (default --command-timeout).
pub fn app(
    args: &AppArgs,
    interval: Duration,
    timeouts: &Timeouts,
) -> Result<Option<App>, CliError> {
    if args.app.as_ref().is_none_or(|a| a.trim().is_empty()) {
        return Ok(None);
    }
    let request = args.app_timeout.unwrap_or(timeouts.command);
    if interval + request >= timeouts.overall {
        return Err(CliError::Usage(format!(
            "--interval {interval:?} plus the application's request timeout {request:?} does not fit in --timeout {:?}",
            timeouts.overall
        )));
    }
    app_client(args, request, interval, timeouts).map(Some)
}

/// The application's HTTP client from its flags: a client for absolute
/// URLs (http://localhost/ as its base) when there is no --app.
pub fn app_client(
    args: &AppArgs,
    request_timeout: Duration,
    interval: Duration,
    timeouts: &Timeouts,
) -> Result<App, CliError> {
    let client = AppClient {
        ca: args.app_ca.as_deref(),
        follow_redirects: args.app_follow_redirects,
        interval,
        max_body: args.max_body,
        request_timeout: args.app_timeout.unwrap_or(request_timeout),
    };
    let base = args.app.as_deref().filter(|a| !a.trim().is_empty());
    let mut app = client.build(base.unwrap_or("http://localhost/"), timeouts)?;
    for m in &args.app_metric {
        app.metrics
            .add(m)
            .map_err(|e| CliError::Usage(format!("--app-metric {e}")))?;
    }
    headers(&args.app_header, &mut app)?;
    Ok(app)
}

/// Applies --app-header: NAME=ENV_VAR, the variable set and not empty.
fn headers(given: &[String], app: &mut App) -> Result<(), CliError> {
    for h in given {
        let bad = |why: &str| CliError::Usage(format!("--app-header `{h}`: {why}"));
        let (name, var) = h
            .split_once('=')
            .ok_or_else(|| bad("expected NAME=ENV_VAR, e.g. Authorization=APP_AUTH"))?;
        let (name, var) = (name.trim(), var.trim());
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(bad(&format!("`{name}` is not a header name")));
        }
        match std::env::var(var) {
            Ok(v) if !v.is_empty() => crate::secret::register(&v),
            _ => return Err(bad(&format!("${var} is not set"))),
        }
        app.headers.push((
            name.to_string(),
            crate::runbook::model::HeaderDef {
                env: var.to_string(),
                prefix: String::new(),
            },
        ));
    }
    Ok(())
}

/// How the HTTP client of an application is built.
struct AppClient<'a> {
    ca: Option<&'a std::path::Path>,
    follow_redirects: bool,
    interval: Duration,
    max_body: u64,
    request_timeout: Duration,
}

impl AppClient<'_> {
    /// The client of the application at `base`.
    fn build(&self, base: &str, timeouts: &Timeouts) -> Result<App, CliError> {
        let base = App::parse_base(base).map_err(CliError::Usage)?;
        let ca_pem = match self.ca {
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                CliError::Usage(format!("--app-ca: cannot read {}: {e}", path.display()))
            })?),
            None => None,
        };
        // A CA file that is not PEM is a bad argument, not an application fault.
        App::new(
            base,
            timeouts.connect,
            self.request_timeout,
            self.interval,
            self.max_body,
            self.follow_redirects,
            ca_pem.as_deref(),
        )
        .map_err(CliError::Usage)
    }
}

/// Loads the runbooks and applies --only / --skip (the gate always stays),
/// rejecting unknown ids.
pub fn runbooks(
    args: &RunbookArgs,
    only: &[String],
    skip: &[String],
) -> Result<RunbookSet, CliError> {
    crate::runbook::load_tuned(&args.dirs, &args.tuning)?.select(only, skip)
}

/// The mutation policy of a command whose writes come with `--fix`: none
/// without it, and a mutation flag without it is a usage error.
pub fn fix_policy(args: &FixArgs) -> Result<Option<Policy>, CliError> {
    let (fix, args) = (args.fix, &args.mutation);
    if !fix {
        if let Some(flag) = args.given() {
            return Err(CliError::Usage(format!("{flag} needs --fix")));
        }
        return Ok(None);
    }
    policy(args).map(Some)
}

/// What consent a writing command's write needs, for the refusal without
/// a terminal to name the flags that give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asks {
    /// Safe writes: --yes is enough.
    Safe,
    /// Destructive ones on the node: --confirm-destructive NODE too.
    Destructive,
    /// Destructive ones in a database: --confirm-destructive NODE/DB.
    DestructiveInDb,
}

const NO_TERMINAL: &str = "writing needs a terminal";

/// The mutation policy, checked before anything touches the network.
pub fn policy(args: &MutationArgs) -> Result<Policy, CliError> {
    let mode = if args.dry_run {
        Mode::DryRun
    } else if args.yes {
        Mode::Yes
    } else if confirm::interactive() {
        Mode::Interactive
    } else {
        return Err(CliError::Usage(
            format!("{NO_TERMINAL} to ask before each change, and there is none: add --yes to apply only safe changes without asking, or --dry-run to print the plan"),
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
    let (confirm_destructive, confirm_db) = match args.confirm_destructive.as_deref() {
        Some(text) => {
            let (node, db) = crate::mutate::node_and_db(text)
                .map_err(|e| CliError::Usage(format!("--confirm-destructive: {e}")))?;
            (Some(node), db)
        }
        None => (None, None),
    };
    Ok(Policy {
        mode,
        confirm_destructive,
        confirm_db,
        audit,
    })
}
