//! Evaluating runbook checks against facts. Pure: reads facts, never Redis.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use serde::Serialize;

use super::{Finding, FixView, Severity};
use crate::facts::Facts;
use crate::runbook::command::Command;
use crate::runbook::expr::{self, EvalError, Expression, HTTP_ROOT, THRESHOLD_ROOT};
use crate::runbook::load::{Check, GATE};
use crate::runbook::{Runbook, RunbookSet};
use crate::target::NodeAddr;

/// A check that could not be evaluated, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub check: String,
    pub runbook: String,
    pub node: NodeAddr,
    pub reason: String,
    /// It did not fire, but an input it reads was not there (an endpoint
    /// that failed or is not served, a metric or value missing): it is
    /// not counted as passed.
    pub no_data: bool,
}

/// Counts of what happened to the checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CheckCounts {
    pub total: usize,
    pub passed: usize,
    pub fired: usize,
    /// Not run: facts unavailable, the deadline, the server's version, or
    /// no data (`no_data` of them).
    pub skipped: usize,
    /// Of the skipped: checks whose inputs were not there.
    pub no_data: usize,
    /// Checks about the application when no --app was given, or about an
    /// optional endpoint the application does not serve.
    pub not_applicable: usize,
    /// Checks that read the application's endpoints, and how many of them
    /// fired or passed (had their data).
    pub app: usize,
    pub app_judged: usize,
}

impl std::ops::AddAssign for CheckCounts {
    fn add_assign(&mut self, o: CheckCounts) {
        self.total += o.total;
        self.passed += o.passed;
        self.fired += o.fired;
        self.skipped += o.skipped;
        self.no_data += o.no_data;
        self.not_applicable += o.not_applicable;
        self.app += o.app;
        self.app_judged += o.app_judged;
    }
}

#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub skipped: Vec<Skipped>,
    pub counts: CheckCounts,
    /// What each check came to, in runbook order (the findings and the
    /// skipped say why): what a test of recorded facts pins.
    pub verdicts: Vec<CheckVerdict>,
    /// Checks outside the gate (`runbook::load::GATE`) that fired or
    /// passed: what the run could say beyond "it answered".
    pub judged_beyond_gate: usize,
    /// Checks outside the gate that were asked for at all (applicable or
    /// not): none when the selection was the gate alone.
    pub asked_beyond_gate: usize,
}

/// One check's result on one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckVerdict {
    pub runbook: String,
    pub check: String,
    pub node: NodeAddr,
    pub verdict: Verdict,
}

/// What a check came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Fired,
    Passed,
    Skipped,
    NotApplicable,
}

impl Evaluation {
    /// Adds another node's (or the topology's) evaluation.
    pub fn add(&mut self, other: Evaluation) {
        self.findings.extend(other.findings);
        self.skipped.extend(other.skipped);
        self.verdicts.extend(other.verdicts);
        self.counts += other.counts;
        self.judged_beyond_gate += other.judged_beyond_gate;
        self.asked_beyond_gate += other.asked_beyond_gate;
    }

