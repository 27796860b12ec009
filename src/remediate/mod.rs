//! Remediation: plan -> pre-flight -> confirm -> execute -> verify -> audit.
//!
//! Walks the findings by score. Each Redis fix is shown as its exact
//! commands, checked for whether it can run at all, confirmed (interactive),
//! run with every command audited first, then the facts are collected again
//! and the check re-evaluated: before and after side by side.
//! `--dry-run` changes nothing; `--yes` applies only safe fixes; destructive
//! fixes need the node typed back, or `--confirm-destructive NODE`.

pub mod argv;
pub mod audit;
pub mod confirm;
pub mod preflight;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::facts::collect::collect;
use crate::facts::Facts;
use crate::findings::{evidence_of, holds, Finding, FixKind, Report, Safety};
use crate::redis::reply;
use crate::render::diag;
use crate::runbook::load::{Check, Fix};
use crate::runbook::{Runbook, RunbookSet};
use crate::target::connect;
use crate::target::{TargetSpec, Timeouts};
use audit::{AuditLog, AuditRecord};
use confirm::Choice;

/// How fixes are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Show the plan; change nothing.
    DryRun,
    /// No prompts: safe fixes, and destructive ones for the confirmed node.
    Yes,
    /// Ask for each fix on the terminal.
    Interactive,
}

/// What happened to one fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// --dry-run: would be offered.
    Planned,
    Applied,
    /// Declined, or not allowed in this mode.
    Skipped,
    /// Pre-flight says it cannot run.
    Blocked,
    /// A command failed; the reason says which ran.
    Failed,
    /// Steps for the operator; cachectl does not run them.
    Manual,
}

#[derive(Debug, Clone, Serialize)]
pub struct Action {
    pub finding: String,
    pub node: String,
    pub fix: String,
    pub title: String,
    pub safety: Safety,
    pub commands: Vec<String>,
    pub outcome: Outcome,
    pub reason: String,
    /// Replies, one per command run.
    pub results: Vec<String>,
    pub before: BTreeMap<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<BTreeMap<String, serde_json::Value>>,
    /// The check no longer fires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<bool>,
    /// The fix's `verify` condition holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

/// The remediation part of a report.
#[derive(Debug, Clone, Serialize)]
pub struct Remediation {
    pub mode: Mode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_log: Option<String>,
    pub actions: Vec<Action>,
}

/// How to remediate.
pub struct Options {
    pub mode: Mode,
    /// `--confirm-destructive NODE`.
    pub confirm_destructive: Option<String>,
    /// Where mutating commands are logged (not needed for --dry-run).
    pub audit: Option<AuditLog>,
}

/// A fix to offer: the finding it answers, its definition and its commands.
struct Planned<'a> {
    finding: &'a Finding,
    runbook: &'a Runbook,
    check: &'a Check,
    def: &'a Fix,
    index: usize,
    argv: Result<Vec<Vec<String>>, String>,
}

/// Findings by score, highest first, each with its fixes in order.
fn plan<'a>(findings: &'a [Finding], set: &'a RunbookSet) -> Vec<Planned<'a>> {
    let mut ordered: Vec<&Finding> = findings.iter().filter(|f| !f.fixes.is_empty()).collect();
    ordered.sort_by(|a, b| b.score.cmp(&a.score).then(b.severity.cmp(&a.severity)));
    let mut out = Vec::new();
    for finding in ordered {
        let Some(runbook) = set.get(&finding.runbook) else {
            continue;
        };
        let Some(check) = runbook.checks.iter().find(|c| c.id == finding.id) else {
            continue;
        };
        for (index, view) in finding.fixes.iter().enumerate() {
            let Some(def) = check.fixes.iter().find(|d| d.id == view.id) else {
                continue;
            };
            let argv = view.commands.iter().map(|c| argv::split(c)).collect();
            out.push(Planned {
                finding,
                runbook,
                check,
                def,
                index,
                argv,
            });
        }
    }
    out
}

