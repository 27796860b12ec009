//! The one path every write takes: plan an operation, pre-flight it, decide
//! (dry-run, --yes, prompt, typed confirmation), write the audit record
//! first, execute, and let the caller verify. `diagnose --fix` walks
//! findings through it; any command that writes uses it the same way.

pub mod audit;
pub mod confirm;
pub mod preflight;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::Safety;
use crate::redis::reply;
use crate::runbook::command::Command;
use crate::target::connect::{Consented, Session};
use crate::target::NodeAddr;
use audit::{AuditLog, AuditRecord};
use confirm::Choice;

/// How writes are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Show the plan; change nothing.
    DryRun,
    /// No prompts: safe operations, and destructive ones on the confirmed node.
    Yes,
    /// Ask for each operation on the terminal.
    Interactive,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::DryRun => "dry-run",
            Mode::Yes => "yes",
            Mode::Interactive => "interactive",
        }
    }
}

/// What asked for a write; recorded in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The command line that asked: `diagnose --fix`, `flush`, ...
    pub origin: String,
    /// With `diagnose --fix`: the finding and the fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// With `flush`: the pattern the keys matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

impl Origin {
    /// What a command other than `diagnose --fix` asks for.
    pub fn command(origin: &str, pattern: Option<String>) -> Origin {
        Origin {
            origin: origin.into(),
            finding: None,
            fix: None,
            pattern,
        }
    }

    pub fn fix(finding: &str, fix: &str) -> Origin {
        Origin {
            origin: "diagnose --fix".into(),
            finding: Some(finding.into()),
            fix: Some(fix.into()),
            pattern: None,
        }
    }
}

/// One write: what, where, how risky, and its exact commands.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The node it is about: the one consent names (typed back, or
    /// `--confirm-destructive`).
    pub node: NodeAddr,
    /// Other nodes its commands go to under the same consent (a Cluster's
    /// primaries for a flush or a warm; the replicas a failover repoints,
    /// and the Sentinel asked). Each is pre-flighted for what it receives.
    pub targets: Vec<NodeAddr>,
    pub origin: Origin,
    pub title: String,
    pub safety: Safety,
    /// Argument vectors, sent as they are.
    pub commands: Vec<Vec<String>>,
    /// For a batch: how many items (keys, clients) it covers.
    pub count: Option<u64>,
    /// For a batch: what the audit log says instead of every item
    /// (`UNLINK 500 keys`).
    pub summary: Option<String>,
    /// What the operator types to confirm a destructive operation (the
    /// node when `None`; `node/db` for a flush).
    pub confirm: Option<String>,
    /// The database it writes, when it writes one (a flush): a consent that
    /// names a database (`--confirm-destructive host:port/db`) must name
    /// this one.
    pub db: Option<i64>,
}

impl Operation {
    /// Every node its commands go to: `node` first.
    pub fn nodes(&self) -> Vec<NodeAddr> {
        let mut all = vec![self.node.clone()];
        for t in &self.targets {
            if !all.contains(t) {
                all.push(t.clone());
            }
        }
        all
    }

    /// The verbs its commands use (`floor::verb`): all a consent to it
    /// lets through.
    pub fn verbs(&self) -> BTreeSet<String> {
        self.commands
            .iter()
            .map(|c| crate::floor::verb(c))
            .collect()
    }
}

/// Consent to one operation: what `Mutator` hands out when the operator (or
/// the flags) agreed to it, and the only key to a write
/// (`Session::write`, `App::act`). It covers the operation's nodes and
/// the verbs of its commands, nothing else; no other module can make one.
#[derive(Debug)]
pub struct Consent {
    nodes: Vec<NodeAddr>,
    verbs: BTreeSet<String>,
    title: String,
}

impl Consent {
    fn of(op: &Operation) -> Consent {
        Consent {
            nodes: op.nodes(),
            verbs: op.verbs(),
            title: op.title.clone(),
        }
    }

    /// Whether `op` (a part of the consented operation: one node's
    /// commands, one batch) is covered: its nodes and verbs.
    fn covers(&self, op: &Operation) -> Result<(), String> {
        for node in op.nodes() {
            for verb in op.verbs() {
                if let Some(why) = self.refuses(&node, &verb) {
                    return Err(why);
                }
            }
        }
        Ok(())
    }
}

