//! The set-up every writing command shares (flush, warm, clients kill,
//! failover): the run's context, the node written through, the consent
//! and audit path, and the report printed as one document.

use super::{reach, Context, Reach, Reached};
use crate::error::{CliError, Status};
use crate::facts::Facts;
use crate::mutate::preflight::NodeState;
use crate::mutate::{Mode, Mutator, Policy};
use crate::render::document::{Document, WriteView};
use crate::render::{self, Format, Printer};
use crate::target::{TargetSpec, Timeouts};

/// What a writing command is asked, beyond its own work: where, how long,
/// how writes are consented to, and the output.
pub struct WriteSettings {
    pub spec: TargetSpec,
    pub timeouts: Timeouts,
    pub policy: Policy,
    pub format: Format,
    /// `flush`, `warm`, `clients kill`, `failover`.
    pub command: &'static str,
}

/// A writing command's run: its context, its node and its one mutation
/// path (consent, preflight, audit).
pub struct Writer<'p> {
    pub ctx: Context<'p>,
    /// The node the command writes through (through Sentinels, the primary
    /// they name).
    pub spec: TargetSpec,
    pub mutator: Mutator,
    pub format: Format,
    /// The target's URL, redacted.
    pub target: String,
    /// What the gate read: the server and the node (none for a failover
    /// through Sentinels).
    server: Option<crate::facts::server::ServerId>,
    nodes: Vec<crate::target::Node>,
}

/// A writer past the gate, or the verdict that stopped it there.
pub enum Opened<'p> {
    /// The node can be written through; what the gate read of it.
    Ready(Box<Writer<'p>>, Box<Facts>),
    /// It cannot: the verdict was printed as `diagnose` prints it, and
    /// this is its status.
    Closed(Status),
}

impl<'p> Writer<'p> {
    /// Checks the target through the gate runbook (reachable,
    /// authenticated, Redis) before anything is written.
    pub fn open(printer: &'p Printer, settings: WriteSettings) -> Result<Opened<'p>, CliError> {
        let ctx = Context::new(printer, settings.timeouts, settings.command)?;
        match reach(&ctx, &settings.spec, settings.format)? {
            Reach::Closed(status) => Ok(Opened::Closed(status)),
            Reach::Open(reached) => {
                let Reached { spec, facts } = *reached;
                let mut writer = Writer::at(ctx, spec, settings.policy, settings.format);
                writer.gated(&facts);
                Ok(Opened::Ready(Box::new(writer), Box::new(facts)))
            }
        }
    }

    /// A writer whose target is not one node to gate (a failover through
    /// Sentinels, whose primary may be the node that is down).
    pub fn ungated(printer: &'p Printer, settings: WriteSettings) -> Result<Writer<'p>, CliError> {
        let ctx = Context::new(printer, settings.timeouts, settings.command)?;
        Ok(Writer::at(
            ctx,
            settings.spec,
            settings.policy,
            settings.format,
        ))
    }

    fn at(ctx: Context<'p>, spec: TargetSpec, policy: Policy, format: Format) -> Writer<'p> {
        let target = spec.redacted_url();
        Writer {
            ctx,
            mutator: Mutator::new(policy, target.clone()),
            spec,
            format,
            target,
            server: None,
            nodes: Vec::new(),
        }
    }

    /// Records what the gate read of the node (the server, the node and
    /// its role) for the report.
    pub fn gated(&mut self, facts: &Facts) {
        self.server = facts.server();
        self.nodes = vec![facts.node.clone()];
    }

    /// Records the nodes a report is about when no gate read them (a
    /// failover through Sentinels): the first is the primary.
    pub fn about(&mut self, nodes: &[crate::target::NodeAddr]) {
        if self.nodes.is_empty() {
            self.nodes = nodes
                .iter()
                .enumerate()
                .map(|(i, addr)| crate::target::Node {
                    addr: addr.clone(),
                    role: match i {
                        0 => crate::target::Role::Primary,
                        _ => crate::target::Role::Replica,
                    },
                })
                .collect();
        }
    }

    pub fn mode(&self) -> Mode {
        self.mutator.policy.mode
    }

    /// Where the audit log is written, for the report.
    pub fn audit_log(&self) -> Option<String> {
        self.mutator
            .policy
            .audit
            .as_ref()
            .map(|a| a.path.display().to_string())
    }

    /// Whether the node is a Cluster node: any node of a Cluster will do to
    /// write through (db 0 only, a Cluster has no other); outside one a
    /// replica is refused, naming its primary.
    pub fn write_node(&self, facts: &Facts, verb: &str) -> Result<bool, CliError> {
        let cluster = super::topology::is_cluster(&self.spec, facts);
        if !cluster {
            super::refuse_replica(&self.spec, facts, verb)?;
        } else if self.spec.db != 0 {
            return Err(CliError::Usage(format!(
                "db {}: a Cluster has only db 0",
                self.spec.db
            )));
        }
        Ok(cluster)
    }

    /// Renders the command's report in the run's format and returns
    /// `status`.
    pub fn finish(&self, view: &dyn WriteView, status: Status) -> Result<Status, CliError> {
        let doc = Document::Written {
            subject: render::json::Subject {
                command: self.ctx.command,
                target: &self.target,
                server: self.server.as_ref(),
                nodes: &self.nodes,
            },
            status,
            view,
        };
        self.format.renderer().render(&doc, self.ctx.printer)?;
        Ok(status)
    }
}

/// What the preflight knows of the node a writer writes through (`spec`),
/// from the gate's read: the user, what it runs, and that it is not a
/// replica (`Writer::write_node` refuses one).
pub fn node<'a>(spec: &'a TargetSpec, facts: &Facts) -> NodeState<'a> {
    NodeState {
        user: spec.username.as_deref().unwrap_or("default"),
        is_replica: false,
        server: facts.server(),
        fd_limit: Err("not needed to write keys or kill clients".into()),
    }
}
