//! Loading runbooks: YAML into the model, then validation of everything a
//! YAML parser cannot see (expressions, facts, templates, ids). Every error
//! says file:line:column and what was expected.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde_saphyr::Spanned;

use super::command::CommandTemplate;
use super::expr::{self, Expression, HTTP_ROOT, THRESHOLD_ROOT};
use super::model::{CheckDef, CheckHead, RunbookFile, ThresholdDef};
use super::step::{self, HttpStep};
use super::template::Template;
use crate::error::CliError;
use crate::facts::catalog::{Field, Shape};
use crate::model::{FixKind, Safety, Severity};
use serde_json::value::RawValue;

/// The runbook every selection keeps (every front door, every `--only`):
/// whether the target is reachable, authenticated and Redis. Without it a
/// run that reached nothing would have nothing to say, and say OK.
pub const GATE: &str = "redis-unreachable";

/// A runbook that loaded and validated.
#[derive(Debug)]
pub struct Runbook {
    pub id: String,
    pub title: String,
    pub source: String,
    pub description: String,
    pub symptoms: Vec<String>,
    pub thresholds: BTreeMap<String, ThresholdDef>,
    /// What it is about (`memory`, ...).
    pub topics: Vec<String>,
    /// Requests this runbook makes to the application.
    pub http: Vec<HttpStep>,
    pub checks: Vec<Check>,
    /// `built-in` or the file it was read from.
    pub origin: String,
    /// A user runbook that took the place of the built-in one of its id.
    pub replaces_builtin: bool,
    /// The YAML text, for `runbook show`.
    pub text: String,
}

pub struct Check {
    pub id: String,
    pub title: String,
    pub when: Expression,
    pub severity: Severity,
    pub score: u8,
    /// The Redis version it needs (`7.0`), if any.
    pub requires_redis: Option<String>,
    /// What must hold for not firing to count as passing, and why not.
    pub needs: Option<(Expression, Template)>,
    /// What it says and offers when it fires.
    said: OnceLock<Said>,
    /// A built-in check's definition, until `said` is compiled from it.
    deferred: Option<Box<Deferred>>,
}

/// Shows what the check is, whichever way it was loaded: not the
/// definition it keeps until its `said` is compiled.
impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.id)
            .field("title", &self.title)
            .field("when", &self.when)
            .field("severity", &self.severity)
            .field("score", &self.score)
            .field("requires_redis", &self.requires_redis)
            .field("needs", &self.needs)
            .field("said", &self.said)
            .finish_non_exhaustive()
    }
}

/// What a check says and offers when it fires: its evidence, message and
/// fixes. A runbook file has them compiled, and so validated, as it loads;
/// a built-in runbook on first use, since a healthy run needs none of them
/// (the tests compile every built-in check whole, both ways).
#[derive(Debug)]
pub struct Said {
    pub evidence: Vec<(String, Expression)>,
    pub message: Template,
    pub fixes: Vec<Fix>,
}

/// What compiling a built-in check's `Said` later needs: its JSON, kept
/// raw (borrowed from the binary) until then.
#[derive(Debug)]
struct Deferred {
    file: String,
    raw: &'static RawValue,
    roots: Arc<[Field]>,
}

impl Check {
    /// The evidence, message and fixes, compiled now if not yet.
    pub fn said(&self) -> &Said {
        self.said.get_or_init(|| {
            let d = self
                .deferred
                .as_ref()
                .expect("a check whose `said` is not compiled keeps its definition");
            let cx = Ctx { file: &d.file };
            serde_json::from_str::<CheckDef>(d.raw.get())
                .map_err(|e| cx.json_error(&e))
                .and_then(|def| compile_said(&cx, &def, &d.roots))
                .unwrap_or_else(|e| {
                    panic!(
                        "built-in check `{}` does not compile (the tests compile every one): {e}",
                        self.id
                    )
                })
        })
    }

    pub fn evidence(&self) -> &[(String, Expression)] {
        &self.said().evidence
    }

    pub fn message(&self) -> &Template {
        &self.said().message
    }

    pub fn fixes(&self) -> &[Fix] {
        &self.said().fixes
    }

