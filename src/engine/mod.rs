//! The engine every command calls: resolve the target, collect its facts
//! under the run's deadline, evaluate the runbooks, render, and remediate
//! through the one mutation path. Command files are glue around it.

mod cores;
pub mod dump;
pub mod fleet;
pub mod snapshot;
pub mod topology;
pub mod watch;
pub mod writer;

use std::time::{Duration, Instant};

use crate::error::CliError;
use crate::error::Status;
use crate::facts::collect::collect_until;
use crate::facts::Facts;
use crate::findings::report::AppSummary;
use crate::findings::{evaluate, After, Report};
use crate::http::probe::App;
use crate::interrupt::{interrupted, Interrupt};
use crate::mutate::Mutator;
use crate::remediate::{self, Walk};
use crate::render::document::Part;
use crate::render::view::DoorView;
use crate::render::Format;
use crate::render::{self, Printer};
use crate::runbook::expr::HTTP_ROOT;
use crate::runbook::RunbookSet;
use crate::target::connect::{CommandFailure, ConnectFailure, FailureKind};
use crate::target::{TargetSpec, Timeouts};

/// What one run shares: the printer, the async runtime, the time limits
/// and the deadline every step of the run answers to.
pub struct Context<'p> {
    pub printer: &'p Printer,
    /// The command run (`diagnose`, `clients kill`): its documents say so.
    pub command: &'static str,
    pub runtime: tokio::runtime::Runtime,
    pub timeouts: Timeouts,
    pub started: Instant,
    pub deadline: Instant,
}

impl<'p> Context<'p> {
    pub fn new(
        printer: &'p Printer,
        timeouts: Timeouts,
        command: &'static str,
    ) -> Result<Context<'p>, CliError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::Other(anyhow::anyhow!("cannot start the async runtime: {e}")))?;
        let started = Instant::now();
        Ok(Context {
            printer,
            command,
            runtime,
            timeouts,
            started,
            deadline: started + timeouts.overall,
        })
    }

    fn tokio_deadline(&self) -> tokio::time::Instant {
        tokio::time::Instant::from_std(self.deadline)
    }

    /// When collecting must stop: a little before the deadline, so that
    /// evaluating and rendering what arrived still fit in --timeout.
    fn collect_deadline(&self) -> tokio::time::Instant {
        let reserve = (self.timeouts.overall / 20)
            .clamp(Duration::from_millis(20), Duration::from_millis(250));
        self.tokio_deadline() - reserve
    }

    /// Milliseconds since the run started, to a tenth.
    pub fn elapsed_ms(&self) -> f64 {
        (self.started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0
    }

    /// Writes a report, and the door's view beside it, in the chosen
    /// format: for a table, `part` of it.
    pub fn emit(
        &self,
        format: Format,
        report: &Report,
        view: Option<&DoorView>,
        part: Part,
    ) -> Result<(), CliError> {
        let doc = render::document::Document::Report { report, view, part };
        format.renderer().render(&doc, self.printer)
    }

    /// `emit` of a diagnosis: its report and its door's view.
    pub fn show(&self, format: Format, diagnosis: &Diagnosis, part: Part) -> Result<(), CliError> {
        self.emit(format, &diagnosis.report, diagnosis.view.as_ref(), part)
    }
}

/// A diagnosis: the report and what it was made from.
pub struct Diagnosis {
    pub report: Report,
    /// The door's own view (memory, clients, slowlog, latency), beside the
    /// report.
    pub view: Option<DoorView>,
    /// The node the run is about: the target, or the primary its Sentinels
    /// name (for a Cluster, the node named).
    pub spec: TargetSpec,
    pub facts: Facts,
    /// The other nodes of a Sentinel or Cluster target.
    pub others: Vec<Facts>,
    pub topology: Option<crate::target::topology::Topology>,
    pub runbooks: RunbookSet,
    /// The application (--app), where its actions are sent.
    pub app: Option<App>,
}

