//! Remediation: findings -> operations, walked by score through the one
//! mutation path (pre-flight, decide, audit, execute), then verified: the
//! facts are collected again and the check and the fix's `verify`
//! re-evaluated, before and after side by side.

use std::collections::BTreeMap;

use tokio::time::timeout_at;

use crate::facts::collect::collect_until;
use crate::facts::Facts;
use crate::findings::{evaluate, evidence_of, holds, Action, Finding, FixKind, FixView, Outcome};
use crate::http::probe::App;
use crate::mutate::{preflight, Consent, Decision, Mutator, Operation, Origin};
use crate::render::{clean, Printer};
use crate::runbook::command::Command;
use crate::runbook::expr::HTTP_ROOT;
use crate::runbook::load::{Check, Fix};
use crate::runbook::{Runbook, RunbookSet};
use crate::target::connect::{self, Session};
use crate::target::{Role, TargetSpec, Timeouts};

/// A fix to offer: the finding it answers and its definitions.
struct Planned<'a> {
    finding: &'a Finding,
    view: &'a FixView,
    runbook: &'a Runbook,
    check: &'a Check,
    def: &'a Fix,
}

/// Findings by score, highest first, each with its fixes from least to most
/// destructive (in the runbook's order within a class): the walk stops at
/// the first that works.
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
        let mut views: Vec<&FixView> = finding.fixes.iter().collect();
        views.sort_by_key(|v| v.safety);
        for view in views {
            if let Some(def) = check.fixes().iter().find(|d| d.id == view.id) {
                out.push(Planned {
                    finding,
                    view,
                    runbook,
                    check,
                    def,
                });
            }
        }
    }
    out
}

impl Planned<'_> {
    fn operation(&self) -> Operation {
        Operation {
            node: self.finding.node.clone(),
            targets: Vec::new(),
            db: None,
            origin: Origin::fix(&self.finding.id, &self.view.id),
            title: self.view.title.clone(),
            // The built-in floor of the commands, whatever the label says.
            safety: self
                .view
                .argv
                .iter()
                .fold(self.view.safety, |s, c| match c {
                    Command::Redis(args) => s.max(crate::floor::of(args)),
                    Command::Manual(_) => s,
                }),
            commands: self
                .view
                .argv
                .iter()
                .filter_map(|c| match c {
                    Command::Redis(args) => Some(args.clone()),
                    Command::Manual(_) => None,
                })
                .collect(),
            count: None,
            summary: None,
            confirm: None,
        }
    }
}