    /// A run that judged nothing beyond reachability, and found the target
    /// reachable, is not OK: it says so as a finding of its own
    /// (`nothing-evaluated`, UNKNOWN) on `node`, with why the checks did
    /// not run. `None` when something was judged, or the gate fired (then
    /// the gate's finding is the verdict).
    pub fn nothing_judged(&self, node: &NodeAddr) -> Option<Finding> {
        // The gate's finding, or the deadline's, is the verdict then.
        let explained = self
            .findings
            .iter()
            .any(|f| f.runbook == GATE || f.id == DEADLINE_FINDING);
        if explained || self.judged_beyond_gate > 0 || self.asked_beyond_gate == 0 {
            return None;
        }
        let mut reasons: Vec<&str> = self
            .skipped
            .iter()
            .filter(|s| s.runbook != GATE)
            .map(|s| s.reason.as_str())
            .collect();
        reasons.sort_unstable();
        reasons.dedup();
        let not_run = self.skipped.iter().filter(|s| s.runbook != GATE).count();
        let shown: Vec<&str> = reasons.iter().take(3).copied().collect();
        let more = reasons.len().saturating_sub(shown.len());
        let why = if not_run == 0 {
            format!(
                "the selected runbooks have no check that applies to this target ({} not applicable)",
                self.counts.not_applicable
            )
        } else {
            format!(
                "{not_run} checks were not run: {}{}",
                shown.join("; "),
                if more > 0 {
                    format!("; and {more} other reasons")
                } else {
                    String::new()
                }
            )
        };
        Some(Finding {
            id: NOTHING_EVALUATED.into(),
            runbook: "cachectl".into(),
            severity: Severity::Unknown,
            score: 50,
            title: "Nothing was evaluated beyond reaching the server".into(),
            message: format!(
                "The server answered, but no check beyond reachability could be judged: {why}. This is no verdict on its health."
            ),
            evidence: BTreeMap::from([
                ("not_run".to_string(), not_run.into()),
                (
                    "not_applicable".to_string(),
                    self.counts.not_applicable.into(),
                ),
                ("reasons".to_string(), reasons.into()),
            ]),
            node: node.clone(),
            fixes: Vec::new(),
        })
    }
}

/// The facts as one CEL context, converted once per node. Converting a fact
/// tree into CEL is the costly part of evaluating (10,000 client entries are
/// 10,000 maps): runbooks add their thresholds in an inner scope instead of
/// building contexts of their own.
pub struct FactContext<'f> {
    base: cel::Context<'f, 'f>,
}

impl<'f> FactContext<'f> {
    pub fn new(facts: &'f Facts) -> FactContext<'f> {
        let mut base = cel::Context::with_env(expr::environment());
        for (k, v) in &facts.values {
            base.add_variable_as_val(k.clone(), expr::to_val(v));
        }
        base.add_variable_from_value("unavailable", expr::to_cel(&facts.unavailable_value()));
        FactContext { base }
    }

    /// The context of one runbook: the facts plus its thresholds.
    pub fn runbook<'a>(&'a self, runbook: &Runbook) -> cel::Context<'a, 'f> {
        let thresholds: HashMap<String, cel::Value> = runbook
            .thresholds
            .iter()
            .map(|(k, t)| (k.clone(), cel::Value::Float(t.value)))
            .collect();
        let mut ctx = self.base.new_inner_scope();
        ctx.add_variable_from_value(THRESHOLD_ROOT, cel::Value::from(thresholds));
        ctx
    }
}

/// Whether `condition` (a fix's `verify`) holds for these facts.
pub fn holds(runbook: &Runbook, condition: &Expression, facts: &Facts) -> Result<bool, String> {
    if let Some(reason) = missing_root(&condition.roots, facts) {
        return Err(reason);
    }
    let base = FactContext::new(facts);
    let ctx = base.runbook(runbook);
    condition.holds(&ctx).map_err(|EvalError::Failed(e)| e)
}

/// A check's evidence for these facts, whether or not it fires: the
/// "after" beside a finding's "before".
pub fn evidence_of(
    runbook: &Runbook,
    check: &Check,
    facts: &Facts,
) -> BTreeMap<String, serde_json::Value> {
    let base = FactContext::new(facts);
    let ctx = base.runbook(runbook);
    evidence(check, facts, &ctx)
}

fn evidence(
    check: &Check,
    facts: &Facts,
    ctx: &cel::Context<'_, '_>,
) -> BTreeMap<String, serde_json::Value> {
    check
        .evidence()
        .iter()
        .map(|(name, e)| {
            let value = if missing_root(&e.roots, facts).is_some() {
                serde_json::Value::Null
            } else {
                e.evaluate(ctx)
                    .map_or(serde_json::Value::Null, |v| expr::to_json(&v))
            };
            (name.clone(), value)
        })
        .collect()
}