/// Collects the node's facts (and the application's, once the runbooks say
/// which endpoints to ask) under the run's deadline, and evaluates the
/// runbooks. The collection waits on the network on a thread of its own
/// while this one runs `load`, compiling the runbooks, which is CPU work:
/// here, because glibc grows the main thread's heap in large steps and a
/// new thread's arena a page at a time, a system call each, and compiling
/// makes most of a healthy run's allocations. The two threads are kept on
/// different cores while both work (`cores`). A Sentinel
/// target is located first (the primary its Sentinels name); a Sentinel or
/// Cluster target has every node collected and evaluated, and the
/// topology's own checks.
pub fn diagnose(
    ctx: &Context<'_>,
    spec: &TargetSpec,
    app: Option<&App>,
    load: impl FnOnce() -> Result<RunbookSet, CliError> + Send,
) -> Result<Diagnosis, CliError> {
    let deadline = ctx.collect_deadline();
    let (loaded_tx, loaded_rx) = tokio::sync::oneshot::channel::<Result<RunbookSet, CliError>>();
    let (spec, mut topology, mut facts, (runbooks, app_facts)) = std::thread::scope(|scope| {
        let (runtime, timeouts) = (&ctx.runtime, &ctx.timeouts);
        let collect = move || {
            let (spec, topology) = runtime.block_on(topology::locate(spec, timeouts, deadline))?;
            let (facts, rest) = runtime.block_on(async {
                let app_side = async {
                    let runbooks = loaded_rx.await.unwrap_or_else(|_| {
                        Err(CliError::Other(anyhow::anyhow!("runbook loading panicked")))
                    });
                    let app_facts = match (app, &runbooks) {
                        (Some(app), Ok(set)) => {
                            let steps = set.http_steps().into_iter().cloned().collect();
                            Some(crate::http::collect::collect(app, steps, deadline).await)
                        }
                        _ => None,
                    };
                    (runbooks, app_facts)
                };
                // Through Sentinels none of which named a primary, there is no
                // node to ask: say so as the node's connection.
                let unlocated = match (&spec.via, topology.as_ref()) {
                    (crate::target::Via::Sentinel(s), Some(t)) if t.primary().is_none() => {
                        Some(unlocated_reason(&s.master, t))
                    }
                    _ => None,
                };
                let node = async {
                    match &unlocated {
                        Some(why) => crate::facts::collect::unlocated(&spec, why),
                        None => collect_until(&spec, timeouts, deadline, None).await,
                    }
                };
                tokio::join!(node, app_side)
            });
            Ok::<_, CliError>((spec, topology, facts, rest))
        };
        // The compile keeps this core; the collecting thread, woken by
        // each reply, runs on another rather than waiting behind it.
        let (held, elsewhere) = cores::hold();
        let collecting = scope.spawn(move || {
            elsewhere.go();
            collect()
        });
        // A new thread may be queued on this core: let it move off (and
        // start connecting) before the compiling holds the core.
        std::thread::yield_now();
        let _ = loaded_tx.send(load());
        // CEL's standard library, which evaluating needs, is made now
        // rather than after the node has answered.
        crate::runbook::expr::environment();
        drop(held);
        collecting
            .join()
            .unwrap_or_else(|_| Err(CliError::Other(anyhow::anyhow!("collecting panicked"))))
    })?;
    let runbooks = runbooks?;
    refuse_missing_db(&spec, &facts)?;
    if let Some(value) = app_facts {
        facts.values.insert("http".into(), value);
    }
    if topology.is_none() && topology::is_cluster(&spec, &facts) {
        match ctx
            .runtime
            .block_on(topology::cluster_of(&spec, &ctx.timeouts, deadline))
        {
            Ok(t) => topology = Some(t),
            Err(e) => ctx.printer.status(&format!(
                "{} is a Cluster node, but its view of the Cluster could not be read: {}",
                spec.addr,
                render::clean(&e)
            )),
        }
    }
    // Replicas the primary knows that the Sentinels did not name.
    if let Some(t) = topology
        .as_mut()
        .filter(|t| t.kind == crate::target::topology::Kind::Sentinel)
    {
        let listed = facts.get("replicas").and_then(|r| r.as_array()).cloned();
        for r in listed.unwrap_or_default() {
            let (Some(ip), Some(port)) = (r["ip"].as_str(), r["port"].as_u64()) else {
                continue;
            };
            let addr = crate::target::NodeAddr::tcp(ip, port as u16);
            if !t.members.iter().any(|m| m.addr == addr) {
                t.members.push(crate::target::topology::Member {
                    addr,
                    role: crate::target::Role::Replica,
                });
            }
        }
    }
    let mut others = match &topology {
        Some(t) => ctx.runtime.block_on(topology::collect_others(
            &spec,
            t,
            &facts.node.addr,
            &ctx.timeouts,
            deadline,
        )),
        None => Vec::new(),
    };
    join_nodes(topology.as_mut(), &mut facts, &mut others);
    let all: Vec<&Facts> = std::iter::once(&facts).chain(others.iter()).collect();
    let evaluation = topology::evaluate_all(&runbooks, &all, topology.as_ref(), Some(ctx.deadline));
    let nodes: Vec<crate::target::Node> = all.iter().map(|f| f.node.clone()).collect();
    let unavailable = unavailable_of(&all);
    let mut report = Report::new(
        spec.redacted_url(),
        app.map(App::redacted),
        nodes,
        evaluation,
        unavailable,
        ctx.elapsed_ms(),
    );
    report.command = ctx.command.into();
    report.topology = topology.as_ref().map(|t| t.kind);
    report.application = app.map(|_| AppSummary::of(facts.get(HTTP_ROOT), &report.checks));
    report.replaced_runbooks = runbooks.overrides();
    report.server = facts.server();
    report.figures = figures_of(std::iter::once(&facts).chain(&others));
    Ok(Diagnosis {
        report,
        spec,
        facts,
        others,
        topology,
        runbooks,
        app: app.cloned(),
        view: None,
    })
}