    /// HTTP steps the condition or the evidence reads.
    pub fn http_steps(&self) -> impl Iterator<Item = &str> {
        self.when
            .http_steps()
            .iter()
            .chain(
                self.evidence()
                    .iter()
                    .flat_map(|(_, e)| e.http_steps().iter()),
            )
            .map(String::as_str)
    }
}

#[derive(Debug)]
pub struct Fix {
    pub id: String,
    pub title: String,
    pub safety: Safety,
    pub kind: FixKind,
    pub commands: Vec<CommandTemplate>,
    /// The request of an `http` fix.
    pub request: Option<step::HttpRequest>,
    pub verify: Option<Expression>,
}

/// How a context adjusts the runbooks: thresholds of its own, checks it
/// leaves out (`cli::context`).
#[derive(Debug, Clone, Default)]
pub struct Tuning {
    /// (runbook, threshold, value).
    pub thresholds: Vec<(String, String, f64)>,
    pub skip_checks: Vec<String>,
    /// What it comes from (`context prod`), and where in its file the
    /// thresholds and the skipped checks are (`file:line:column`).
    pub from: String,
    pub thresholds_at: String,
    pub skip_at: String,
}

/// The runbooks a run uses, in a stable order.
#[derive(Debug, Default)]
pub struct RunbookSet {
    pub runbooks: Vec<Runbook>,
}

impl From<LoadError> for CliError {
    fn from(e: LoadError) -> CliError {
        CliError::Runbook(e.to_string())
    }
}

impl RunbookSet {
    pub fn get(&self, id: &str) -> Option<&Runbook> {
        self.runbooks.iter().find(|r| r.id == id)
    }

    /// Only the runbooks about `topic`, and the gate.
    pub fn with_topic(mut self, topic: &str) -> RunbookSet {
        self.runbooks
            .retain(|r| r.id == GATE || r.topics.iter().any(|t| t == topic));
        self
    }

    /// Only the runbooks `only` names (all when empty) but those `skip`
    /// names, and the gate whatever they say: a selection cannot leave out
    /// the runbook that says whether the target could be read at all.
    pub fn select(mut self, only: &[String], skip: &[String]) -> Result<RunbookSet, CliError> {
        for id in only.iter().chain(skip) {
            self.require(id)?;
        }
        if skip.iter().any(|id| id == GATE) {
            return Err(CliError::Usage(format!(
                "--skip {GATE}: it says whether the target is reachable, authenticated and Redis, and every run needs that before any other verdict"
            )));
        }
        self.runbooks.retain(|r| {
            r.id == GATE || ((only.is_empty() || only.contains(&r.id)) && !skip.contains(&r.id))
        });
        Ok(self)
    }

    /// The set as `tuning` says (a context of the config file): thresholds
    /// set, checks left out. An unknown runbook, threshold or check, or a
    /// check of the gate, is an error naming it.
    pub fn tuned(mut self, tuning: &Tuning) -> Result<RunbookSet, String> {
        for (runbook, name, value) in &tuning.thresholds {
            let Some(rb) = self.runbooks.iter_mut().find(|r| &r.id == runbook) else {
                return Err(format!("thresholds: no runbook `{runbook}`"));
            };
            let known: Vec<String> = rb.thresholds.keys().cloned().collect();
            let Some(t) = rb.thresholds.get_mut(name) else {
                return Err(format!(
                    "thresholds: runbook `{runbook}` has no threshold `{name}`; it has: {}",
                    known.join(", ")
                ));
            };
            t.source = format!("{} (the runbook's {})", tuning.from, t.value);
            t.value = *value;
        }
        for check in &tuning.skip_checks {
            let Some(rb) = self
                .runbooks
                .iter_mut()
                .find(|r| r.checks.iter().any(|c| &c.id == check))
            else {
                return Err(format!("skip: no check `{check}` in any runbook"));
            };
            if rb.id == GATE {
                return Err(format!(
                    "skip: `{check}` is a check of {GATE}, which says whether the target could be read at all"
                ));
            }
            rb.checks.retain(|c| &c.id != check);
        }
        Ok(self)
    }