/// Evaluates every check of every runbook against one node's facts. Checks
/// still waiting when `deadline` passes are not evaluated: they are listed
/// as skipped, with the deadline as their reason.
pub fn evaluate(set: &RunbookSet, facts: &Facts, deadline: Option<Instant>) -> Evaluation {
    evaluate_where(set, facts, deadline, |_| true)
}

/// Evaluates only the checks that read `root` (a topology's `sentinel` or
/// `cluster`) against facts holding it: the other checks are about nodes.
pub fn evaluate_root(
    set: &RunbookSet,
    facts: &Facts,
    root: &str,
    deadline: Option<Instant>,
) -> Evaluation {
    evaluate_where(set, facts, deadline, |check| {
        check.when.roots.iter().any(|r| r == root)
    })
}

fn evaluate_where(
    set: &RunbookSet,
    facts: &Facts,
    deadline: Option<Instant>,
    wanted: impl Fn(&Check) -> bool,
) -> Evaluation {
    let base = FactContext::new(facts);
    let mut out = Evaluation::default();
    let mut late = 0;
    for runbook in &set.runbooks {
        let ctx = base.runbook(runbook);
        for check in runbook.checks.iter().filter(|c| wanted(c)) {
            out.asked_beyond_gate += usize::from(runbook.id != GATE);
            let verdict = |out: &mut Evaluation, verdict: Verdict| {
                out.verdicts.push(CheckVerdict {
                    runbook: runbook.id.clone(),
                    check: check.id.clone(),
                    node: facts.node.addr.clone(),
                    verdict,
                });
            };
            if !applicable(check, facts) {
                out.counts.not_applicable += 1;
                verdict(&mut out, Verdict::NotApplicable);
                continue;
            }
            out.counts.total += 1;
            // Only a runbook that asks the application has a check that
            // reads it: the others' evidence need not be compiled to tell.
            let about_app = !runbook.http.is_empty() && check.http_steps().next().is_some();
            out.counts.app += usize::from(about_app);
            let outcome = if deadline.is_some_and(|d| Instant::now() >= d) {
                late += 1;
                Err(DEADLINE_PASSED.into())
            } else {
                evaluate_check(runbook, check, facts, &ctx)
            };
            let skip = |out: &mut Evaluation, reason: String, no_data: bool| {
                verdict(out, Verdict::Skipped);
                out.counts.skipped += 1;
                out.counts.no_data += usize::from(no_data);
                out.skipped.push(Skipped {
                    check: check.id.clone(),
                    runbook: runbook.id.clone(),
                    node: facts.node.addr.clone(),
                    reason,
                    no_data,
                });
            };
            match outcome {
                Ok(Some(finding)) => {
                    verdict(&mut out, Verdict::Fired);
                    out.counts.fired += 1;
                    out.judged_beyond_gate += usize::from(runbook.id != GATE);
                    out.counts.app_judged += usize::from(about_app);
                    out.findings.push(finding);
                }
                // Not firing proves nothing when its inputs were not there,
                // or were too few to judge by.
                Ok(None) => {
                    if let Some(why) =
                        missing_input(check, facts).or_else(|| unmet_needs(check, facts, &ctx))
                    {
                        skip(&mut out, why, true);
                    } else {
                        verdict(&mut out, Verdict::Passed);
                        out.counts.passed += 1;
                        out.judged_beyond_gate += usize::from(runbook.id != GATE);
                        out.counts.app_judged += usize::from(about_app);
                    }
                }
                Err(reason) => skip(&mut out, reason, false),
            }
        }
    }
    if late > 0 {
        out.findings
            .push(deadline_finding(late, out.counts.total, &facts.node.addr));
    }
    // (Checks the deadline cut off are deadline-exceeded's to report.)
    if out.counts.app > 0 && out.counts.app_judged == 0 && out.counts.no_data > 0 {
        out.findings.push(app_blind_finding(&out, &facts.node.addr));
    }
    out.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.score.cmp(&a.score))
            .then(a.id.cmp(&b.id))
    });
    out
}