fn show_evidence(e: &BTreeMap<String, serde_json::Value>) -> String {
    e.iter()
        .map(|(k, v)| format!("{k}={}", clean(&crate::runbook::expr::display(v))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Facts about the node the pre-flight needs, from the diagnosis.
fn node_state<'a>(facts: &Facts, user: &'a str) -> preflight::NodeState<'a> {
    // A server on this host (loopback or a unix socket) lets its limits be
    // read; a remote one does not.
    let local = match &facts.node.addr {
        crate::target::NodeAddr::Unix { .. } => true,
        crate::target::NodeAddr::Dump { .. } => false,
        crate::target::NodeAddr::Tcp { host, .. } => {
            host == "localhost"
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    };
    let pid = facts
        .get("info")
        .and_then(|i| i.get("process_id"))
        .and_then(serde_json::Value::as_i64);
    let fd_limit = match (local, pid) {
        (true, Some(pid)) => preflight::fd_limit_of(pid),
        (false, _) => Err("the server is on another host".into()),
        (true, None) => Err("INFO did not give the process id".into()),
    };
    preflight::NodeState {
        user,
        is_replica: facts.node.role == Role::Replica,
        server: facts.server(),
        fd_limit,
    }
}

/// Records what happened to a fix and, when `said`, says it.
fn settle(printer: &Printer, action: &mut Action, outcome: Outcome, reason: String, said: bool) {
    if said {
        printer.status(&format!("  {outcome}: {}", clean(&reason)));
    }
    action.outcome = outcome;
    action.reason = reason;
}

/// Consent for `op`, or what to record instead: planned (--dry-run), or
/// skipped with why.
fn consent(mutator: &mut Mutator, op: &Operation) -> Result<Consent, (Outcome, String, bool)> {
    match mutator.decide(op) {
        Decision::Apply(consent) => Ok(consent),
        Decision::Planned => Err((Outcome::Planned, "--dry-run".into(), false)),
        Decision::Skip(why) | Decision::Stop(why) => Err((Outcome::Skipped, why, true)),
    }
}

/// What the walk works with.
pub struct Walk<'a> {
    pub set: &'a RunbookSet,
    /// The application (--app): where `http` fixes are sent.
    pub app: Option<&'a App>,
    pub facts: &'a Facts,
    pub spec: &'a TargetSpec,
    pub timeouts: &'a Timeouts,
    pub deadline: tokio::time::Instant,
    pub printer: &'a Printer,
}

/// Walks the plan of one node's findings. Returns what was done to each
/// fix and, if anything was applied, the node's facts collected after the
/// last fix.
pub async fn walk(
    ctx: &Walk<'_>,
    findings: &[Finding],
    mutator: &mut Mutator,
) -> (Vec<Action>, Option<Facts>) {
    let planned = plan(findings, ctx.set);
    let session = if planned.iter().any(|p| p.view.kind == FixKind::Redis) {
        connect::connect(ctx.spec, ctx.timeouts).await.ok()
    } else {
        None
    };
    let user = ctx
        .spec
        .username
        .clone()
        .unwrap_or_else(|| "default".into());
    let mut walker = Walker {
        ctx,
        session,
        node: node_state(ctx.facts, &user),
        latest: None,
        firing: Vec::new(),
        verified: Vec::new(),
        interactive: mutator.policy.mode == crate::mutate::Mode::Interactive,
    };
    let mut actions = Vec::new();
    for p in &planned {
        actions.push(walker.step(p, mutator).await);
    }
    (actions, walker.latest)
}

struct Walker<'a, 'w> {
    ctx: &'a Walk<'w>,
    session: Option<Session>,
    node: preflight::NodeState<'a>,
    /// Facts collected after the last applied fix.
    latest: Option<Facts>,
    /// (finding id, node) of what still fired in `latest`.
    firing: Vec<(String, crate::target::NodeAddr)>,
    /// (finding id, node) of findings a fix was verified for: their more
    /// destructive fixes are not needed.
    verified: Vec<(String, crate::target::NodeAddr)>,
    /// Prompts are shown: each fix gets --timeout of its own.
    interactive: bool,
}

impl Walker<'_, '_> {
    fn say(&self, text: &str) {
        self.ctx.printer.status(text);
    }

    /// Shows one fix, and decides, runs and verifies it.
    async fn step(&mut self, p: &Planned<'_>, mutator: &mut Mutator) -> Action {
        let view = p.view;
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
        let width = crate::render::status_width();
        let wrap = crate::render::table::wrap;
        let finding = format!(
            "{} on {} [{}]: {}",
            p.finding.id,
            p.finding.node,
            p.finding.severity.label(),
            clean(&p.finding.message),
        );
        let fix = format!(
            "fix `{}`: {} [{}]",
            view.id,
            clean(&view.title),
            view.safety.label()
        );
        self.say(&format!(
            "\n{}\n{}",
            wrap(&finding, width, "", "  "),
            wrap(&fix, width, "  ", "      ")
        ));
        for c in &view.commands {
            self.say(&format!("    {}", clean(c)));
        }
        let printer = self.ctx.printer;
        if let Some(why) = mutator.stopped() {
            settle(printer, &mut action, Outcome::Skipped, why, false);
            return action;
        }
        if view.kind == FixKind::Manual {
            let why = "steps for the operator; cachectl does not run them".to_string();
            settle(printer, &mut action, Outcome::Manual, why, true);
            return action;
        }
        if let Some(why) = &view.not_runnable {
            settle(printer, &mut action, Outcome::Blocked, why.clone(), true);
            return action;
        }
        // An earlier fix may have resolved this finding already, or been
        // verified for it: the ladder stops at the first fix that works.
        if self.latest.is_some() && !self.fires(p.finding) {
            let why = "already resolved by an earlier fix".to_string();
            settle(printer, &mut action, Outcome::Skipped, why, true);
            return action;
        }
        let key = (p.finding.id.clone(), p.finding.node.clone());
        if self.verified.contains(&key) {
            let why = "an earlier fix for this finding was verified".to_string();
            settle(printer, &mut action, Outcome::Skipped, why, true);
            return action;
        }
        // Without prompts the whole walk answers to the run's deadline; with
        // them, each fix's pre-flight, and its execution and verification,
        // get --timeout of their own (the operator's thinking is not the
        // server's time).
        if !self.interactive && tokio::time::Instant::now() >= self.ctx.deadline {
            let why = "the run's deadline (--timeout) passed before this fix".to_string();
            settle(printer, &mut action, Outcome::Skipped, why, true);
            return action;
        }
        if view.kind == FixKind::Http {
            self.act(p, mutator, &mut action).await;
            return action;
        }
        let Some(session) = &self.session else {
            let why = "cannot connect to the node to run it".to_string();
            settle(printer, &mut action, Outcome::Blocked, why, true);
            return action;
        };
        let mut op = p.operation();
        let checked = timeout_at(
            self.phase_deadline(),
            preflight::check(session, &self.node, &op.commands),
        )
        .await
        .map_or_else(
            |_| Err("pre-flight did not finish before the deadline (--timeout)".into()),
            |done| done.map_err(|refusal| refusal.to_string()),
        );
        match checked {
            Err(why) => {
                settle(printer, &mut action, Outcome::Blocked, why, true);
                return action;
            }
            Ok(cleared) => {
                cleared
                    .notes
                    .iter()
                    .for_each(|n| self.ctx.printer.status(&format!("  note: {}", clean(n))));
                // The server's own word can only raise the label.
                if cleared.floor > op.safety {
                    self.ctx.printer.status(&format!(
                        "  note: the server classes this as {}, not {}",
                        cleared.floor.label(),
                        op.safety.label()
                    ));
                    op.safety = cleared.floor;
                    action.safety = cleared.floor;
                }
            }
        }
        let consent = match consent(mutator, &op) {
            Ok(consent) => consent,
            Err((outcome, why, said)) => {
                settle(printer, &mut action, outcome, why, said);
                return action;
            }
        };
        let deadline = self.phase_deadline();
        let executed = match timeout_at(deadline, mutator.execute(session, &op, &consent)).await {
            Ok(done) => done,
            Err(_) => Err(crate::mutate::ExecError {
                reason: "the deadline (--timeout) passed while the commands ran; the audit log shows which were sent".into(),
                ran: 1,
                audit_failed: false,
            }),
        };
        match executed {
            Ok(results) => {
                action.results = results;
                action.outcome = Outcome::Applied;
                self.say(&format!("  applied: {}", clean(&action.results.join(", "))));
            }
            Err(e) => {
                let nothing_ran = e.ran == 0;
                settle(printer, &mut action, Outcome::Failed, e.reason, true);
                if nothing_ran {
                    return action;
                }
            }
        }
        self.verify(p, &mut action, deadline).await;
        action
    }

    /// An `http` fix: the application's endpoint probed (never sent to one
    /// that is not there), consent by safety, the request audited before
    /// it is sent, then the application and Redis asked again.
    async fn act(&mut self, p: &Planned<'_>, mutator: &mut Mutator, action: &mut Action) {
        let printer = self.ctx.printer;
        let (Some(app), Some(request)) = (self.ctx.app, p.def.request.as_ref()) else {
            let why = "an action of the application's: needs --app".to_string();
            settle(printer, action, Outcome::Blocked, why, true);
            return;
        };
        let shown = app.shown(request);
        let floor = crate::floor::of_request(&request.method, &request.path);
        let op = Operation {
            node: app.node(),
            targets: Vec::new(),
            db: None,
            origin: Origin::fix(&p.finding.id, &p.view.id),
            title: p.view.title.clone(),
            safety: p.view.safety.max(floor),
            commands: vec![vec![request.method.clone(), request.path.clone()]],
            count: None,
            summary: None,
            confirm: None,
        };
        action.safety = op.safety;
        action.commands = vec![match &request.body {
            Some(body) => format!("{shown} {body}"),
            None => shown.clone(),
        }];
        self.say(&format!("  against {}", clean(&shown)));
        let probed = timeout_at(self.phase_deadline(), app.probe_action(request))
            .await
            .unwrap_or_else(|_| {
                Err("the endpoint probe did not finish before the deadline (--timeout)".into())
            });
        match probed {
            Ok(seen) => self.say(&format!("  note: {}", clean(&seen))),
            Err(why) => {
                settle(printer, action, Outcome::Blocked, why, true);
                return;
            }
        }
        let consent = match consent(mutator, &op) {
            Ok(consent) => consent,
            Err((outcome, why, said)) => {
                settle(printer, action, outcome, why, said);
                return;
            }
        };
        let deadline = self.phase_deadline();
        let work = async {
            timeout_at(deadline, app.act(request, &consent))
                .await
                .unwrap_or_else(|_| {
                    Err("no answer before the deadline (--timeout); the application may or may not have done it".into())
                })
        };
        match mutator
            .audited(&op, &consent, shown, work, String::clone)
            .await
        {
            Ok(said) => {
                self.say(&format!("  applied: {}", clean(&said)));
                action.results = vec![said];
                action.outcome = Outcome::Applied;
            }
            Err(e) => {
                settle(printer, action, Outcome::Failed, e.reason, true);
                return;
            }
        }
        self.verify(p, action, deadline).await;
    }

    /// Until when the next phase of a fix may run.
    fn phase_deadline(&self) -> tokio::time::Instant {
        if self.interactive {
            tokio::time::Instant::now() + self.ctx.timeouts.overall
        } else {
            self.ctx.deadline
        }
    }

    fn fires(&self, finding: &Finding) -> bool {
        self.firing
            .iter()
            .any(|(id, node)| *id == finding.id && *node == finding.node)
    }

    /// Collects Redis's facts again, re-evaluates the check and the fix's
    /// `verify`, and shows before and after. The application is not scraped
    /// again: its counters move on their own schedule, so its facts stand.
    async fn verify(
        &mut self,
        p: &Planned<'_>,
        action: &mut Action,
        deadline: tokio::time::Instant,
    ) {
        let ctx = self.ctx;
        // Counters since start would keep a fixed incident firing forever:
        // after a fix, they count from the diagnosis.
        let redis = collect_until(ctx.spec, ctx.timeouts, deadline, ctx.facts.counters);
        // After an action of the application's, it is asked again; after a
        // Redis fix its facts stand (its counters move on their own
        // schedule).
        let app = async {
            match ctx.app.filter(|_| p.view.kind == FixKind::Http) {
                Some(app) => {
                    let steps = ctx.set.http_steps().into_iter().cloned().collect();
                    Some(crate::http::collect::collect(app, steps, deadline).await)
                }
                None => None,
            }
        };
        let (mut now, fresh) = tokio::join!(redis, app);
        let known = self
            .latest
            .as_ref()
            .and_then(|f| f.get(HTTP_ROOT))
            .or(ctx.facts.get(HTTP_ROOT));
        if let Some(http) = fresh.or_else(|| known.cloned()) {
            now.values.insert(HTTP_ROOT.into(), http);
        }
        self.firing = evaluate(ctx.set, &now, None)
            .findings
            .into_iter()
            .map(|f| (f.id, f.node))
            .collect();
        let resolved = !self.fires(p.finding);
        let after = evidence_of(p.runbook, p.check, &now);
        action.verified = p
            .def
            .verify
            .as_ref()
            .map(|v| holds(p.runbook, v, &now).unwrap_or(false));
        action.resolved = Some(resolved);
        if action.verified == Some(true) || resolved {
            self.verified
                .push((p.finding.id.clone(), p.finding.node.clone()));
        }
        self.say(&format!("  before: {}", show_evidence(&action.before)));
        self.say(&format!("  after:  {}", show_evidence(&after)));
        self.say(&format!(
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
