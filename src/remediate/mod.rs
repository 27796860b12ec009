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
use crate::runbook::expr::HTTP_ROOT;
use crate::runbook::load::{Check, Fix};
use crate::runbook::{Runbook, RunbookSet};
use crate::target::connect::{self, Session};
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

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Planned => "planned",
            Outcome::Applied => "applied",
            Outcome::Skipped => "skipped",
            Outcome::Blocked => "blocked",
            Outcome::Failed => "failed",
            Outcome::Manual => "manual",
        }
    }
}

/// Facts about the node the pre-flight needs, from the diagnosis.
fn node_state<'a>(facts: &Facts, user: &'a str) -> preflight::NodeState<'a> {
    let info = |field: &str| facts.get("info").and_then(|i| i.get(field)).cloned();
    let major: u32 = info("redis_version")
        .and_then(|v| v.as_str().and_then(|s| s.split('.').next()?.parse().ok()))
        .unwrap_or(0);
    preflight::NodeState {
        user,
        is_replica: info("role").is_some_and(|r| r == "slave"),
        has_acl_dryrun: major >= 7,
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
    let session = if planned.is_empty() {
        None
    } else {
        connect::connect(spec, timeouts).await.ok()
    };
    let user = spec.username.clone().unwrap_or_else(|| "default".into());
    let mut walker = Walker {
        report,
        set,
        facts,
        spec,
        timeouts,
        opts,
        session,
        node: node_state(facts, &user),
        latest: None,
        firing: Vec::new(),
        quit: false,
    };
    let mut actions = Vec::new();
    for p in &planned {
        actions.push(walker.step(p).await);
    }
    let audit_log = opts.audit.as_ref().map(|a| a.path.display().to_string());
    let remediation = Remediation {
        mode: opts.mode,
        audit_log,
        actions,
    };
    (remediation, walker.latest)
}

/// The state of one walk through the plan.
struct Walker<'a> {
    report: &'a Report,
    set: &'a RunbookSet,
    facts: &'a Facts,
    spec: &'a TargetSpec,
    timeouts: &'a Timeouts,
    opts: &'a Options,
    session: Option<Session>,
    node: preflight::NodeState<'a>,
    /// Facts collected after the last applied fix.
    latest: Option<Facts>,
    /// (finding id, node) of what still fired in `latest`.
    firing: Vec<(String, String)>,
    /// The operator quit, or the audit log failed: offer nothing more.
    quit: bool,
}