fn show_evidence(e: &BTreeMap<String, serde_json::Value>) -> String {
    e.iter()
        .map(|(k, v)| format!("{k}={}", crate::runbook::expr::display(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn reply_text(v: &redis::Value) -> String {
    match v {
        redis::Value::Okay => "OK".into(),
        redis::Value::Nil => "(nil)".into(),
        redis::Value::Array(items) => format!("({} items)", items.len()),
        other => reply::text(other).unwrap_or_else(|| format!("{other:?}")),
    }
}

/// Walks the plan. Returns what happened and, if anything was applied, the
/// facts collected after the last fix.
pub async fn walk(
    report: &Report,
    set: &RunbookSet,
    facts: &Facts,
    spec: &TargetSpec,
    timeouts: &Timeouts,
    opts: &Options,
) -> (Remediation, Option<Facts>) {
    let planned = plan(&report.findings, set);
    let mut actions = Vec::new();
    let mut latest: Option<Facts> = None;
    let node_name = spec.node();
    let session = if planned.is_empty() {
        None
    } else {
        connect::connect(spec, timeouts).await.ok()
    };
    let info = |f: &Facts, field: &str| f.get("info").and_then(|i| i.get(field)).cloned();
    let version = info(facts, "redis_version")
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let is_replica = info(facts, "role")
        .and_then(|r| r.as_str().map(|s| s == "slave"))
        .unwrap_or(false);
    let user = spec.username.clone().unwrap_or_else(|| "default".into());
    let node = preflight::NodeState {
        user: &user,
        is_replica,
        has_acl_dryrun: major >= 7,
    };
    let mut quit = false;
    for p in planned {
        let view = &p.finding.fixes[p.index];
        let mut action = Action {
            finding: p.finding.id.clone(),
            node: p.finding.node.clone(),
            fix: view.id.clone(),
            title: view.title.clone(),
            safety: view.safety,
            commands: view.commands.clone(),
            outcome: Outcome::Skipped,
            reason: String::new(),
            results: Vec::new(),
            before: p.finding.evidence.clone(),
            after: None,
            resolved: None,
            verified: None,
        };
        diag(&format!(
            "\n{} on {} [{}]: {}\n  fix `{}`: {} [{}]",
            p.finding.id,
            p.finding.node,
            p.finding.severity.label(),
            p.finding.message,
            view.id,
            view.title,
            format!("{:?}", view.safety).to_lowercase()
        ));
        for c in &view.commands {
            diag(&format!("    {c}"));
        }
        if quit {
            action.reason = "the walk was stopped".into();
            actions.push(action);
            continue;
        }
        if view.kind == FixKind::Manual {
            action.outcome = Outcome::Manual;
            action.reason = "steps for the operator; cachectl does not run them".into();
            diag("  (manual steps: cachectl does not run these)");
            actions.push(action);
            continue;
        }
        let argv = match &p.argv {
            Ok(a) => a.clone(),
            Err(e) => {
                action.outcome = Outcome::Blocked;
                action.reason = e.clone();
                actions.push(action);
                continue;
            }
        };
        // The finding may already be gone (an earlier fix resolved it).
        if let Some(now) = &latest {
            if !still_fires(set, now, &p.finding.id, &p.finding.node) {
                action.reason = "already resolved by an earlier fix".into();
                diag("  already resolved by an earlier fix; skipped");
                actions.push(action);
                continue;
            }
        }
        let Some(session) = &session else {
            action.outcome = Outcome::Blocked;
            action.reason = "cannot connect to the node to run it".into();
            diag("  blocked: cannot connect to the node to run it");
            actions.push(action);
            continue;
        };
        match preflight::check(session, &node, &argv).await {
            Err(why) => {
                action.outcome = Outcome::Blocked;
                action.reason = why.clone();
                diag(&format!("  blocked: {why}"));
                actions.push(action);
                continue;
            }
            Ok(notes) => {
                for n in notes {
                    diag(&format!("  note: {n}"));
                }
            }
        }
        let go = match opts.mode {
            Mode::DryRun => {
                action.outcome = Outcome::Planned;
                action.reason = "--dry-run".into();
                false
            }
            Mode::Yes => match view.safety {
                Safety::Safe => true,
                Safety::Unsafe => {
                    action.reason =
                        "unsafe: --yes applies only safe fixes; run interactively to apply it"
                            .into();
                    false
                }
                Safety::Destructive => {
                    if opts.confirm_destructive.as_deref() == Some(node_name.as_str()) {
                        true
                    } else {
                        action.reason =
                            format!("destructive: needs --confirm-destructive {node_name}");
                        false
                    }
                }
            },
            Mode::Interactive => match confirm::ask("Apply this fix?") {
                Ok(Choice::Apply) if view.safety == Safety::Destructive => {
                    match confirm::typed(&node_name) {
                        Ok(true) => true,
                        Ok(false) => {
                            action.reason = "the typed confirmation did not match the node".into();
                            false
                        }
                        Err(e) => {
                            action.reason = e;
                            quit = true;
                            false
                        }
                    }
                }
                Ok(Choice::Apply) => true,
                Ok(Choice::Skip) => {
                    action.reason = "declined".into();
                    false
                }
                Ok(Choice::Quit) => {
                    action.reason = "the walk was stopped".into();
                    quit = true;
                    false
                }
                Err(e) => {
                    action.reason = e;
                    quit = true;
                    false
                }
            },
        };
        if !go {
            if !action.reason.is_empty() && opts.mode != Mode::DryRun {
                diag(&format!("  skipped: {}", action.reason));
            }
            actions.push(action);
            continue;
        }
        // Execute, every command logged before it is sent.
        let Some(log) = &opts.audit else {
            action.outcome = Outcome::Blocked;
            action.reason = "no audit log".into();
            actions.push(action);
            continue;
        };
        let mut failed = None;
        for (i, args) in argv.iter().enumerate() {
            let record = |phase: &'static str, result: Option<String>| AuditRecord {
                time: audit::now_rfc3339(),
                user: audit::who(),
                target: &report.target,
                node: &p.finding.node,
                finding: &p.finding.id,
                fix: &view.id,
                command: audit::elide(args),
                phase,
                result,
            };
            if let Err(e) = log.append(&record("attempt", None)) {
                failed = Some(format!(
                    "{e}; nothing more was sent ({i} of {} commands ran)",
                    argv.len()
                ));
                quit = true;
                break;
            }
            let mut cmd = redis::cmd(&args[0]);
            for a in &args[1..] {
                cmd.arg(a);
            }
            match session.query::<redis::Value>(&cmd).await {
                Ok(v) => {
                    let text = reply_text(&v);
                    let _ = log.append(&record("ok", Some(text.clone())));
                    action.results.push(text);
                }
                Err(e) => {
                    let _ = log.append(&record("error", Some(e.detail.clone())));
                    failed = Some(format!(
                        "`{}` failed: {} ({i} of {} commands ran before it)",
                        view.commands[i],
                        e.detail,
                        argv.len()
                    ));
                    break;
                }
            }
        }
        if let Some(why) = failed {
            action.outcome = Outcome::Failed;
            action.reason = why.clone();
            diag(&format!("  failed: {why}"));
            if action.results.is_empty() {
                actions.push(action);
                continue;
            }
        } else {
            action.outcome = Outcome::Applied;
            diag(&format!("  applied: {}", action.results.join(", ")));
        }
        // Verify: collect Redis's facts again, re-evaluate the check, compare.
        // The application is not scraped again: its counters move on their
        // own schedule, so its facts from the diagnosis stand.
        let mut now = collect(spec, timeouts).await;
        if let Some(http) = facts.get(crate::runbook::expr::HTTP_ROOT) {
            now.values
                .insert(crate::runbook::expr::HTTP_ROOT.into(), http.clone());
        }
        let resolved = !still_fires(set, &now, &p.finding.id, &p.finding.node);
        action.after = Some(evidence_of(p.runbook, p.check, &now));
        action.resolved = Some(resolved);
        action.verified = p
            .def
            .verify
            .as_ref()
            .map(|v| holds(p.runbook, v, &now).unwrap_or(false));
        diag(&format!("  before: {}", show_evidence(&action.before)));
        diag(&format!(
            "  after:  {}",
            show_evidence(action.after.as_ref().unwrap_or(&BTreeMap::new()))
        ));
        diag(&format!(
            "  {}{}",
            if resolved {
                "the check passes now"
            } else {
                "the check still fires"
            },
            match action.verified {
                Some(true) => "; verify condition holds",
                Some(false) => "; verify condition does NOT hold",
                None => "",
            }
        ));
        latest = Some(now);
        actions.push(action);
    }
    let audit_log = opts.audit.as_ref().map(|a| a.path.display().to_string());
    (
        Remediation {
            mode: opts.mode,
            audit_log,
            actions,
        },
        latest,
    )
}

fn still_fires(set: &RunbookSet, facts: &Facts, id: &str, node: &str) -> bool {
    crate::findings::evaluate(set, facts)
        .findings
        .iter()
        .any(|f| f.id == id && f.node == node)
}
