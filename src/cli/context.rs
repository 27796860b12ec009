//! Named contexts: a team names its caches once, in a config file, and
//! `--context NAME` (or `CACHECTL_CONTEXT`) fills in what flags and the
//! environment leave unsaid: the target (URL, Sentinels, a Cluster seed,
//! TLS files), where its password comes from (never the password itself),
//! the application and its headers, runbook directories, thresholds and
//! checks to skip.
//!
//! Files, both read, the project's winning a name both define:
//! `$XDG_CONFIG_HOME/cachectl/config.yaml` (else `~/.config/...`), and
//! `.cachectl.yaml` found upward from the working directory. A mistake is
//! a `file:line:column` error, exit 3.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::{AppArgs, Cli, Command, DiagnoseArgs, FleetMember, RunbookArgs, TargetArgs};
use crate::error::CliError;
use crate::runbook::load::{parse_yaml, LoadError};
use crate::secret::Secret;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    contexts: BTreeMap<String, ContextDef>,
}

/// One context as the file says it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextDef {
    /// A Redis URL, without a password (`redis://app@cache-01:6379/0`).
    url: Option<Spanned<String>>,
    socket: Option<PathBuf>,
    db: Option<i64>,
    /// Sentinels, `host:port,...` or a list, with `master`.
    sentinel: Option<Sentinels>,
    master: Option<String>,
    /// The URL is a seed of a Redis Cluster.
    #[serde(default)]
    cluster: bool,
    password: Option<Spanned<PasswordDef>>,
    tls: Option<TlsDef>,
    app: Option<AppDef>,
    /// Directories of extra runbooks, relative to the file.
    #[serde(default)]
    runbooks: Vec<PathBuf>,
    /// Per runbook, thresholds of its own: `out-of-memory: {memory_high: 0.85}`.
    #[serde(default)]
    thresholds: Option<Spanned<BTreeMap<String, BTreeMap<String, f64>>>>,
    /// Check ids to leave out.
    #[serde(default)]
    skip: Option<Spanned<Vec<String>>>,
}

impl ContextDef {
    fn thresholds(&self) -> impl Iterator<Item = (&String, &BTreeMap<String, f64>)> {
        self.thresholds.iter().flat_map(|t| t.value.iter())
    }