    /// A runbook's threshold, if the runbook and the threshold are there.
    pub fn threshold(&self, runbook: &str, name: &str) -> Option<f64> {
        self.get(runbook)?.thresholds.get(name).map(|t| t.value)
    }

    /// User runbooks that replace built-in ones: `id (from file)`.
    pub fn overrides(&self) -> Vec<String> {
        self.runbooks
            .iter()
            .filter(|r| r.replaces_builtin)
            .map(|r| format!("{} (from {})", r.id, r.origin))
            .collect()
    }

    /// The runbook `id`, or a usage error that lists the known ones.
    pub fn require(&self, id: &str) -> Result<&Runbook, CliError> {
        self.get(id).ok_or_else(|| {
            let known: Vec<_> = self.runbooks.iter().map(|r| r.id.as_str()).collect();
            CliError::Usage(format!(
                "no runbook `{id}`; known runbooks: {}",
                known.join(", ")
            ))
        })
    }

    /// Every HTTP step of the set, once (steps sharing an id are identical).
    pub fn http_steps(&self) -> Vec<&HttpStep> {
        let mut steps: Vec<&HttpStep> = Vec::new();
        for s in self.runbooks.iter().flat_map(|r| &r.http) {
            if !steps.iter().any(|o| o.id == s.id) {
                steps.push(s);
            }
        }
        steps
    }
}

/// A load error, positioned.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

impl std::error::Error for LoadError {}

struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    /// A built-in runbook's compiled JSON that does not read (which the
    /// tests make sure never happens).
    fn json_error(&self, e: &serde_json::Error) -> LoadError {
        LoadError {
            file: self.file.to_string(),
            line: 0,
            column: 0,
            message: format!("the built-in runbook's compiled form does not read: {e}"),
        }
    }

    fn at<T>(&self, span: &Spanned<T>, message: impl Into<String>) -> LoadError {
        LoadError {
            file: self.file.to_string(),
            line: span.referenced.line(),
            column: span.referenced.column(),
            message: message.into(),
        }
    }

    fn expr(
        &self,
        span: &Spanned<String>,
        what: &str,
        roots: &[Field],
    ) -> Result<Expression, LoadError> {
        expr::compile(&span.value, roots)
            .map_err(|e| self.at(span, format!("bad expression in {what}: {e}")))
    }

    fn template(
        &self,
        span: &Spanned<String>,
        what: &str,
        evidence: &BTreeSet<&str>,
    ) -> Result<Template, LoadError> {
        let t =
            Template::parse(&span.value).map_err(|e| self.at(span, format!("bad {what}: {e}")))?;
        for field in t.fields() {
            if !evidence.contains(field) {
                let names: Vec<_> = evidence.iter().copied().collect();
                return Err(self.at(
                    span,
                    format!(
                        "{what} names `{{{field}}}`, which is not an evidence entry of this check (it has: {})",
                        if names.is_empty() { "none".to_string() } else { names.join(", ") }
                    ),
                ));
            }
        }
        Ok(t)
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Parses and validates one runbook's text. `file` names it in errors.
/// Parses a YAML document of cachectl's (a runbook, a warm plan); a
/// syntax or shape error names file:line:column.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, LoadError> {
    serde_saphyr::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        LoadError {
            file: file.to_string(),
            line,
            column,
            message: yaml_message(&e.to_string()),
        }
    })
}

pub fn load_str(file: &str, text: &str, origin: &str) -> Result<Runbook, LoadError> {
    let parsed: RunbookFile = parse_yaml(file, text)?;
    build(file, text, parsed, origin)
}

/// A built-in runbook from the JSON build.rs made of its YAML `text` (the
/// file named for errors, which tests make sure never happen). Its checks
/// are read as far as judging needs; the rest stays raw until used.
fn load_compiled(file: &str, text: &str, json: &'static str) -> Result<Runbook, LoadError> {
    let cx = Ctx { file };
    let parsed: RunbookFile<&'static RawValue> =
        serde_json::from_str(json).map_err(|e| cx.json_error(&e))?;
    build(file, text, parsed, "built-in")
}