/// What needs every node's facts at once: the topology's roles where a
/// node could not tell its own, the nodes sharing a host, and the
/// topology's cross-node facts.
fn join_nodes(
    topology: Option<&mut crate::target::topology::Topology>,
    facts: &mut Facts,
    others: &mut [Facts],
) {
    if let Some(t) = &topology {
        for f in std::iter::once(&mut *facts).chain(others.iter_mut()) {
            if f.node.role == crate::target::Role::Unknown {
                if let Some(m) = t.members.iter().find(|m| m.addr == f.node.addr) {
                    f.node.role = m.role;
                }
            }
        }
    }
    topology::share_hosts(std::iter::once(&mut *facts).chain(others.iter_mut()));
    if let Some(t) = topology {
        let all: Vec<&Facts> = std::iter::once(&*facts).chain(others.iter()).collect();
        topology::cross_node(t, &all);
    }
}

/// Every node's unavailable facts, each naming its node.
fn unavailable_of(all: &[&Facts]) -> Vec<crate::facts::Unavailable> {
    all.iter()
        .flat_map(|f| {
            f.unavailable.values().cloned().map(|mut u| {
                u.node = Some(f.node.addr.clone());
                u
            })
        })
        .collect()
}

impl Diagnosis {
    /// The nodes that hold the data: a Cluster's primaries that answered,
    /// or the one node.
    pub fn primaries(&self) -> Vec<TargetSpec> {
        match &self.topology {
            Some(t) if t.kind == crate::target::topology::Kind::Cluster => {
                std::iter::once(&self.facts)
                    .chain(self.others.iter())
                    .filter(|f| {
                        f.node.role == crate::target::Role::Primary
                            && f.get("connection").is_some_and(|c| c["ok"] == true)
                    })
                    .map(|f| self.spec.at(f.node.addr.clone()))
                    .collect()
            }
            _ => vec![self.spec.clone()],
        }
    }

    /// Evaluates the runbooks again over the facts (after facts were added,
    /// a key scan), keeping the rest of the report.
    pub fn reassess(&mut self, ctx: &Context<'_>) {
        let all: Vec<&Facts> = std::iter::once(&self.facts)
            .chain(self.others.iter())
            .collect();
        let evaluation = topology::evaluate_all(&self.runbooks, &all, self.topology.as_ref(), None);
        // A fact the door failed to add (a key scan) is said with the rest.
        self.report.unavailable = unavailable_of(&all);
        self.take(evaluation, ctx.elapsed_ms());
    }