/// The root a key scan fills.
pub const KEYSCAN_ROOT: &str = "keyspace_scan";

const DEADLINE_FINDING: &str = "deadline-exceeded";

/// The finding of a run that judged nothing beyond reachability.
pub const NOTHING_EVALUATED: &str = "nothing-evaluated";

const DEADLINE_PASSED: &str =
    "the run's deadline (--timeout) passed before this check was evaluated";

/// The run could not assess everything in time: that is not OK.
fn deadline_finding(late: usize, total: usize, node: &NodeAddr) -> Finding {
    Finding {
        id: DEADLINE_FINDING.into(),
        runbook: "cachectl".into(),
        severity: Severity::Unknown,
        score: 50,
        title: "The run's deadline passed before every check was evaluated".into(),
        message: format!(
            "{late} of {total} checks were not evaluated before --timeout passed; they are listed under skipped. Raise --timeout, or narrow the run with --only."
        ),
        evidence: BTreeMap::from([
            ("not_evaluated".to_string(), late.into()),
            ("checks".to_string(), total.into()),
        ]),
        node: node.clone(),
        fixes: Vec::new(),
    }
}

/// No check about the application had its data: the application side was
/// not assessed, and a report saying OK would be a lie.
fn app_blind_finding(out: &Evaluation, node: &NodeAddr) -> Finding {
    let mut reasons: Vec<&str> = out
        .skipped
        .iter()
        .filter(|s| s.no_data)
        .map(|s| s.reason.as_str())
        .collect();
    reasons.sort_unstable();
    reasons.dedup();
    Finding {
        id: "app-no-data".into(),
        runbook: "cachectl".into(),
        severity: Severity::Unknown,
        score: 50,
        title: "No check about the application had its data".into(),
        message: format!(
            "None of the {} checks about the application could judge it: {}",
            out.counts.app,
            reasons.join("; ")
        ),
        evidence: BTreeMap::from([
            ("app_checks".to_string(), out.counts.app.into()),
            ("reasons".to_string(), reasons.into()),
        ]),
        node: node.clone(),
        fixes: Vec::new(),
    }
}