    fn skip(&self) -> &[String] {
        self.skip.as_ref().map_or(&[], |s| s.value.as_slice())
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Sentinels {
    List(Vec<String>),
    Text(String),
}

/// Where a password comes from: exactly one of them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordDef {
    /// An environment variable.
    env: Option<String>,
    /// A file: its first line.
    file: Option<PathBuf>,
    /// A command (a secret manager's CLI) and its arguments: its first
    /// line of output.
    command: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsDef {
    ca: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppDef {
    url: String,
    ca: Option<PathBuf>,
    /// Header name: the environment variable holding its value.
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

/// A context and the file it is in.
pub struct Found {
    pub name: String,
    pub file: PathBuf,
    pub def: ContextDef,
}

/// The config files, the user's first: those that exist.
pub fn files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let user = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    if let Some(dir) = user {
        let f = dir.join("cachectl").join("config.yaml");
        if f.is_file() {
            out.push(f);
        }
    }
    if let Ok(mut dir) = std::env::current_dir() {
        loop {
            let f = dir.join(".cachectl.yaml");
            if f.is_file() {
                out.push(f);
                break;
            }
            if !dir.pop() {
                break;
            }
        }
    }
    out
}

fn load_error(e: &LoadError) -> CliError {
    CliError::Usage(e.to_string())
}

/// Every context of every file, by name; the later file's wins.
pub fn all() -> Result<BTreeMap<String, Found>, CliError> {
    let mut out = BTreeMap::new();
    for file in files() {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
        let name = file.display().to_string();
        let parsed: ConfigFile = parse_yaml(&name, &text).map_err(|e| load_error(&e))?;
        for (ctx, def) in parsed.contexts {
            check(&name, &ctx, &def)?;
            out.insert(
                ctx.clone(),
                Found {
                    name: ctx,
                    file: file.clone(),
                    def,
                },
            );
        }
    }
    Ok(out)
}

/// What a file may not say: a password, two sources of one, two targets.
fn check(file: &str, name: &str, def: &ContextDef) -> Result<(), CliError> {
    let at = |line: u64, column: u64, what: String| {
        CliError::Usage(format!("{file}:{line}:{column}: context `{name}`: {what}"))
    };
    if let Some(url) = &def.url {
        let r = &url.referenced;
        let parsed = crate::target::parse_url(&url.value)
            .map_err(|e| at(r.line(), r.column(), format!("url: {e}")))?;
        if parsed.password.is_some() {
            return Err(at(
                r.line(),
                r.column(),
                "url carries a password: say where it comes from instead (password: {env: VAR}, {file: PATH} or {command: [...]})".into(),
            ));
        }
    }
    if let Some(pw) = &def.password {
        let p = &pw.value;
        let given = usize::from(p.env.is_some())
            + usize::from(p.file.is_some())
            + usize::from(p.command.as_ref().is_some_and(|c| !c.is_empty()));
        if given != 1 {
            let r = &pw.referenced;
            return Err(at(
                r.line(),
                r.column(),
                "password: give exactly one of env, file or command".into(),
            ));
        }
    }
    let targets = usize::from(def.url.is_some() || def.cluster)
        + usize::from(def.socket.is_some())
        + usize::from(def.sentinel.is_some());
    if targets > 1 || def.sentinel.is_some() != def.master.is_some() {
        return Err(CliError::Usage(format!(
            "{file}: context `{name}`: name one target: url (with cluster: true for a Cluster seed), socket, or sentinel with master"
        )));
    }
    Ok(())
}

/// The context `name`, or a usage error naming those there are.
pub fn find(name: &str) -> Result<Found, CliError> {
    let mut all = all()?;
    all.remove(name).ok_or_else(|| {
        let files: Vec<String> = files().iter().map(|f| f.display().to_string()).collect();
        let known: Vec<String> = all.into_keys().collect();
        CliError::Usage(format!(
            "--context {name}: no such context (files read: {}; contexts: {})",
            if files.is_empty() {
                "none".into()
            } else {
                files.join(", ")
            },
            if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            }
        ))
    })
}

impl Found {
    /// A path of the file, relative to its directory.
    fn path(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.file.parent().unwrap_or_else(|| Path::new(".")).join(p)
        }
    }

    fn origin(&self) -> String {
        format!("context `{}` in {}", self.name, self.file.display())
    }

    /// Where the target is, as a line for people (no secret in it).
    pub fn target(&self) -> String {
        let d = &self.def;
        match (&d.url, &d.socket, &d.sentinel, &d.master) {
            (_, _, Some(s), Some(m)) => format!("sentinel {} master {m}", sentinels(s)),
            (_, Some(p), _, _) => format!("unix:{}", p.display()),
            (Some(u), _, _, _) if d.cluster => format!("cluster {}", u.value),
            (Some(u), _, _, _) => u.value.clone(),
            _ => "(none)".into(),
        }
    }

    /// The rest of the context, a line each, for `context show`.
    pub fn details(&self) -> String {
        use std::fmt::Write as _;
        let d = &self.def;
        let mut out = String::new();
        if let Some(db) = d.db {
            let _ = writeln!(out, "db        {db}");
        }
        if let Some(tls) = &d.tls {
            for (what, p) in [
                ("tls ca", &tls.ca),
                ("tls cert", &tls.cert),
                ("tls key", &tls.key),
            ] {
                if let Some(p) = p {
                    let _ = writeln!(out, "{what:<9} {}", self.path(p).display());
                }
            }
        }
        if let Some(app) = &d.app {
            let _ = writeln!(out, "app       {}", app.url);
            for (name, var) in &app.headers {
                let _ = writeln!(out, "header    {name}: from environment variable {var}");
            }
        }
        for r in &d.runbooks {
            let _ = writeln!(out, "runbooks  {}", self.path(r).display());
        }
        for (rb, t) in d.thresholds() {
            for (name, v) in t {
                let _ = writeln!(out, "threshold {rb}.{name} = {v}");
            }
        }
        for c in d.skip() {
            let _ = writeln!(out, "skip      {c}");
        }
        out
    }

    /// Where the password comes from, for people.
    pub fn password_source(&self) -> String {
        match self.def.password.as_ref().map(|p| &p.value) {
            Some(PasswordDef { env: Some(v), .. }) => format!("env {v}"),
            Some(PasswordDef { file: Some(f), .. }) => format!("file {}", self.path(f).display()),
            Some(PasswordDef {
                command: Some(c), ..
            }) => format!("command {}", c.join(" ")),
            _ => "none".into(),
        }
    }

    /// The password, from where the context says.
    fn password(&self) -> Result<Option<Secret>, CliError> {
        let Some(p) = self.def.password.as_ref().map(|p| &p.value) else {
            return Ok(None);
        };
        let fail = |what: String| CliError::Usage(format!("{}: password: {what}", self.origin()));
        let text = if let Some(var) = &p.env {
            std::env::var(var)
                .map_err(|_| fail(format!("environment variable {var} is not set")))?
        } else if let Some(file) = &p.file {
            let path = self.path(file);
            std::fs::read_to_string(&path)
                .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?
        } else {
            run_command(p.command.as_deref().unwrap_or_default()).map_err(fail)?
        };
        let first = text
            .lines()
            .next()
            .unwrap_or_default()
            .trim_end()
            .to_string();
        if first.is_empty() {
            return Err(fail(format!(
                "{} gave an empty password",
                self.password_source()
            )));
        }
        Ok(Some(Secret::new(first)))
    }
}

fn sentinels(s: &Sentinels) -> String {
    match s {
        Sentinels::List(l) => l.join(","),
        Sentinels::Text(t) => t.clone(),
    }
}

/// A secret manager's CLI: its first line of output, within 10 s. Neither
/// its output nor its error output is ever printed.
fn run_command(argv: &[String]) -> Result<String, String> {
    let (program, args) = argv.split_first().ok_or("command is empty")?;
    let mut child = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    let end = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut out = String::new();
                if let Some(mut o) = child.stdout.take() {
                    let _ = std::io::Read::read_to_string(&mut o, &mut out);
                }
                return if status.success() {
                    Ok(out)
                } else {
                    Err(format!("`{program}` failed ({status})"))
                };
            }
            Ok(None) if std::time::Instant::now() < end => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("`{program}` did not finish within 10 s"));
            }
        }
    }
}