    /// The diagnosis of the same nodes read again (`cachectl watch`): the
    /// facts replaced, the runbooks evaluated over them, the report's
    /// nodes, findings and unavailable facts those of now.
    pub fn renew(
        &mut self,
        mut facts: Facts,
        mut others: Vec<Facts>,
        duration_ms: f64,
        deadline: std::time::Instant,
    ) {
        join_nodes(self.topology.as_mut(), &mut facts, &mut others);
        let all: Vec<&Facts> = std::iter::once(&facts).chain(others.iter()).collect();
        let evaluation =
            topology::evaluate_all(&self.runbooks, &all, self.topology.as_ref(), Some(deadline));
        self.report.nodes = all.iter().map(|f| f.node.clone()).collect();
        self.report.unavailable = unavailable_of(&all);
        if let Some(server) = facts.server() {
            self.report.server = Some(server);
        }
        self.facts = facts;
        self.others = others;
        self.take(evaluation, duration_ms);
    }

    /// The report's verdict from `evaluation`, the rest of it kept.
    fn take(&mut self, evaluation: crate::findings::Evaluation, duration_ms: f64) {
        let fresh = Report::new(
            self.report.target.clone(),
            self.report.app.clone(),
            self.report.nodes.clone(),
            evaluation,
            self.report.unavailable.clone(),
            duration_ms,
        );
        self.report.status = fresh.status;
        self.report.score = fresh.score;
        self.report.findings = fresh.findings;
        self.report.skipped = fresh.skipped;
        self.report.checks = fresh.checks;
        if self.report.application.is_some() {
            self.report.application = Some(AppSummary::of(
                self.facts.get(HTTP_ROOT),
                &self.report.checks,
            ));
        }
        self.report.duration_ms = fresh.duration_ms;
        self.report.verdicts = fresh.verdicts;
        self.report.figures = figures_of(std::iter::once(&self.facts).chain(&self.others));
    }
}

/// The key figures of each node that answered INFO.
fn figures_of<'a>(all: impl Iterator<Item = &'a Facts>) -> Vec<crate::facts::figures::KeyFigures> {
    all.filter_map(crate::facts::figures::KeyFigures::of)
        .collect()
}

/// Whether the node a command is about to read or write can be: reachable,
/// authenticated and Redis.
pub enum Reach {
    /// It can: the node (for a Sentinel target, the primary they name) and
    /// what the gate read of it (`facts::collect::Scope::Gate`: the
    /// connection, INFO, ROLE, CONFIG).
    Open(Box<Reached>),
    /// It cannot: the verdict was printed as `diagnose` prints it (the same
    /// finding), and this is its status (the same exit code).
    Closed(Status),
}

/// A node the gate let through.
pub struct Reached {
    pub spec: TargetSpec,
    pub facts: Facts,
}

/// Establishes that the target a command works on is reachable,
/// authenticated and Redis, before the command reads or writes it of its
/// own accord (flush, warm, clients kill, failover): the gate runbook
/// (`runbook::load::GATE`) over the node's gate facts. For a Sentinel
/// target the node is the primary they name; none named is a verdict too.
pub fn reach(ctx: &Context<'_>, spec: &TargetSpec, format: Format) -> Result<Reach, CliError> {
    let deadline = ctx.collect_deadline();
    let (located, topology) =
        ctx.runtime
            .block_on(topology::locate(spec, &ctx.timeouts, deadline))?;
    let facts = match (&spec.via, topology.as_ref()) {
        (crate::target::Via::Sentinel(s), Some(t)) if t.primary().is_none() => {
            crate::facts::collect::unlocated(&located, &unlocated_reason(&s.master, t))
        }
        _ => ctx.runtime.block_on(crate::facts::collect::collect_scoped(
            &located,
            &ctx.timeouts,
            deadline,
            None,
            crate::facts::collect::Scope::Gate,
        )),
    };
    refuse_missing_db(&located, &facts)?;
    let set = crate::runbook::load::load_gate()?;
    let evaluation = evaluate(&set, &facts, Some(ctx.deadline));
    let blocked = evaluation
        .findings
        .iter()
        .any(|f| f.severity >= crate::model::Severity::Warning);
    if !blocked {
        return Ok(Reach::Open(Box::new(Reached {
            spec: located,
            facts,
        })));
    }
    let unavailable = facts
        .unavailable
        .values()
        .cloned()
        .map(|mut u| {
            u.node = Some(facts.node.addr.clone());
            u
        })
        .collect();
    let mut report = Report::new(
        located.redacted_url(),
        None,
        vec![facts.node.clone()],
        evaluation,
        unavailable,
        ctx.elapsed_ms(),
    );
    report.server = facts.server();
    report.figures = figures_of(std::iter::once(&facts));
    report.command = ctx.command.into();
    ctx.emit(format, &report, None, Part::Diagnosis)?;
    Ok(Reach::Closed(report.status))
}