impl crate::target::connect::sealed::Sealed for Consent {}

impl crate::target::connect::Consented for Consent {
    fn refuses(&self, node: &NodeAddr, verb: &str) -> Option<String> {
        if !self.nodes.contains(node) {
            return Some(format!(
                "`{verb}` to {node}: the consent to `{}` covers {} only",
                self.title,
                self.nodes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !self.verbs.contains(verb) {
            return Some(format!(
                "`{verb}` to {node}: the consent to `{}` covers {} only",
                self.title,
                self.verbs.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        None
    }
}

/// A node as consent names it, at the prompt and in
/// `--confirm-destructive`: `host:port` (or a unix socket), and where the
/// database matters `host:port/db`.
pub fn node_and_db(text: &str) -> Result<(NodeAddr, Option<i64>), String> {
    let text = text.trim();
    if let Some((node, db)) = text.rsplit_once('/') {
        let tcp = !node.starts_with('/') && !node.starts_with("unix:") && !node.is_empty();
        if tcp && !db.is_empty() && db.bytes().all(|b| b.is_ascii_digit()) {
            let db = db
                .parse::<i64>()
                .map_err(|_| format!("`{db}` is not a database"))?;
            return Ok((NodeAddr::parse(node)?, Some(db)));
        }
    }
    Ok((NodeAddr::parse(text)?, None))
}

/// Whether `answer`, typed at the prompt, consents to `op` (expected to be
/// typed as `expected`): the node, or the node and its database, parsed as
/// `--confirm-destructive` is; other confirmations (a failover's mode and
/// replica) exactly.
fn consents(answer: &str, expected: &str, op: &Operation) -> bool {
    if expected.contains(' ') {
        return answer.trim() == expected;
    }
    match node_and_db(answer) {
        Ok((node, db)) => node == op.node && (db.is_none() || db == op.db),
        Err(_) => false,
    }
}

/// The mutation flags, resolved: how to decide, and where to log.
#[derive(Debug, Clone)]
pub struct Policy {
    pub mode: Mode,
    /// `--confirm-destructive NODE`: consent to destructive writes on it.
    pub confirm_destructive: Option<NodeAddr>,
    /// `--confirm-destructive NODE/DB`: and on that database only.
    pub confirm_db: Option<i64>,
    /// Where writes are logged (not needed for --dry-run).
    pub audit: Option<AuditLog>,
}

/// Whether an operation may go ahead.
#[derive(Debug)]
pub enum Decision {
    /// It may: the consent to send it.
    Apply(Consent),
    /// --dry-run: it would be offered.
    Planned,
    /// Declined or not allowed in this mode; says why.
    Skip(String),
    /// The operator stopped, or prompts failed: decide nothing more.
    Stop(String),
}

/// Why a command's write did not go ahead, as its report says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// Blocked (the preflight), Planned (--dry-run) or Skipped (consent).
    pub outcome: crate::outcome::Outcome,
    pub reason: String,
    /// Blocked by the preflight: why, for callers that have a way round.
    pub refusal: Option<preflight::Refusal>,
}

impl Held {
    /// A plan is a success; anything else leaves the job undone.
    pub fn status(&self) -> crate::error::Status {
        self.outcome.status()
    }
}

/// A failed execution: why, and how many commands had run.
#[derive(Debug, Clone)]
pub struct ExecError {
    pub reason: String,
    pub ran: usize,
    /// The audit log failed: nothing more may be sent this run.
    pub audit_failed: bool,
}

/// The state of a run's writes: its policy and whether it was stopped.
pub struct Mutator {
    pub policy: Policy,
    /// The target URL, redacted, for the audit log.
    pub target: String,
    /// Why the run stopped (shared by the writes of several nodes at once).
    stopped: std::sync::Mutex<Option<String>>,
    /// Set by Ctrl-C, once the run heeds it (`heed`).
    interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl Mutator {
    pub fn new(policy: Policy, target: String) -> Mutator {
        Mutator {
            policy,
            target,
            stopped: std::sync::Mutex::new(None),
            interrupt: None,
        }
    }

    /// Stops the run at the next decision once `flag` is set (Ctrl-C): the
    /// write in flight is seen to its reply and audited, none is begun.
    pub fn heed(&mut self, flag: std::sync::Arc<std::sync::atomic::AtomicBool>) {
        self.interrupt = Some(flag);
    }

    /// Why nothing more may be done, once the walk was stopped.
    pub fn stopped(&self) -> Option<String> {
        self.stopped
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Stops every later operation, saying why.
    fn stop(&self, why: String) {
        *self
            .stopped
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(why);
    }

    /// Decides an operation by mode, safety and node: `--yes` runs safe
    /// ones; destructive ones need `--confirm-destructive` naming the
    /// operation's own node, or that node typed back at the prompt.
    pub fn decide(&mut self, op: &Operation) -> Decision {
        if self.stopped().is_none()
            && self
                .interrupt
                .as_ref()
                .is_some_and(|f| f.load(std::sync::atomic::Ordering::SeqCst))
        {
            self.stop("interrupted (Ctrl-C): nothing more was done".into());
        }
        if let Some(why) = self.stopped() {
            return Decision::Skip(why);
        }
        let wrong_db = match (self.policy.confirm_db, op.db) {
            (Some(named), Some(db)) if named != db => Some(format!(
                "--confirm-destructive names db {named}, and this writes db {db}: nothing is done on a database the consent does not name"
            )),
            (Some(named), None) if op.verbs().contains("FLUSHALL") => Some(format!(
                "--confirm-destructive names db {named}, and FLUSHALL empties every database"
            )),
            _ => None,
        };
        let decision = match self.policy.mode {
            Mode::DryRun => Decision::Planned,
            Mode::Yes if wrong_db.is_some() => Decision::Skip(wrong_db.unwrap_or_default()),
            // Consent is a ladder: naming a node for destructive changes
            // consents to unsafe ones there too.
            Mode::Yes => match op.safety {
                Safety::Safe => Decision::Apply(Consent::of(op)),
                Safety::Unsafe if self.policy.confirm_destructive.as_ref() == Some(&op.node) => {
                    Decision::Apply(Consent::of(op))
                }
                Safety::Unsafe => Decision::Skip(format!(
                    "unsafe: --yes applies only safe fixes; run interactively, or add --confirm-destructive {}",
                    op.node
                )),
                Safety::Destructive
                    if self.policy.confirm_destructive.as_ref() == Some(&op.node) =>
                {
                    Decision::Apply(Consent::of(op))
                }
                Safety::Destructive => Decision::Skip(format!(
                    "destructive: needs --confirm-destructive {}",
                    op.node
                )),
            },
            Mode::Interactive => match confirm::ask(&if op.origin.fix.is_some() {
                "Apply this fix?".to_string()
            } else {
                // A front door's own write: say which (flush, warm, kill).
                format!("{}?", op.title)
            }) {
                Ok(Choice::Apply) if op.safety == Safety::Destructive => {
                    let expected = op.confirm.clone().unwrap_or_else(|| op.node.to_string());
                    match confirm::typed(&expected) {
                        Ok(answer) if consents(&answer, &expected, op) => {
                            Decision::Apply(Consent::of(op))
                        }
                        Ok(answer) => Decision::Skip(format!(
                            "the answer `{}` does not name {expected}: nothing was done",
                            crate::text::clean(answer.trim())
                        )),
                        Err(e) => Decision::Stop(e),
                    }
                }
                Ok(Choice::Apply) => Decision::Apply(Consent::of(op)),
                Ok(Choice::Skip) => Decision::Skip("declined".into()),
                Ok(Choice::Quit) => Decision::Stop("the walk was stopped".into()),
                Err(e) => Decision::Stop(e),
            },
        };
        if let Decision::Stop(why) = &decision {
            self.stop(why.clone());
        }
        decision
    }

    /// The one gate before a front door's write: the preflight of
    /// `checked` on every node that will receive it (`sessions`: ACL,
    /// renamed commands, replica), then consent for `op`, which must name
    /// those nodes. Prompts, when interactive, block this thread.
    pub async fn clear(
        &mut self,
        sessions: &[Session],
        node: &preflight::NodeState<'_>,
        op: &Operation,
        checked: &[Vec<String>],
    ) -> Result<Consent, Held> {
        let blocked = |reason: String| Held {
            outcome: crate::outcome::Outcome::Blocked,
            reason,
            refusal: None,
        };
        let nodes = op.nodes();
        for session in sessions {
            if !nodes.contains(&session.addr) {
                return Err(blocked(format!(
                    "{} would receive `{}` but the operation does not name it",
                    session.addr, op.title
                )));
            }
        }
        for session in sessions {
            if let Err(refusal) = preflight::check(session, node, checked).await {
                return Err(Held {
                    refusal: Some(refusal.clone()),
                    ..blocked(match sessions.len() {
                        1 => refusal.to_string(),
                        _ => format!("{}: {refusal}", session.addr),
                    })
                });
            }
        }
        self.consent(op)
    }

    /// `decide`, as what a command records: the consent to go ahead, or
    /// why it was held (planned under --dry-run, skipped without consent).
    pub fn consent(&mut self, op: &Operation) -> Result<Consent, Held> {
        match self.decide(op) {
            Decision::Apply(consent) => Ok(consent),
            Decision::Planned => Err(Held {
                outcome: crate::outcome::Outcome::Planned,
                reason: "--dry-run: nothing was changed".into(),
                refusal: None,
            }),
            Decision::Skip(reason) | Decision::Stop(reason) => Err(Held {
                outcome: crate::outcome::Outcome::Skipped,
                reason,
                refusal: None,
            }),
        }
    }

    /// The audit record of `op` at `phase` (attempt, ok, error).
    fn record<'a>(
        &'a self,
        op: &'a Operation,
        count: Option<u64>,
        command: String,
        phase: &'static str,
        result: Option<String>,
    ) -> AuditRecord<'a> {
        AuditRecord {
            time: audit::now_rfc3339(),
            user: audit::who(),
            target: &self.target,
            node: &op.node,
            origin: &op.origin,
            operation: &op.title,
            count,
            command,
            verbs: op.verbs().into_iter().collect(),
            phase,
            result,
        }
    }

    /// Sends the commands in order, each written to the audit log before it
    /// is sent and after it answers. Stops at the first failure; an audit
    /// log that cannot be written stops this and every later operation.
    pub async fn execute(
        &self,
        session: &Session,
        op: &Operation,
        consent: &Consent,
    ) -> Result<Vec<String>, ExecError> {
        let mut results = Vec::new();
        let fail = |reason: String, ran: usize, audit_failed: bool| ExecError {
            reason,
            ran,
            audit_failed,
        };
        consent.covers(op).map_err(|why| fail(why, 0, false))?;
        let Some(log) = &self.policy.audit else {
            return Err(fail("no audit log".into(), 0, true));
        };
        let total = op.commands.len();
        for (i, args) in op.commands.iter().enumerate() {
            let command = audit::elide(args);
            let record = |phase, result| self.record(op, op.count, command.clone(), phase, result);
            if let Err(e) = log.append(&record("attempt", None)) {
                let why = format!("{e}; nothing more was sent ({i} of {total} commands ran)");
                self.stop(why.clone());
                return Err(fail(why, i, true));
            }
            let Some((name, rest)) = args.split_first() else {
                return Err(fail("empty command".into(), i, false));
            };
            let mut pipe = redis::pipe();
            let cmd = pipe.cmd(name);
            for a in rest {
                cmd.arg(a);
            }
            match session
                .write::<Vec<redis::Value>>(&pipe, consent)
                .await
                .map(|mut v| v.pop().unwrap_or(redis::Value::Nil))
            {
                Ok(v) => {
                    let text = crate::secret::scrub(&reply_text(&v));
                    let _ = log.append_result(&record("ok", Some(text.clone())));
                    results.push(text);
                }
                Err(e) => {
                    let _ = log.append_result(&record("error", Some(e.detail.clone())));
                    return Err(fail(
                        format!(
                            "`{}` failed: {} ({i} of {total} commands ran before it)",
                            Command::Redis(args.clone()).display(),
                            e.detail
                        ),
                        i,
                        false,
                    ));
                }
            }
        }
        Ok(results)
    }
}

impl Mutator {
    /// Sends a batch (one command per item: a client to kill, a key to
    /// unlink) in one pipeline, with one audit record before it (naming
    /// every item and the count) and one after. Returns each reply.
    pub async fn execute_batch(
        &self,
        session: &Session,
        op: &Operation,
        consent: &Consent,
    ) -> Result<Vec<redis::Value>, ExecError> {
        let shown = op.summary.clone().unwrap_or_else(|| {
            op.commands
                .iter()
                .map(|c| audit::elide(c))
                .collect::<Vec<_>>()
                .join("; ")
        });
        let mut pipe = redis::pipe();
        for args in &op.commands {
            if let Some((name, rest)) = args.split_first() {
                let cmd = pipe.cmd(name);
                for a in rest {
                    cmd.arg(a);
                }
            }
        }
        self.send_audited(session, op, consent, &pipe, shown).await
    }

    /// `execute_batch` for a pipeline the caller built (arguments that are
    /// bytes, such as key names); `shown` is what the audit log says.
    pub async fn send_audited(
        &self,
        session: &Session,
        op: &Operation,
        consent: &Consent,
        pipe: &redis::Pipeline,
        shown: String,
    ) -> Result<Vec<redis::Value>, ExecError> {
        let work = async {
            session
                .write::<Vec<redis::Value>>(pipe, consent)
                .await
                .map_err(|e| e.detail)
        };
        self.audited(op, consent, shown, work, |replies| {
            format!("{} replies", replies.len())
        })
        .await
    }

    /// Runs `work` (a batch of writes, or requests that make the
    /// application write) between its write-ahead audit record and the
    /// record of its result; nothing runs if the first cannot be written.
    pub async fn audited<T>(
        &self,
        op: &Operation,
        consent: &Consent,
        shown: String,
        work: impl std::future::Future<Output = Result<T, String>>,
        result: impl Fn(&T) -> String,
    ) -> Result<T, ExecError> {
        let fail = |reason: String, audit_failed: bool| ExecError {
            reason,
            ran: 0,
            audit_failed,
        };
        consent.covers(op).map_err(|why| fail(why, false))?;
        let Some(log) = &self.policy.audit else {
            return Err(fail("no audit log".into(), true));
        };
        let count = op.count.or(Some(op.commands.len() as u64));
        let record = |phase, result| self.record(op, count, shown.clone(), phase, result);
        if let Err(e) = log.append(&record("attempt", None)) {
            let why = format!("{e}; nothing was sent");
            self.stop(why.clone());
            return Err(fail(why, true));
        }
        match work.await {
            Ok(done) => {
                let _ = log.append_result(&record("ok", Some(result(&done))));
                Ok(done)
            }
            Err(e) => {
                let _ = log.append_result(&record("error", Some(e.clone())));
                Err(ExecError {
                    reason: if op.count.is_some() || op.commands.len() > 1 {
                        format!("the batch failed: {e}")
                    } else {
                        format!("{} failed: {e}", op.title)
                    },
                    ran: op.commands.len(),
                    audit_failed: false,
                })
            }
        }
    }
}

/// A reply as one short line for the transcript and the audit log.
pub fn reply_text(v: &redis::Value) -> String {
    match v {
        redis::Value::Okay => "OK".into(),
        redis::Value::Nil => "(nil)".into(),
        redis::Value::Array(items) => format!("({} items)", items.len()),
        other => reply::text(other).unwrap_or_else(|| format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(node: &str, safety: Safety) -> Operation {
        Operation {
            node: NodeAddr::parse(node).unwrap(),
            targets: Vec::new(),
            db: None,
            origin: Origin::fix("f", "x"),
            title: "t".into(),
            safety,
            commands: vec![vec!["PING".into()]],
            count: None,
            summary: None,
            confirm: None,
        }
    }

    #[test]
    fn a_node_may_name_its_database() {
        let (n, db) = node_and_db("cache-01:6379/3").unwrap();
        assert_eq!((n.to_string(), db), ("cache-01:6379".to_string(), Some(3)));
        let (n, db) = node_and_db("cache-01:6379").unwrap();
        assert_eq!((n.to_string(), db), ("cache-01:6379".to_string(), None));
        let (n, db) = node_and_db("unix:/run/redis/redis.sock").unwrap();
        assert_eq!(
            (n.to_string(), db),
            ("unix:/run/redis/redis.sock".to_string(), None)
        );
        assert!(node_and_db("cache-01:6379/x").is_err());
    }

    /// The prompt takes a node as --confirm-destructive does: with or
    /// without the database, which must then be the one written.
    #[test]
    fn a_typed_answer_names_the_node_as_the_flag_does() {
        let mut flush = op("127.0.0.1:7803", Safety::Destructive);
        flush.db = Some(0);
        let expected = "127.0.0.1:7803/0";
        assert!(consents("127.0.0.1:7803/0", expected, &flush));
        assert!(consents(" 127.0.0.1:7803 ", expected, &flush));
        assert!(!consents("127.0.0.1:7803/1", expected, &flush));
        assert!(!consents("127.0.0.1:7804/0", expected, &flush));
        assert!(!consents("yes", expected, &flush));
        let kill = op("10.0.0.5:6379", Safety::Destructive);
        assert!(consents("10.0.0.5:6379", "10.0.0.5:6379", &kill));
        assert!(!consents("10.0.0.5:6379/2", "10.0.0.5:6379", &kill));
        let forced = op("10.0.0.5:7001", Safety::Destructive);
        assert!(consents(
            "force 10.0.0.5:7001",
            "force 10.0.0.5:7001",
            &forced
        ));
        assert!(!consents("10.0.0.5:7001", "force 10.0.0.5:7001", &forced));
    }

    fn yes(confirm: Option<&str>) -> Mutator {
        Mutator::new(
            Policy {
                mode: Mode::Yes,
                confirm_destructive: confirm.map(|c| NodeAddr::parse(c).unwrap()),
                confirm_db: None,
                audit: None,
            },
            "redis://x".into(),
        )
    }

    #[test]
    fn yes_consents_to_safe_and_to_destructive_on_the_named_node_only() {
        let mut m = yes(Some("10.0.0.1:6379"));
        assert!(matches!(
            m.decide(&op("10.0.0.2:6379", Safety::Safe)),
            Decision::Apply(_)
        ));
        assert!(matches!(
            m.decide(&op("10.0.0.1:6379", Safety::Destructive)),
            Decision::Apply(_)
        ));
        assert!(matches!(
            m.decide(&op("10.0.0.2:6379", Safety::Destructive)),
            Decision::Skip(why) if why.contains("--confirm-destructive 10.0.0.2:6379")
        ));
        assert!(matches!(
            m.decide(&op("10.0.0.1:6379", Safety::Unsafe)),
            Decision::Apply(_)
        ));
        assert!(matches!(
            m.decide(&op("10.0.0.2:6379", Safety::Unsafe)),
            Decision::Skip(_)
        ));
        let mut m = yes(None);
        assert!(matches!(
            m.decide(&op("10.0.0.1:6379", Safety::Destructive)),
            Decision::Skip(_)
        ));
    }

    #[test]
    fn a_consent_covers_its_nodes_and_verbs_and_nothing_else() {
        let mut m = yes(Some("10.0.0.1:6379"));
        let mut flush = op("10.0.0.1:6379", Safety::Destructive);
        flush.targets = vec![NodeAddr::parse("10.0.0.2:6379").unwrap()];
        flush.commands = vec![vec!["UNLINK".into(), "k".into()]];
        let Decision::Apply(consent) = m.decide(&flush) else {
            panic!("consented")
        };
        let (a, b, c) = (
            NodeAddr::parse("10.0.0.1:6379").unwrap(),
            NodeAddr::parse("10.0.0.2:6379").unwrap(),
            NodeAddr::parse("10.0.0.3:6379").unwrap(),
        );
        assert_eq!(consent.refuses(&a, "UNLINK"), None);
        assert_eq!(consent.refuses(&b, "UNLINK"), None);
        assert!(consent
            .refuses(&c, "UNLINK")
            .unwrap()
            .contains("10.0.0.3:6379"));
        assert!(consent
            .refuses(&a, "FLUSHALL")
            .unwrap()
            .contains("covers UNLINK only"));
        // A part of the operation is covered; another operation is not.
        let mut part = flush.clone();
        part.node = b.clone();
        part.targets.clear();
        assert!(consent.covers(&part).is_ok());
        let mut other = flush.clone();
        other.commands = vec![vec![
            "CONFIG".into(),
            "SET".into(),
            "save".into(),
            String::new(),
        ]];
        assert!(consent.covers(&other).is_err());
    }

    #[test]
    fn dry_run_plans_everything() {
        let mut m = yes(None);
        m.policy.mode = Mode::DryRun;
        assert!(matches!(
            m.decide(&op("h:1", Safety::Destructive)),
            Decision::Planned
        ));
    }
}