/// Fills in what the flags and the environment of `cli` leave unsaid from
/// its `--context`, if it names one.
pub fn apply(cli: &mut Cli) -> Result<(), CliError> {
    if let Command::Diagnose(a) = &mut cli.command {
        let a = a.as_mut();
        let names = cli.context.as_deref().filter(|c| c.contains(','));
        if a.all_contexts || a.targets.is_some() || names.is_some() {
            a.fleet = fleet(a, names)?;
            return Ok(());
        }
    }
    let Some(name) = cli.context.clone() else {
        return Ok(());
    };
    if name.contains(',') {
        return Err(CliError::Usage(format!(
            "--context {name}: a list of contexts is a fleet, which diagnose runs; other commands take one"
        )));
    }
    let found = find(&name)?;
    let (target, app, runbooks) = parts(&mut cli.command);
    if let Some(t) = target {
        fill_target(t, &found, false)?;
    }
    if let Some(a) = app {
        fill_app(a, &found);
    }
    if let Some(r) = runbooks {
        fill_runbooks(r, &found);
    }
    Ok(())
}

/// The groups of a command a context fills.
fn parts(
    cmd: &mut Command,
) -> (
    Option<&mut TargetArgs>,
    Option<&mut AppArgs>,
    Option<&mut RunbookArgs>,
) {
    match cmd {
        Command::Diagnose(a) => {
            let a = a.as_mut();
            (Some(&mut a.target), Some(&mut a.app), Some(&mut a.runbooks))
        }
        Command::Memory(a) => {
            let c = &mut a.as_mut().common;
            (Some(&mut c.target), None, Some(&mut c.runbooks))
        }
        Command::Clients(a) => {
            let a = a.as_mut();
            match &mut a.action {
                Some(super::ClientsCommand::Kill(k)) => (Some(&mut k.write.target), None, None),
                None => (
                    Some(&mut a.common.target),
                    None,
                    Some(&mut a.common.runbooks),
                ),
            }
        }
        Command::Slowlog(a) => {
            let c = a.as_mut();
            (Some(&mut c.target), None, Some(&mut c.runbooks))
        }
        Command::Latency(a) => {
            let c = &mut a.as_mut().common;
            (Some(&mut c.target), None, Some(&mut c.runbooks))
        }
        Command::Hotkeys(a) => {
            let c = &mut a.as_mut().common;
            (Some(&mut c.target), None, Some(&mut c.runbooks))
        }
        Command::Watch(a) => {
            let a = a.as_mut();
            (Some(&mut a.target), None, Some(&mut a.runbooks))
        }
        Command::Flush(a) => (Some(&mut a.as_mut().write.target), None, None),
        Command::Warm(a) => {
            let a = a.as_mut();
            (
                Some(&mut a.write.target),
                Some(&mut a.app),
                Some(&mut a.runbooks),
            )
        }
        Command::Snapshot(a) => {
            let a = a.as_mut();
            (Some(&mut a.target), Some(&mut a.app), Some(&mut a.runbooks))
        }
        Command::Failover(a) => {
            let a = a.as_mut();
            (Some(&mut a.write.target), Some(&mut a.app), None)
        }
        Command::Runbook(_)
        | Command::Completions { .. }
        | Command::Context(_)
        | Command::Lab(_) => (None, None, None),
    }
}