/// Why a Sentinel target has no node: none of its Sentinels named a primary.
fn unlocated_reason(master: &str, t: &crate::target::topology::Topology) -> String {
    let named = crate::target::sentinel::namings(&t.fact);
    if named.is_empty() {
        return format!(
            "no Sentinel named a primary for `{master}` ({} of {} Sentinels answered)",
            t.fact["reachable"], t.fact["sentinels"]
        );
    }
    let who: Vec<String> = named
        .iter()
        .map(|(primary, by)| format!("{primary} (named by {by})"))
        .collect();
    format!(
        "no majority of the {} answering Sentinels names one primary for `{master}`: {}; no node is connected to on a minority's word",
        t.fact["reachable"],
        who.join("; ")
    )
}

/// A database the server does not have is the operator's mistake (exit 3),
/// not an incident.
fn refuse_missing_db(spec: &TargetSpec, facts: &Facts) -> Result<(), CliError> {
    match facts.get("connection") {
        Some(conn) if conn["error"] == "no_such_db" => Err(missing_db(
            spec,
            conn["detail"].as_str().unwrap_or_default(),
        )),
        _ => Ok(()),
    }
}

fn missing_db(spec: &TargetSpec, detail: &str) -> CliError {
    CliError::Usage(format!(
        "the target's database {} does not exist on {} ({detail}): fix the /DB part of --url, or REDIS_DB",
        spec.db, spec.addr,
    ))
}

/// A connection a command needed for its own work and did not get, judged
/// as redis-unreachable.yaml judges it: a database the server lacks is the
/// operator's mistake, a refused password unknown (both exit 3); no answer
/// of any other kind is critical (exit 2), never a quiet error.
pub fn cannot_connect(spec: &TargetSpec, f: &ConnectFailure) -> CliError {
    let why = format!("cannot connect to {}: {}", spec.addr, f.detail);
    match f.kind {
        FailureKind::NoSuchDb => missing_db(spec, &f.detail),
        FailureKind::AuthFailed | FailureKind::AuthRequired => CliError::Usage(why),
        _ => CliError::Unreachable(why),
    }
}

/// The primaries of a Cluster the node at `spec` belongs to, or just the
/// node when it is not in one.
pub fn shards(
    ctx: &Context<'_>,
    spec: &TargetSpec,
    facts: &Facts,
) -> Result<Vec<TargetSpec>, CliError> {
    if !topology::is_cluster(spec, facts) {
        return Ok(vec![spec.clone()]);
    }
    let found = ctx
        .runtime
        .block_on(topology::cluster_of(
            spec,
            &ctx.timeouts,
            ctx.collect_deadline(),
        ))
        .map_err(|e| {
            CliError::Other(anyhow::anyhow!(
                "{} is a Cluster node, but its view of the Cluster could not be read: {e}",
                spec.addr
            ))
        })?;
    Ok(found
        .members
        .iter()
        .filter(|m| m.role == crate::target::Role::Primary)
        .map(|m| spec.at(m.addr.clone()))
        .collect())
}

/// A replica is refused for writes, naming its primary.
pub fn refuse_replica(spec: &TargetSpec, facts: &Facts, verb: &str) -> Result<(), CliError> {
    if facts.node.role == crate::target::Role::Replica {
        let primary = facts
            .get("role")
            .and_then(|r| r["primary"].as_str())
            .unwrap_or("its primary")
            .to_string();
        return Err(CliError::Usage(format!(
            "{} is a replica: {verb} on the primary, {primary}",
            spec.addr
        )));
    }
    Ok(())
}

/// Connects to the target for a command's own work (a full CLIENT LIST, a
/// scan), under the run's time limits.
pub fn session(
    ctx: &Context<'_>,
    spec: &TargetSpec,
) -> Result<crate::target::connect::Session, CliError> {
    ctx.runtime
        .block_on(crate::target::connect::connect(spec, &ctx.timeouts))
        .map_err(|f| cannot_connect(spec, &f))
}