impl Walker<'_> {
    /// Shows one fix, and decides, runs and verifies it.
    async fn step(&mut self, p: &Planned<'_>) -> Action {
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
            view.safety.label()
        ));
        for c in &view.commands {
            diag(&format!("    {c}"));
        }
        let settle = |action: &mut Action, outcome: Outcome, reason: String, shown: &str| {
            action.outcome = outcome;
            if !shown.is_empty() {
                diag(&format!("  {shown}: {reason}"));
            }
            action.reason = reason;
        };
        if self.quit {
            settle(
                &mut action,
                Outcome::Skipped,
                "the walk was stopped".into(),
                "",
            );
            return action;
        }
        if view.kind == FixKind::Manual {
            let why = "steps for the operator; cachectl does not run them".to_string();
            settle(&mut action, Outcome::Manual, why, "manual");
            return action;
        }
        let argv = match &p.argv {
            Ok(a) => a,
            Err(e) => {
                settle(&mut action, Outcome::Blocked, e.clone(), "blocked");
                return action;
            }
        };
        // An earlier fix may have resolved this finding already.
        if self.latest.is_some() {
            let key = (p.finding.id.clone(), p.finding.node.clone());
            if !self.firing.contains(&key) {
                let why = "already resolved by an earlier fix".to_string();
                settle(&mut action, Outcome::Skipped, why, "skipped");
                return action;
            }
        }
        let Some(session) = &self.session else {
            let why = "cannot connect to the node to run it".to_string();
            settle(&mut action, Outcome::Blocked, why, "blocked");
            return action;
        };
        match preflight::check(session, &self.node, argv).await {
            Err(why) => {
                settle(&mut action, Outcome::Blocked, why, "blocked");
                return action;
            }
            Ok(notes) => notes.iter().for_each(|n| diag(&format!("  note: {n}"))),
        }
        if let Err((outcome, why)) = self.decide(view.safety) {
            let shown = if outcome == Outcome::Planned {
                ""
            } else {
                "skipped"
            };
            settle(&mut action, outcome, why, shown);
            return action;
        }
        match self.execute(p, argv, &mut action.results).await {
            Ok(()) => {
                action.outcome = Outcome::Applied;
                diag(&format!("  applied: {}", action.results.join(", ")));
            }
            Err(why) => {
                let nothing_ran = action.results.is_empty();
                settle(&mut action, Outcome::Failed, why, "failed");
                if nothing_ran {
                    return action;
                }
            }
        }
        self.verify(p, &mut action).await;
        action
    }

    /// Whether to apply a fix of this safety, by mode; `Err` says why not.
    fn decide(&mut self, safety: Safety) -> Result<(), (Outcome, String)> {
        let node = self.spec.node();
        let skip = |why: String| Err((Outcome::Skipped, why));
        match self.opts.mode {
            Mode::DryRun => Err((Outcome::Planned, "--dry-run".into())),
            Mode::Yes => match safety {
                Safety::Safe => Ok(()),
                Safety::Unsafe => skip(
                    "unsafe: --yes applies only safe fixes; run interactively to apply it".into(),
                ),
                Safety::Destructive if self.opts.confirm_destructive.as_deref() == Some(&node) => {
                    Ok(())
                }
                Safety::Destructive => {
                    skip(format!("destructive: needs --confirm-destructive {node}"))
                }
            },
            Mode::Interactive => match confirm::ask("Apply this fix?") {
                Ok(Choice::Apply) if safety == Safety::Destructive => match confirm::typed(&node) {
                    Ok(true) => Ok(()),
                    Ok(false) => skip("the typed confirmation did not match the node".into()),
                    Err(e) => {
                        self.quit = true;
                        skip(e)
                    }
                },
                Ok(Choice::Apply) => Ok(()),
                Ok(Choice::Skip) => skip("declined".into()),
                Ok(Choice::Quit) => {
                    self.quit = true;
                    skip("the walk was stopped".into())
                }
                Err(e) => {
                    self.quit = true;
                    skip(e)
                }
            },
        }
    }

    /// Sends the commands in order, each written to the audit log first.
    /// Stops at the first failure; `results` holds the replies of those that ran.
    async fn execute(
        &mut self,
        p: &Planned<'_>,
        argv: &[Vec<String>],
        results: &mut Vec<String>,
    ) -> Result<(), String> {
        let view = &p.finding.fixes[p.index];
        let Some(log) = &self.opts.audit else {
            return Err("no audit log".into());
        };
        let Some(session) = &self.session else {
            return Err("not connected".into());
        };
        for (i, args) in argv.iter().enumerate() {
            let record = |phase: &'static str, result: Option<String>| AuditRecord {
                time: audit::now_rfc3339(),
                user: audit::who(),
                target: &self.report.target,
                node: &p.finding.node,
                finding: &p.finding.id,
                fix: &view.id,
                command: audit::elide(args),
                phase,
                result,
            };
            if let Err(e) = log.append(&record("attempt", None)) {
                self.quit = true;
                return Err(format!(
                    "{e}; nothing more was sent ({i} of {} commands ran)",
                    argv.len()
                ));
            }
            let mut cmd = redis::cmd(&args[0]);
            for a in &args[1..] {
                cmd.arg(a);
            }
            match session.query::<redis::Value>(&cmd).await {
                Ok(v) => {
                    let text = reply_text(&v);
                    let _ = log.append(&record("ok", Some(text.clone())));
                    results.push(text);
                }
                Err(e) => {
                    let _ = log.append(&record("error", Some(e.detail.clone())));
                    return Err(format!(
                        "`{}` failed: {} ({i} of {} commands ran before it)",
                        view.commands[i],
                        e.detail,
                        argv.len()
                    ));
                }
            }
        }
        Ok(())
    }

    /// Collects Redis's facts again, re-evaluates the check and the fix's
    /// `verify`, and shows before and after. The application is not scraped
    /// again: its counters move on their own schedule, so its facts stand.
    async fn verify(&mut self, p: &Planned<'_>, action: &mut Action) {
        let mut now = collect(self.spec, self.timeouts).await;
        if let Some(http) = self.facts.get(HTTP_ROOT) {
            now.values.insert(HTTP_ROOT.into(), http.clone());
        }
        self.firing = crate::findings::evaluate(self.set, &now)
            .findings
            .into_iter()
            .map(|f| (f.id, f.node))
            .collect();
        let key = (p.finding.id.clone(), p.finding.node.clone());
        let resolved = !self.firing.contains(&key);
        let after = evidence_of(p.runbook, p.check, &now);
        action.verified = p
            .def
            .verify
            .as_ref()
            .map(|v| holds(p.runbook, v, &now).unwrap_or(false));
        action.resolved = Some(resolved);
        diag(&format!("  before: {}", show_evidence(&action.before)));
        diag(&format!("  after:  {}", show_evidence(&after)));
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
        action.after = Some(after);
        self.latest = Some(now);
    }
}
