//! Evaluating runbook checks against facts. Pure: reads facts, never Redis.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{Finding, FixView};
use crate::facts::Facts;
use crate::runbook::expr::{self, EvalError, Expression, HTTP_ROOT, THRESHOLD_ROOT};
use crate::runbook::load::Check;
use crate::runbook::{Runbook, RunbookSet};

/// A check that could not be evaluated, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub check: String,
    pub runbook: String,
    pub node: String,
    pub reason: String,
}

/// Counts of what happened to the checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CheckCounts {
    pub total: usize,
    pub passed: usize,
    pub fired: usize,
    pub skipped: usize,
    /// Checks about the application when no --app was given, or about an
    /// optional endpoint the application does not serve.
    pub not_applicable: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub skipped: Vec<Skipped>,
    pub counts: CheckCounts,
}

/// The facts as CEL values, converted once per node.
fn fact_values(facts: &Facts) -> HashMap<String, cel::Value> {
    let mut values: HashMap<String, cel::Value> = facts
        .values
        .iter()
        .map(|(k, v)| (k.clone(), expr::to_cel(v)))
        .collect();
    values.insert(
        "unavailable".into(),
        expr::to_cel(&facts.unavailable_value()),
    );
    values
}

/// The CEL context of one runbook: the facts plus its thresholds.
fn runbook_context(
    runbook: &Runbook,
    values: &mut HashMap<String, cel::Value>,
) -> cel::Context<'static, 'static> {
    let thresholds: HashMap<String, cel::Value> = runbook
        .thresholds
        .iter()
        .map(|(k, t)| (k.clone(), cel::Value::Float(t.value)))
        .collect();
    values.insert(THRESHOLD_ROOT.into(), cel::Value::from(thresholds));
    expr::context(values)
}

/// Whether `condition` (a fix's `verify`) holds for these facts.
pub fn holds(runbook: &Runbook, condition: &Expression, facts: &Facts) -> Result<bool, String> {
    if let Some(reason) = missing_root(&condition.roots, facts) {
        return Err(reason);
    }
    let ctx = runbook_context(runbook, &mut fact_values(facts));
    condition.holds(&ctx).map_err(|EvalError::Failed(e)| e)
}

/// A check's evidence for these facts, whether or not it fires: the
/// "after" beside a finding's "before".
pub fn evidence_of(
    runbook: &Runbook,
    check: &Check,
    facts: &Facts,
) -> BTreeMap<String, serde_json::Value> {
    let ctx = runbook_context(runbook, &mut fact_values(facts));
    evidence(check, facts, &ctx)
}

fn evidence(
    check: &Check,
    facts: &Facts,
    ctx: &cel::Context<'_, '_>,
) -> BTreeMap<String, serde_json::Value> {
    check
        .evidence
        .iter()
        .map(|(name, e)| {
            let value = if missing_root(&e.roots, facts).is_some() {
                serde_json::Value::Null
            } else {
                e.evaluate(ctx)
                    .map(|v| expr::to_json(&v))
                    .unwrap_or(serde_json::Value::Null)
            };
            (name.clone(), value)
        })
        .collect()
}

/// Evaluates every check of every runbook against one node's facts.
pub fn evaluate(set: &RunbookSet, facts: &Facts) -> Evaluation {
    let mut values = fact_values(facts);
    let mut out = Evaluation::default();
    for runbook in &set.runbooks {
        let ctx = runbook_context(runbook, &mut values);
        for check in &runbook.checks {
            if !applicable(check, facts) {
                out.counts.not_applicable += 1;
                continue;
            }
            out.counts.total += 1;
            match evaluate_check(runbook, check, facts, &ctx) {
                Ok(Some(finding)) => {
                    out.counts.fired += 1;
                    out.findings.push(finding);
                }
                Ok(None) => out.counts.passed += 1,
                Err(reason) => {
                    out.counts.skipped += 1;
                    out.skipped.push(Skipped {
                        check: check.id.clone(),
                        runbook: runbook.id.clone(),
                        node: facts.node.clone(),
                        reason,
                    });
                }
            }
        }
    }
    out.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.score.cmp(&a.score))
            .then(a.id.cmp(&b.id))
    });
    out
}

/// Whether a check applies: it does not read the application when none was
/// given, nor an optional endpoint the application does not serve.
fn applicable(check: &Check, facts: &Facts) -> bool {
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

fn evaluate_check(
    runbook: &Runbook,
    check: &Check,
    facts: &Facts,
    ctx: &cel::Context<'_, '_>,
) -> Result<Option<Finding>, String> {
    if let Some(reason) = missing_root(&check.when.roots, facts) {
        return Err(reason);
    }
    match check.when.holds(ctx) {
        Ok(false) => return Ok(None),
        Ok(true) => {}
        Err(EvalError::Failed(e)) => return Err(format!("condition could not be evaluated: {e}")),
    }
    let evidence = evidence(check, facts, ctx);
    let lookup = |name: &str| evidence.get(name).map(expr::display);
    let fixes = check
        .fixes
        .iter()
        .map(|f| FixView {
            id: f.id.clone(),
            title: f.title.clone(),
            kind: f.kind,
            safety: f.safety,
            commands: f.commands.iter().map(|c| c.render(lookup)).collect(),
            verify: f.verify.as_ref().map(|v| v.source.clone()),
        })
        .collect();
    Ok(Some(Finding {
        id: check.id.clone(),
        runbook: runbook.id.clone(),
        severity: check.severity,
        score: check.score,
        title: check.title.clone(),
        message: check.message.render(lookup),
        evidence,
        node: facts.node.clone(),
        fixes,
    }))
}