/// Scans the keyspace of the target's database (of each of `nodes`, a
/// Cluster's primaries, into one report) with a progress bar on stderr,
/// until the end, the scan's deadline or Ctrl-C. `Err`: the run cannot go
/// on (a node not reached, a resume file refused); `Ok(Err)`: the scan
/// itself failed (SCAN refused, malformed, cut), a fact not had.
pub fn scan_keys(
    ctx: &Context<'_>,
    nodes: &[TargetSpec],
    opts: &crate::scan::ScanOptions,
) -> Result<Result<crate::scan::tally::KeyspaceReport, CommandFailure>, CliError> {
    let sessions = nodes
        .iter()
        .map(|n| session(ctx, n))
        .collect::<Result<Vec<_>, _>>()?;
    let resume = match &opts.resume {
        Some(path) => {
            let names: Vec<String> = nodes.iter().map(|n| n.addr.to_string()).collect();
            let db = nodes.first().map_or(0, |n| n.db);
            Some(
                crate::scan::resume::Resume::open(path, "memory --keys", &opts.scope(db), &names)
                    .map_err(CliError::Usage)?,
            )
        }
        None => None,
    };
    let bar = render::progress::Bar::new("keys");
    let scanned = ctx.runtime.block_on(crate::scan::run(
        &sessions,
        opts,
        &bar,
        interrupted(),
        resume,
    ));
    Ok(scanned.map(|mut report| {
        if nodes.len() > 1 {
            report.nodes = nodes.iter().map(|n| n.addr.to_string()).collect();
        }
        report
    }))
}

/// A topic front door (memory, clients, slowlog, latency) between its
/// diagnosis and its end: the pipeline each of them runs, with room for the
/// door's own view (a scan, the client list, the slow log) in between.
pub struct Door<'p> {
    pub ctx: Context<'p>,
    pub spec: TargetSpec,
    pub diagnosis: Diagnosis,
    policy: Option<crate::mutate::Policy>,
    format: Format,
}

/// What a front door is asked: the node, the time limits, the runbooks'
/// extra directories, whether (and how) to fix, and the output.
pub struct DoorSettings {
    pub spec: TargetSpec,
    pub timeouts: Timeouts,
    pub runbook_dirs: Vec<std::path::PathBuf>,
    /// A context's thresholds and checks to skip.
    pub tuning: crate::runbook::Tuning,
    /// `--fix`, with how writes are made; none without it.
    pub policy: Option<crate::mutate::Policy>,
    pub format: Format,
    /// The front door's name, for its documents.
    pub command: &'static str,
}

impl<'p> Door<'p> {
    /// Diagnoses the node with the runbooks of `topic`.
    pub fn open(
        settings: DoorSettings,
        printer: &'p Printer,
        topic: &str,
    ) -> Result<Door<'p>, CliError> {
        let DoorSettings {
            spec,
            timeouts,
            runbook_dirs,
            tuning,
            policy,
            format,
            command,
        } = settings;
        let ctx = Context::new(printer, timeouts, command)?;
        let diagnosis = diagnose(&ctx, &spec, None, || {
            Ok(crate::runbook::load_tuned(&runbook_dirs, &tuning)?.with_topic(topic))
        })?;
        let spec = diagnosis.spec.clone();
        Ok(Door {
            ctx,
            spec,
            diagnosis,
            policy,
            format,
        })
    }

    /// Whether the node answered: a door's own view needs a connection.
    pub fn connected(&self) -> bool {
        self.diagnosis
            .facts
            .get("connection")
            .is_some_and(|c| c["ok"] == true)
    }

    /// Prints the diagnosis and its view, and walks the fixes under --fix.
    pub fn finish(self) -> Result<crate::error::Status, CliError> {
        finish(&self.ctx, self.diagnosis, self.policy, self.format)
    }
}