/// The environment names a target: it wins over a context.
fn env_names_target() -> bool {
    ["CACHECTL_URL", "REDIS_URL", "REDIS_HOST", "REDIS_PORT"]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|x| !x.trim().is_empty()))
}

fn fill_target(t: &mut TargetArgs, found: &Found, fleet: bool) -> Result<(), CliError> {
    let d = &found.def;
    let flags_name_target =
        t.url.is_some() || t.socket.is_some() || t.sentinel.is_some() || t.cluster;
    // A target named by flags or the environment is not the context's: its
    // password source is not asked (a secret goes only where it is for).
    // A fleet's members are each their context's target.
    let own = !flags_name_target && (fleet || !env_names_target());
    if own {
        // Through Sentinels the nodes' credentials and database still
        // come from the URL.
        t.url = d.url.as_ref().map(|u| u.value.clone());
        if let (Some(s), Some(m)) = (&d.sentinel, &d.master) {
            t.sentinel = Some(sentinels(s));
            t.master = Some(m.clone());
        } else {
            t.socket = d.socket.as_ref().map(|p| found.path(p));
            t.cluster = d.cluster;
        }
    }
    if t.db.is_none() {
        t.db = d.db;
    }
    if let Some(tls) = &d.tls {
        if t.tls_ca.is_none() {
            t.tls_ca = tls.ca.as_ref().map(|p| found.path(p));
        }
        if t.tls_cert.is_none() && t.tls_key.is_none() {
            t.tls_cert = tls.cert.as_ref().map(|p| found.path(p));
            t.tls_key = tls.key.as_ref().map(|p| found.path(p));
        }
    }
    // The password: the URL's, --password-stdin and the environment win;
    // asked of its source only when none of them gives one.
    let env_password = ["REDISCLI_AUTH", "REDIS_PASSWORD"]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|x| !x.is_empty()));
    if own && !t.password_stdin && !env_password && d.password.is_some() {
        t.context_password = found.password()?;
    }
    Ok(())
}

fn fill_app(a: &mut AppArgs, found: &Found) {
    let Some(app) = &found.def.app else { return };
    if a.app.is_none() {
        a.app = Some(app.url.clone());
    }
    if a.app_ca.is_none() {
        a.app_ca = app.ca.as_ref().map(|p| found.path(p));
    }
    if a.app_header.is_empty() {
        a.app_header = app
            .headers
            .iter()
            .map(|(name, var)| format!("{name}={var}"))
            .collect();
    }
}

