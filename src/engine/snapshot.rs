//! `cachectl snapshot` and `diagnose --from-snapshot`: the evidence bundle
//! taken (a diagnosis, then every node and the application twice,
//! `interval` apart) and judged again from its recorded facts.

use std::time::{Duration, SystemTime};

use serde_json::json;

use super::{diagnose, topology, Context, Diagnosis};
use crate::error::{CliError, Status};
use crate::facts::record::Recorded;
use crate::facts::Facts;
use crate::findings::Report;
use crate::http::probe::{fetch, App, Fetched};
use crate::render::view::Viewed;
use crate::runbook::RunbookSet;
use crate::snapshot::{self, Bundle};
use crate::target::topology::Kind;
use crate::target::TargetSpec;

/// Takes the bundle of `spec` (and its topology's nodes): the diagnosis
/// first, then two points `interval` apart. Returns it with the
/// diagnosis's status.
pub fn take(
    ctx: &Context<'_>,
    spec: &TargetSpec,
    app: Option<&App>,
    interval: Duration,
    load: impl FnOnce() -> Result<RunbookSet, CliError> + Send,
) -> Result<(Bundle, Status), CliError> {
    let started = SystemTime::now();
    let d: Diagnosis = diagnose(ctx, spec, app, load)?;
    let mut bundle = Bundle::default();
    let all: Vec<&Facts> = std::iter::once(&d.facts).chain(d.others.iter()).collect();
    let cluster = d.topology.as_ref().is_some_and(|t| t.kind == Kind::Cluster);
    let nodes: Vec<TargetSpec> = all.iter().map(|f| d.spec.at(f.node.addr.clone())).collect();
    // One connection a node, for both points.
    let sessions: Vec<Option<crate::target::connect::Session>> = ctx.runtime.block_on(async {
        let mut out = Vec::new();
        for n in &nodes {
            out.push(crate::target::connect::connect(n, &ctx.timeouts).await.ok());
        }
        out
    });
    let mut times = Vec::new();
    for (i, point) in ["t0", "t1"].iter().enumerate() {
        if i == 1 {
            ctx.runtime
                .block_on(async { tokio::time::sleep(interval).await });
        }
        times.push(humantime::format_rfc3339_seconds(SystemTime::now()).to_string());
        for (n, s) in nodes.iter().zip(&sessions) {
            let dir = format!("{point}/{}", snapshot::node_dir(&n.addr));
            match s {
                Some(s) => ctx
                    .runtime
                    .block_on(snapshot::node(s, cluster, &dir, &mut bundle)),
                None => bundle.add(format!("{dir}/unreachable.error"), "no connection"),
            }
        }
        if let Some(app) = app {
            let steps: Vec<_> = d
                .runbooks
                .http_steps()
                .into_iter()
                .cloned()
                .map(|mut s| {
                    s.format = crate::runbook::model::BodyFormat::Text;
                    s.cache = false;
                    s.rates = false;
                    s
                })
                .collect();
            for step in steps {
                let got = ctx.runtime.block_on(fetch(app, &step));
                let path = format!("{point}/app/{}.txt", step.id);
                match got {
                    Fetched::Response { status, body, .. } => bundle.add(
                        path,
                        &format!(
                            "{} {}\nHTTP {status}\n\n{}",
                            step.method,
                            step.path,
                            String::from_utf8_lossy(&body)
                        ),
                    ),
                    Fetched::Failed { kind, detail, .. } => bundle.add(
                        path.replace(".txt", ".error"),
                        &format!("{} {}: {kind}: {detail}", step.method, step.path),
                    ),
                }
            }
        }
    }
    if let Some(t) = &d.topology {
        bundle.add_json(format!("t0/{}.json", t.kind.as_str()), &t.fact);
    }
    let report = &d.report;
    bundle.add_json(
        "report.json",
        &serde_json::to_value(Viewed { report, view: None }).unwrap_or_default(),
    );
    bundle.add("report.md", &crate::render::markdown::report(report));
    let recorded = Recorded::of(&all, d.topology.as_ref());
    bundle.add("facts.json", &recorded.to_json());
    let servers: Vec<serde_json::Value> = all
        .iter()
        .map(|f| {
            json!({
                "node": f.node.addr.to_string(),
                "role": f.node.role,
                "server": f.server(),
            })
        })
        .collect();
    let readme = snapshot::readme(&report.target, interval.as_secs_f64(), &bundle.files);
    bundle.add("README.md", &readme);
    let manifest = bundle.manifest(json!({
        "tool": format!("cachectl {}", env!("CARGO_PKG_VERSION")),
        "target": report.target,
        "started": humantime::format_rfc3339_seconds(started).to_string(),
        "points": times,
        "interval_s": interval.as_secs_f64(),
        "nodes": servers,
        "status": report.status,
    }));
    bundle.add_json("manifest.json", &manifest);
    Ok((bundle, report.status))
}

/// The runbooks judged again on a bundle's recorded facts, with no server.
pub fn replay(
    ctx: &Context<'_>,
    root: &std::path::Path,
    runbooks: &RunbookSet,
) -> Result<Report, CliError> {
    let bad = |why: String| CliError::Usage(format!("--from-snapshot {}: {why}", root.display()));
    let files = snapshot::read(root).map_err(|e| bad(e.to_string()))?;
    let facts = files
        .get("facts.json")
        .ok_or_else(|| bad("no facts.json: not a cachectl snapshot".into()))?;
    let manifest: serde_json::Value = files
        .get("manifest.json")
        .and_then(|m| serde_json::from_slice(m).ok())
        .unwrap_or_default();
    let recorded = Recorded::parse("facts.json", &String::from_utf8_lossy(facts)).map_err(bad)?;
    let (mut all, mut topology) = recorded.facts().map_err(bad)?;
    topology::share_hosts(all.iter_mut());
    let refs: Vec<&Facts> = all.iter().collect();
    if let Some(t) = topology.as_mut() {
        topology::cross_node(t, &refs);
    }
    let evaluation = topology::evaluate_all(runbooks, &refs, topology.as_ref(), Some(ctx.deadline));
    let mut report = Report::new(
        manifest["target"]
            .as_str()
            .unwrap_or("(snapshot)")
            .to_string(),
        None,
        refs.iter().map(|f| f.node.clone()).collect(),
        evaluation,
        super::unavailable_of(&refs),
        ctx.elapsed_ms(),
    );
    report.command = "diagnose".into();
    report.topology = topology.as_ref().map(|t| t.kind);
    report.server = refs.first().and_then(|f| f.server());
    report.figures = super::figures_of(refs.iter().copied());
    Ok(report)
}