/// Why a check that did not fire proves nothing, if it does not: an input
/// its condition reads from the application was not there. The endpoint
/// failed or is not served, a metric is not exposed, none of the JSON
/// values it reads is in the body, or it reads increases from one scrape.
fn missing_input(check: &Check, facts: &Facts) -> Option<String> {
    let http = facts.get(HTTP_ROOT)?;
    // (name, endpoint, value) of each JSON value read.
    let mut values: Vec<(&str, &str, &serde_json::Value)> = Vec::new();
    for path in check.when.http_paths() {
        let parts: Vec<&str> = path.split('.').collect();
        let (Some(step), Some(field)) = (parts.get(1), parts.get(2)) else {
            continue;
        };
        let fact = &http[*step];
        if fact.is_null()
            || matches!(
                *field,
                "path" | "ok" | "error" | "detail" | "absent" | "location"
            )
        {
            continue;
        }
        let shown = fact["path"].as_str().unwrap_or(step);
        let error = fact["error"].as_str().unwrap_or_default();
        let detail = fact["detail"].as_str().unwrap_or_default();
        if matches!(error, "not_found" | "absent") {
            return Some(format!("{shown} is not served (HTTP 404)"));
        }
        if fact["status"].as_u64().unwrap_or(0) == 0 {
            return Some(format!("{shown} did not answer ({error}: {detail})"));
        }
        if matches!(
            *field,
            "status" | "latency_ms" | "bytes" | "body" | "rated" | "interval_s"
        ) {
            continue;
        }
        if fact["ok"] != true {
            return Some(format!("{shown} answered, unusably ({error}: {detail})"));
        }
        let leaf = parts.get(4).copied().unwrap_or_default();
        let once = || {
            Some(format!(
                "{shown} was scraped once (--interval 0, or the first scrape failed); increases need two"
            ))
        };
        match *field {
            "json" if fact["json"].is_null() => return Some(format!("{shown} is not JSON")),
            "values" => {
                if let Some(name) = parts.get(3) {
                    values.push((name, shown, &fact["values"][*name]));
                }
            }
            "series" => {
                let Some(name) = parts.get(3) else { continue };
                if fact["series"][*name]["present"] != true {
                    let metric = fact["series"][*name]["metric"].as_str().unwrap_or(name);
                    return Some(format!("{shown} has no {metric} series"));
                }
                if matches!(leaf, "increase" | "rate") && fact["rated"] != true {
                    return once();
                }
            }
            "cache" => {
                let cache = &fact["cache"];
                let role = parts.get(3).copied().unwrap_or_default();
                // A role's counter must be there; anything else read from
                // the counters (dialect, caches) needs some dialect.
                let why = match role {
                    "hits" | "misses" | "errors" | "gets" => {
                        crate::http::cache::missing(cache, role)
                    }
                    _ if cache["dialect"] == "" => crate::http::cache::missing(cache, "hits"),
                    _ => None,
                };
                if let Some(why) = why {
                    return Some(format!("{shown}: {why}"));
                }
                if matches!(leaf, "increase" | "rate") && fact["rated"] != true {
                    return once();
                }
            }
            _ => {}
        }
    }
    // Several values may each be the one a body carries (the seeds' health
    // bodies differ): none of them there is what counts.
    if !values.is_empty() && values.iter().all(|(_, _, v)| v.is_null()) {
        let names: Vec<&str> = values.iter().map(|(n, _, _)| *n).collect();
        return Some(format!(
            "{} has none of the values it reads ({})",
            values[0].1,
            names.join(", ")
        ));
    }
    None
}

/// Why a check's `needs` does not hold, if it does not: rendered from
/// its evidence.
fn unmet_needs(check: &Check, facts: &Facts, ctx: &cel::Context<'_, '_>) -> Option<String> {
    let (condition, reason) = check.needs.as_ref()?;
    if missing_root(&condition.roots, facts).is_some() {
        return None;
    }
    match condition.holds(ctx) {
        Ok(true) => None,
        Ok(false) => {
            let evidence = evidence(check, facts, ctx);
            Some(reason.render(|name| evidence.get(name).map(expr::display)))
        }
        Err(EvalError::Failed(e)) => Some(format!("`needs` could not be evaluated: {e}")),
    }
}

/// Whether a check applies: it does not read the application when none was
/// given, nor an optional endpoint the application does not serve.
fn applicable(check: &Check, facts: &Facts) -> bool {
    // Roots not every diagnosis has (a key scan, asked for with `memory
    // --keys`; a Sentinel's or a Cluster's facts): without them, checks that
    // read them do not apply. One asked for that failed (a scan refused or
    // cut) is another matter: its checks apply, and are not run for want
    // of it, said so (no node reached asks for none).
    let asked = |r: &str| {
        facts
            .unavailable
            .get(r)
            .is_some_and(|u| u.kind != "not_connected")
    };
    static OCCASIONAL: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let occasional = OCCASIONAL.get_or_init(|| {
        crate::facts::catalog::node_roots()
            .iter()
            .filter(|r| !r.source.always())
            .map(|r| r.field.name.as_ref())
            .collect()
    });
    if check
        .when
        .roots
        .iter()
        .any(|r| occasional.contains(&r.as_str()) && facts.get(r).is_none() && !asked(r))
    {
        return false;
    }
    let reads_http = check.when.roots.iter().any(|r| r == HTTP_ROOT);
    let Some(http) = facts.get(HTTP_ROOT) else {
        return !reads_http;
    };
    !check
        .http_steps()
        .any(|step| http[step]["absent"] == serde_json::Value::Bool(true))
}