fn fill_runbooks(r: &mut RunbookArgs, found: &Found) {
    let d = &found.def;
    if r.dirs.is_empty() {
        r.dirs = d.runbooks.iter().map(|p| found.path(p)).collect();
    }
    let at = |r: &serde_saphyr::Location| {
        format!("{}:{}:{}", found.file.display(), r.line(), r.column())
    };
    r.tuning = crate::runbook::Tuning {
        thresholds: d
            .thresholds()
            .flat_map(|(rb, t)| t.iter().map(move |(n, v)| (rb.clone(), n.clone(), *v)))
            .collect(),
        skip_checks: d.skip().to_vec(),
        from: format!("context `{}`", found.name),
        thresholds_at: d
            .thresholds
            .as_ref()
            .map(|t| at(&t.referenced))
            .unwrap_or_default(),
        skip_at: d
            .skip
            .as_ref()
            .map(|s| at(&s.referenced))
            .unwrap_or_default(),
    };
}

/// The members of a fleet: the contexts named (`--context a,b`), all of
/// them (`--all-contexts`) or those of `--targets FILE`, each with `base`'s
/// flags and its own context applied. A member whose context cannot be
/// applied (its password command failed) is one that says why.
fn fleet(base: &DiagnoseArgs, names: Option<&str>) -> Result<Vec<FleetMember>, CliError> {
    let t = &base.target;
    if t.url.is_some() || t.socket.is_some() || t.sentinel.is_some() || t.cluster {
        return Err(CliError::Usage(
            "a fleet names its own targets: drop --url, --socket, --sentinel and --cluster".into(),
        ));
    }
    if base.fix.fix || base.record_facts.is_some() {
        return Err(CliError::Usage(
            "--fix and --record-facts are for one target, not a fleet".into(),
        ));
    }
    let mut base = base.clone();
    base.fleet.clear();
    let found: Vec<Found> = if let Some(path) = &base.targets {
        match targets_file(path)? {
            Targets::Contexts(found) => found,
            Targets::Urls(urls) => {
                return Ok(urls
                    .into_iter()
                    .map(|url| {
                        let mut args = base.clone();
                        args.target.url = Some(url.clone());
                        let name = crate::target::parse_url(&url)
                            .map_or_else(|_| url.clone(), |s| s.redacted_url());
                        FleetMember {
                            name,
                            args: Ok(Box::new(args)),
                        }
                    })
                    .collect())
            }
        }
    } else if let Some(names) = names {
        names
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(find)
            .collect::<Result<_, _>>()?
    } else {
        all()?.into_values().collect()
    };
    if found.is_empty() {
        return Err(CliError::Usage(
            "the fleet has no target: no context in the config files (cachectl context list)"
                .into(),
        ));
    }
    Ok(found
        .iter()
        .map(|f| {
            let mut args = base.clone();
            let applied = fill_target(&mut args.target, f, true).map(|()| {
                fill_app(&mut args.app, f);
                fill_runbooks(&mut args.runbooks, f);
                Box::new(args)
            });
            FleetMember {
                name: f.name.clone(),
                args: applied.map_err(|e| e.to_string()),
            }
        })
        .collect())
}

enum Targets {
    Contexts(Vec<Found>),
    Urls(Vec<String>),
}

/// `--targets FILE`: a config file's contexts (its first line that says
/// anything is `contexts:`), or a Redis URL a line.
fn targets_file(path: &Path) -> Result<Targets, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("--targets {}: {e}", path.display())))?;
    let meaningful = |l: &&str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    if text
        .lines()
        .find(meaningful)
        .is_some_and(|l| l.trim_start().starts_with("contexts:"))
    {
        let name = path.display().to_string();
        let parsed: ConfigFile = parse_yaml(&name, &text).map_err(|e| load_error(&e))?;
        let mut out = Vec::new();
        for (ctx, def) in parsed.contexts {
            check(&name, &ctx, &def)?;
            out.push(Found {
                name: ctx,
                file: path.to_path_buf(),
                def,
            });
        }
        return Ok(Targets::Contexts(out));
    }
    let mut urls = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.split(" #").next().unwrap_or_default().trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        crate::target::parse_url(l)
            .map_err(|e| CliError::Usage(format!("{}:{}:1: {e}", path.display(), i + 1)))?;
        urls.push(l.to_string());
    }
    Ok(Targets::Urls(urls))
}