/// Prints the report and, with a policy, walks its fixes; the status is
/// that of the state the node is left in.
pub fn finish(
    ctx: &Context<'_>,
    mut diagnosis: Diagnosis,
    policy: Option<crate::mutate::Policy>,
    format: Format,
) -> Result<crate::error::Status, CliError> {
    let Some(policy) = policy else {
        ctx.show(format, &diagnosis, Part::Diagnosis)?;
        let status = diagnosis.report.status;
        let_the_process_free(diagnosis);
        return Ok(status);
    };
    // For people, the findings first: the walk's questions refer to them.
    if format == Format::Table {
        ctx.show(format, &diagnosis, Part::Diagnosis)?;
    }
    let mut mutator = Mutator::new(policy, diagnosis.report.target.clone());
    // Without prompts, Ctrl-C stops the walk between fixes, with the report
    // of what was done. (At a prompt it keeps its usual meaning: the
    // terminal's, ending the run where it waits.)
    if mutator.policy.mode != crate::mutate::Mode::Interactive {
        let stop = ctx.runtime.block_on(async { Interrupt::catch() });
        mutator.heed(stop.flag());
    }
    remediate(ctx, &mut diagnosis, &mut mutator);
    ctx.show(format, &diagnosis, Part::Remediation)?;
    let report = &diagnosis.report;
    let status = report.after.as_ref().map_or(report.status, |a| a.status);
    let_the_process_free(diagnosis);
    Ok(status)
}

/// A printed diagnosis is the run's last use of it, and the process ends
/// next: freeing its compiled runbooks and facts one allocation at a time
/// (some 20,000) would cost a tenth of a healthy run, which exit does at
/// once.
fn let_the_process_free(diagnosis: Diagnosis) {
    std::mem::forget(diagnosis);
}

/// Walks the diagnosis's fixes through the mutation path and records what
/// was done and the state after in its report.
pub fn remediate(ctx: &Context<'_>, diagnosis: &mut Diagnosis, mutator: &mut Mutator) {
    // A walk a node, over the findings on that node, with its own facts and
    // connection: the target's first, then a topology's other nodes in
    // report order. A topology's own findings (a Sentinel's, a Cluster's)
    // are about no single node: their fixes are for the operator.
    let findings = diagnosis.report.findings.clone();
    let mut nodes: Vec<(&Facts, TargetSpec)> = vec![(&diagnosis.facts, diagnosis.spec.clone())];
    for other in &diagnosis.others {
        nodes.push((other, diagnosis.spec.at(other.node.addr.clone())));
    }
    let policy = &mutator.policy;
    let confirmed = policy
        .confirm_destructive
        .as_ref()
        .map(|n| match policy.confirm_db {
            Some(db) => format!("{n}/{db}"),
            None => n.to_string(),
        });
    let mut remediation = crate::findings::remediation::Remediation {
        mode: mutator.policy.mode,
        confirmed,
        audit_log: mutator
            .policy
            .audit
            .as_ref()
            .map(|a| a.path.display().to_string()),
        actions: Vec::new(),
    };
    let mut after = crate::findings::evaluate::Evaluation::default();
    let mut rechecked = false;
    for (facts, spec) in &nodes {
        let mine: Vec<_> = findings
            .iter()
            .filter(|f| f.node == facts.node.addr)
            .cloned()
            .collect();
        if mine.iter().all(|f| f.fixes.is_empty()) {
            after.findings.extend(mine);
            continue;
        }
        let walk = Walk {
            set: &diagnosis.runbooks,
            app: diagnosis.app.as_ref(),
            facts,
            spec,
            timeouts: &ctx.timeouts,
            deadline: ctx.tokio_deadline(),
            printer: ctx.printer,
        };
        let (done, latest) = ctx.runtime.block_on(remediate::walk(&walk, &mine, mutator));
        remediation.actions.extend(done);
        match latest {
            Some(now) => {
                rechecked = true;
                after
                    .findings
                    .extend(evaluate(&diagnosis.runbooks, &now, None).findings);
            }
            None => after.findings.extend(mine),
        }
    }
    let topology_wide: Vec<_> = findings
        .iter()
        .filter(|f| !nodes.iter().any(|(n, _)| n.node.addr == f.node))
        .cloned()
        .collect();
    after.findings.extend(topology_wide);
    diagnosis.report.remediation = Some(remediation);
    if rechecked {
        diagnosis.report.after = Some(After::of(&after));
    }
}