/// A check as its runbook was read: whole from a file, or a built-in's
/// raw JSON.
trait CheckSource {
    /// The part judging needs, and what the rest compiles from.
    fn split(self, cx: &Ctx<'_>) -> Result<(CheckHead, Rest), LoadError>;
}

/// What a check's `Said` compiles from.
enum Rest {
    /// A runbook file's check: compiled (and so validated) as it loads.
    Now(Box<CheckDef>),
    /// A built-in check: compiled on first use.
    Later(&'static RawValue),
}

impl CheckSource for CheckDef {
    fn split(self, _: &Ctx<'_>) -> Result<(CheckHead, Rest), LoadError> {
        Ok((self.head(), Rest::Now(Box::new(self))))
    }
}

impl CheckSource for &'static RawValue {
    fn split(self, cx: &Ctx<'_>) -> Result<(CheckHead, Rest), LoadError> {
        let head = serde_json::from_str(self.get()).map_err(|e| cx.json_error(&e))?;
        Ok((head, Rest::Later(self)))
    }
}

/// Validates a parsed runbook and compiles its expressions.
fn build<C: CheckSource>(
    file: &str,
    text: &str,
    parsed: RunbookFile<C>,
    origin: &str,
) -> Result<Runbook, LoadError> {
    let cx = Ctx { file };
    if !valid_id(&parsed.id.value) {
        return Err(cx.at(
            &parsed.id,
            format!(
                "runbook id `{}` must be lower-case letters, digits and dashes",
                parsed.id.value
            ),
        ));
    }
    let mut http = Vec::new();
    for def in &parsed.http {
        let compiled = step::compile(def).map_err(|e| cx.at(e.at, e.message))?;
        if http.iter().any(|s: &HttpStep| s.id == compiled.id) {
            return Err(cx.at(&def.id, format!("duplicate HTTP step id `{}`", compiled.id)));
        }
        http.push(compiled);
    }
    let roots: Arc<[Field]> = local_roots(&parsed.thresholds, &http).into();
    let mut seen = BTreeSet::new();
    let mut checks = Vec::new();
    for source in parsed.checks {
        let (head, rest) = source.split(&cx)?;
        if !seen.insert(head.id.value.clone()) {
            return Err(cx.at(&head.id, format!("duplicate check id `{}`", head.id.value)));
        }
        checks.push(load_check(&cx, head, rest, &roots)?);
    }
    if checks.is_empty() {
        return Err(LoadError {
            file: file.to_string(),
            line: 0,
            column: 0,
            message: "a runbook needs at least one check".into(),
        });
    }
    Ok(Runbook {
        id: parsed.id.value,
        title: parsed.title,
        source: parsed.source,
        description: parsed.description,
        symptoms: parsed.symptoms,
        thresholds: parsed.thresholds,
        topics: parsed.topics,
        http,
        checks,
        origin: origin.to_string(),
        replaces_builtin: false,
        text: text.to_string(),
    })
}

/// The roots a runbook adds to the catalogue: its thresholds and HTTP steps.
fn local_roots(thresholds: &BTreeMap<String, ThresholdDef>, http: &[HttpStep]) -> Vec<Field> {
    vec![
        Field::new(
            THRESHOLD_ROOT,
            "this runbook's thresholds",
            Shape::Record(
                thresholds
                    .keys()
                    .map(|k| Field::new(k.clone(), "", Shape::Scalar("double")))
                    .collect(),
            ),
        ),
        Field::new(
            HTTP_ROOT,
            "responses of this runbook's HTTP steps",
            Shape::Record(
                http.iter()
                    .map(|s| Field::new(s.id.clone(), "", s.shape()))
                    .collect(),
            ),
        ),
    ]
}

/// serde-saphyr messages carry their own position ("error: line 12 column 5: ...");
/// ours leads the line, so keep only what was wrong.
fn yaml_message(text: &str) -> String {
    let first = text.lines().next().unwrap_or(text);
    let rest = first.strip_prefix("error: ").unwrap_or(first);
    if rest.starts_with("line ") {
        if let Some((_, message)) = rest.split_once(": ") {
            return message.to_string();
        }
    }
    rest.to_string()
}

/// A label below what the command or request is whatever a runbook says
/// is an error at the label.
fn below_floor(
    cx: &Ctx<'_>,
    f: &super::model::FixDef,
    what: &str,
    floor: Safety,
) -> Result<(), LoadError> {
    if f.safety.value >= floor {
        return Ok(());
    }
    Err(cx.at(
        &f.safety,
        format!(
            "fix `{}` is labelled {}, but `{what}` is {} whatever a runbook says: label it {}",
            f.id,
            f.safety.value.label(),
            floor.label(),
            floor.label()
        ),
    ))
}

fn load_check(
    cx: &Ctx<'_>,
    def: CheckHead,
    rest: Rest,
    roots: &Arc<[Field]>,
) -> Result<Check, LoadError> {
    if !valid_id(&def.id.value) {
        return Err(cx.at(
            &def.id,
            format!(
                "check id `{}` must be lower-case letters, digits and dashes",
                def.id.value
            ),
        ));
    }
    if def.score.value > 100 {
        return Err(cx.at(
            &def.score,
            format!("score {} is above 100", def.score.value),
        ));
    }
    if def.severity == Severity::Ok {
        return Err(cx.at(
            &def.id,
            "a check that fires must have severity info, warning, critical or unknown, not ok",
        ));
    }
    // A built-in's condition that reads a root only some targets have is
    // parsed when it is first judged; a runbook file's, as it loads.
    let later = matches!(rest, Rest::Later(_));
    let condition = |span: &Spanned<String>, what: &str| -> Result<Expression, LoadError> {
        if later {
            let reads = expr::roots_by_tokens(&span.value);
            if !reads.iter().all(|r| crate::facts::catalog::always_there(r)) {
                return Ok(Expression::later(&span.value, reads, roots));
            }
        }
        cx.expr(span, what, roots)
    };
    let when = condition(&def.when, "`when`")?;
    let names: BTreeSet<&str> = def.evidence.iter().map(String::as_str).collect();
    let needs = match &def.needs {
        Some(n) => Some((
            condition(&n.when, "`needs.when`")?,
            cx.template(&n.reason, "needs.reason", &names)?,
        )),
        None => None,
    };
    let requires_redis = match &def.requires_redis {
        Some(v)
            if crate::facts::server::parse_version(&v.value) == (0, 0, 0)
                || !v.value.chars().all(|c| c.is_ascii_digit() || c == '.') =>
        {
            return Err(cx.at(
                v,
                format!("requires_redis `{}` is not a version like 7.0", v.value),
            ))
        }
        Some(v) => Some(v.value.clone()),
        None => None,
    };
    let (id, title) = (def.id.value, def.title);
    let (severity, score) = (def.severity, def.score.value);
    let (said, deferred) = match rest {
        Rest::Now(def) => (OnceLock::from(compile_said(cx, &def, roots)?), None),
        Rest::Later(raw) => (
            OnceLock::new(),
            Some(Box::new(Deferred {
                file: cx.file.to_string(),
                raw,
                roots: Arc::clone(roots),
            })),
        ),
    };
    Ok(Check {
        id,
        title,
        when,
        severity,
        score,
        requires_redis,
        needs,
        said,
        deferred,
    })
}

/// Compiles a check's evidence, message and fixes.
fn compile_said(cx: &Ctx<'_>, def: &CheckDef, roots: &[Field]) -> Result<Said, LoadError> {
    let mut evidence = Vec::new();
    for (name, e) in &def.evidence {
        evidence.push((
            name.clone(),
            cx.expr(e, &format!("evidence `{name}`"), roots)?,
        ));
    }
    let names: BTreeSet<&str> = def.evidence.keys().map(String::as_str).collect();
    let message = cx.template(&def.message, "message", &names)?;
    let mut fixes = Vec::new();
    let mut fix_ids = BTreeSet::new();
    for f in &def.fixes {
        if !valid_id(&f.id) || !fix_ids.insert(f.id.clone()) {
            return Err(cx.at(
                &def.id,
                format!(
                    "fix id `{}` of check `{}` is invalid or repeated",
                    f.id, def.id.value
                ),
            ));
        }
        let request = match (f.kind, &f.request) {
            (FixKind::Http, None) => {
                return Err(cx.at(
                    &f.safety,
                    format!(
                        "fix `{}` is kind http but has no `request` (method, path, body)",
                        f.id
                    ),
                ))
            }
            (FixKind::Http, Some(_)) if !f.commands.is_empty() => {
                return Err(cx.at(
                    &f.commands[0],
                    format!(
                        "fix `{}` is kind http: it makes its `request`, it has no commands",
                        f.id
                    ),
                ))
            }
            (FixKind::Http, Some(def)) => {
                let request = step::compile_request(def).map_err(|e| cx.at(e.at, e.message))?;
                let floor = crate::floor::of_request(&request.method, &request.path);
                let shown = format!("{} {}", request.method, request.path);
                below_floor(cx, f, &shown, floor)?;
                Some(request)
            }
            (kind, Some(def)) => {
                return Err(cx.at(
                    &def.path,
                    format!(
                        "fix `{}` is kind {}: only an http fix has a `request`",
                        f.id,
                        kind.label()
                    ),
                ))
            }
            (_, None) if f.commands.is_empty() => {
                return Err(cx.at(&def.id, format!("fix `{}` has no commands", f.id)));
            }
            (_, None) => None,
        };
        let commands = f
            .commands
            .iter()
            .map(|c| {
                let what = format!("command of fix `{}`", f.id);
                let template = cx.template(c, &what, &names)?;
                match f.kind {
                    FixKind::Manual | FixKind::Http => Ok(CommandTemplate::Manual(template)),
                    FixKind::Redis => CommandTemplate::redis(&c.value)
                        .map_err(|e| cx.at(c, format!("bad {what}: {e}"))),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        // The command sets the least a label may say.
        for c in &commands {
            if let CommandTemplate::Redis { args, source } = c {
                let words: Vec<String> = args.iter().map(|a| a.source.clone()).collect();
                below_floor(cx, f, source, crate::floor::of(&words))?;
            }
        }
        let verify = f
            .verify
            .as_ref()
            .map(|v| cx.expr(v, &format!("`verify` of fix `{}`", f.id), roots))
            .transpose()?;
        fixes.push(Fix {
            id: f.id.clone(),
            title: f.title.clone(),
            safety: f.safety.value,
            kind: f.kind,
            commands,
            request,
            verify,
        });
    }
    Ok(Said {
        evidence,
        message,
        fixes,
    })
}

/// Loads one runbook file from disk.
pub fn load_file(path: &Path) -> Result<Runbook, LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LoadError {
        file: file.clone(),
        line: 0,
        column: 0,
        message: format!("cannot read: {e}"),
    })?;
    load_str(&file, &text, &file)
}

/// The `*.yaml` and `*.yml` files of a directory, sorted.
fn runbook_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| LoadError {
        file: dir.display().to_string(),
        line: 0,
        column: 0,
        message: format!("cannot read runbook directory: {e}"),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The built-in runbooks, from the JSON build.rs made of them, on the
/// calling thread: with their checks' evidence, messages and fixes left
/// for first use this is little work, and spread over threads it cost more
/// than it saved (each thread's allocator arena grows a page at a time).
fn load_builtins() -> Result<Vec<Runbook>, LoadError> {
    let (files, compiled) = (super::builtin::FILES, super::builtin::COMPILED);
    files
        .iter()
        .zip(compiled)
        .map(|((name, text), json)| load_compiled(&format!("runbooks/{name}"), text, json))
        .collect()
}

/// The gate runbook alone (`GATE`), built in: what a writing command
/// checks its target with before anything else, without compiling the
/// other runbooks' expressions.
pub fn load_gate() -> Result<RunbookSet, LoadError> {
    let file = format!("{GATE}.yaml");
    let i = super::builtin::FILES
        .iter()
        .position(|(name, _)| *name == file)
        .expect("the gate runbook is built in");
    Ok(RunbookSet {
        runbooks: vec![load_compiled(
            &format!("runbooks/{file}"),
            super::builtin::FILES[i].1,
            super::builtin::COMPILED[i],
        )?],
    })
}

/// Built-in runbooks plus those in `dirs`. A user runbook with a built-in's
/// id replaces it. Check ids must be unique across the set.
/// `load_all`, then `tuning` applied (a context's thresholds and skips).
pub fn load_tuned(dirs: &[PathBuf], tuning: &Tuning) -> Result<RunbookSet, CliError> {
    load_all(dirs)?.tuned(tuning).map_err(|e| {
        let at = if e.starts_with("skip") {
            &tuning.skip_at
        } else {
            &tuning.thresholds_at
        };
        CliError::Usage(match (at.is_empty(), tuning.from.is_empty()) {
            (_, true) => e,
            (true, false) => format!("{}: {e}", tuning.from),
            (false, false) => format!("{at}: {}: {e}", tuning.from),
        })
    })
}

pub fn load_all(dirs: &[PathBuf]) -> Result<RunbookSet, LoadError> {
    let mut runbooks = load_builtins()?;
    for dir in dirs {
        for path in runbook_files(dir)? {
            let rb = load_file(&path)?;
            match runbooks.iter().position(|r: &Runbook| r.id == rb.id) {
                Some(i) if runbooks[i].origin == "built-in" => {
                    runbooks[i] = Runbook {
                        replaces_builtin: true,
                        ..rb
                    }
                }
                Some(i) => {
                    return Err(LoadError {
                        file: path.display().to_string(),
                        line: 0,
                        column: 0,
                        message: format!(
                            "runbook id `{}` is also defined in {}",
                            rb.id, runbooks[i].origin
                        ),
                    })
                }
                None => runbooks.push(rb),
            }
        }
    }
    let mut steps: BTreeMap<&str, (&HttpStep, &str)> = BTreeMap::new();
    for rb in &runbooks {
        for s in &rb.http {
            match steps.get(s.id.as_str()) {
                Some((other, owner)) if !other.same_definition(s) => {
                    return Err(LoadError {
                        file: rb.origin.clone(),
                        line: 0,
                        column: 0,
                        message: format!(
                            "HTTP step `{}` of runbook `{}` differs from the step of that id in runbook `{owner}`; steps sharing an id must be identical",
                            s.id, rb.id
                        ),
                    })
                }
                Some(_) => {}
                None => {
                    steps.insert(&s.id, (s, &rb.id));
                }
            }
        }
    }
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    for rb in &runbooks {
        for c in &rb.checks {
            if let Some(other) = owner.insert(&c.id, &rb.id) {
                return Err(LoadError {
                    file: rb.origin.clone(),
                    line: 0,
                    column: 0,
                    message: format!(
                        "check id `{}` of runbook `{}` is also used by runbook `{other}`",
                        c.id, rb.id
                    ),
                });
            }
        }
    }
    Ok(RunbookSet { runbooks })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"id: demo
title: Demo
source: "shared/seeds/000 Scenario 2"
thresholds:
  warn: {value: 0.8, source: "seed 003"}
checks:
  - id: demo-check
    title: Demo check
    when: derived.memory_ratio >= threshold.warn
    severity: warning
    score: 50
    evidence:
      pct: derived.memory_ratio * 100.0
    message: "memory at {pct}%"
    fixes:
      - id: raise
        title: Raise it
        safety: unsafe
        commands: ["CONFIG SET maxmemory 2gb"]
        verify: derived.memory_ratio < threshold.warn
"#;

    fn err(text: &str) -> LoadError {
        load_str("x.yaml", text, "test").unwrap_err()
    }

    #[test]
    fn good_runbook_loads() {
        let rb = load_str("x.yaml", GOOD, "test").unwrap();
        assert_eq!(rb.id, "demo");
        assert_eq!(rb.checks[0].when.roots, vec!["derived"]);
        assert_eq!(
            rb.checks[0].fixes()[0].commands[0].source(),
            "CONFIG SET maxmemory 2gb"
        );
    }

    #[test]
    fn unknown_field_is_positioned() {
        let e = err(&GOOD.replace("    score: 50\n", "    score: 50\n    scroe: 1\n"));
        assert_eq!((e.line, e.column), (12, 5), "{e}");
        assert!(
            e.message
                .starts_with("unknown field `scroe`, expected one of id, title"),
            "{e}"
        );
        assert!(e.message.contains("unknown field `scroe`"), "{e}");
    }

    #[test]
    fn bad_yaml_is_positioned() {
        let e = err("id: [unclosed\n");
        assert!(e.line >= 1, "{e}");
        assert!(e.to_string().starts_with("x.yaml:"), "{e}");
    }

    #[test]
    fn bad_expression_is_positioned() {
        let e = err(&GOOD.replace(
            "when: derived.memory_ratio >= threshold.warn",
            "when: derived.memory_ratio >=",
        ));
        assert_eq!((e.line, e.column), (9, 11), "{e}");
        assert!(
            e.message
                .starts_with("bad expression in `when`: syntax error"),
            "{e}"
        );
    }

    #[test]
    fn unknown_fact_is_positioned() {
        let e = err(&GOOD.replace("pct: derived.memory_ratio * 100.0", "pct: memroy.ratio"));
        assert_eq!((e.line, e.column), (13, 12), "{e}");
        assert!(
            e.message.contains("evidence `pct`: unknown fact `memroy`"),
            "{e}"
        );
    }

    #[test]
    fn bad_enum_and_score_and_placeholder() {
        let e = err(&GOOD.replace("severity: warning", "severity: severe"));
        assert_eq!(e.line, 10, "{e}");
        assert!(e.message.contains("severe"), "{e}");
        let e = err(&GOOD.replace("score: 50", "score: 150"));
        assert_eq!(e.line, 11, "{e}");
        let e = err(&GOOD.replace("memory at {pct}%", "memory at {percent}%"));
        assert!(e.message.contains("`{percent}`"), "{e}");
        assert_eq!(e.line, 14, "{e}");
    }

    #[test]
    fn builtins_load() {
        let set = load_all(&[]).unwrap();
        assert!(set.runbooks.len() >= 10);
    }
}

#[cfg(test)]
mod compiled_tests {
    /// Every built-in expression's roots read from its tokens are the ones
    /// its parse finds: what lets a condition's parse wait.
    #[test]
    fn every_builtin_expressions_roots_read_from_its_tokens_are_its_parsed_ones() {
        for (name, text) in super::super::builtin::FILES {
            let rb = super::load_str(name, text, "built-in").unwrap();
            for check in &rb.checks {
                let mut exprs = vec![&check.when];
                exprs.extend(check.needs.as_ref().map(|(w, _)| w));
                exprs.extend(check.evidence().iter().map(|(_, e)| e));
                exprs.extend(check.fixes().iter().filter_map(|f| f.verify.as_ref()));
                for e in exprs {
                    assert_eq!(
                        super::super::expr::roots_by_tokens(&e.source),
                        e.roots,
                        "{name} {}: {}",
                        check.id,
                        e.source
                    );
                }
            }
        }
    }

    /// The JSON the build made of each built-in runbook loads into the
    /// same runbook as its YAML.
    #[test]
    fn the_compiled_builtins_are_their_yaml() {
        let (files, compiled) = (
            super::super::builtin::FILES,
            super::super::builtin::COMPILED,
        );
        assert_eq!(files.len(), compiled.len());
        for ((name, text), json) in files.iter().zip(compiled) {
            let from_yaml = super::load_str(name, text, "built-in").unwrap();
            let from_json = super::load_compiled(name, text, json).unwrap();
            for check in &from_json.checks {
                assert!(
                    check.said.get().is_none(),
                    "{name}: {} compiled early",
                    check.id
                );
                // Parsed now exactly when every root it reads is always there.
                let always = check
                    .when
                    .roots
                    .iter()
                    .all(|r| crate::facts::catalog::always_there(r));
                assert_eq!(check.when.is_parsed(), always, "{name}: {}", check.id);
                check.said();
            }
            assert_eq!(format!("{from_yaml:?}"), format!("{from_json:?}"), "{name}");
        }
    }
}