/// Why a check needing `roots` cannot run, if one of them is unavailable.
fn missing_root(roots: &[String], facts: &Facts) -> Option<String> {
    roots.iter().find_map(|r| {
        facts.unavailable.get(r).map(|u| match u.kind.as_str() {
            "not_connected" => format!("needs {r}: {}", u.detail),
            kind => format!("needs {r}: {} failed ({kind}: {})", u.command, u.detail),
        })
    })
}

/// The commands as shown: Redis commands as redis-cli reads them, manual
/// ones ready to paste for the node (`command::for_node`), after a line
/// about REDISCLI_AUTH when a password is needed.
fn pasteable(argv: &[Command], facts: &Facts) -> Vec<String> {
    let reach = facts.reach.clone().unwrap_or_default();
    let mut shown: Vec<String> = argv
        .iter()
        .map(|c| match c {
            Command::Manual(line) => {
                crate::runbook::command::for_node(line, &facts.node.addr, &reach)
            }
            redis @ Command::Redis(_) => redis.display(),
        })
        .collect();
    let uses_cli = argv
        .iter()
        .any(|c| matches!(c, Command::Manual(l) if l.contains("redis-cli")));
    if let Some(note) = crate::runbook::command::needs_auth_note(&reach).filter(|_| uses_cli) {
        shown.insert(0, note);
    }
    shown
}

fn evaluate_check(
    runbook: &Runbook,
    check: &Check,
    facts: &Facts,
    ctx: &cel::Context<'_, '_>,
) -> Result<Option<Finding>, String> {
    if let Some(reason) = missing_root(&check.when.roots, facts) {
        return Err(reason);
    }
    if let (Some(min), Some(server)) = (&check.requires_redis, facts.server()) {
        if !server.has(min) {
            return Err(format!("needs Redis {min}; this is {server}"));
        }
    }
    match check.when.holds(ctx) {
        Ok(false) => return Ok(None),
        Ok(true) => {}
        Err(EvalError::Failed(e)) => return Err(format!("condition could not be evaluated: {e}")),
    }
    let evidence = evidence(check, facts, ctx);
    // A null evidence value (its fact is missing) fills no command.
    let lookup = |name: &str| {
        evidence
            .get(name)
            .filter(|v| !v.is_null())
            .map(expr::display)
    };
    let message_lookup = |name: &str| evidence.get(name).map(expr::display);
    let fixes = check
        .fixes()
        .iter()
        .map(|f| {
            let filled: Result<Vec<Command>, String> =
                f.commands.iter().map(|c| c.fill(lookup)).collect();
            let (commands, argv, not_runnable) = match (filled, &f.request) {
                // An application action: its request, against --app.
                (_, Some(request)) => (vec![request.display()], Vec::new(), None),
                (Ok(argv), None) => (pasteable(&argv, facts), argv, None),
                (Err(field), None) => (
                    f.commands.iter().map(|c| c.source().to_string()).collect(),
                    Vec::new(),
                    Some(format!(
                        "`{{{field}}}` has no value: the fact it comes from is missing"
                    )),
                ),
            };
            FixView {
                id: f.id.clone(),
                title: f.title.clone(),
                kind: f.kind,
                safety: f.safety,
                commands,
                argv,
                not_runnable,
                verify: f.verify.as_ref().map(|v| v.source.clone()),
            }
        })
        .collect();
    Ok(Some(Finding {
        id: check.id.clone(),
        runbook: runbook.id.clone(),
        severity: check.severity,
        score: check.score,
        title: check.title.clone(),
        message: check.message().render(message_lookup),
        evidence,
        node: facts.node.addr.clone(),
        fixes,
    }))
}
