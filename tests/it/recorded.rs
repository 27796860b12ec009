//! Runbook checks against facts recorded from real servers (tests/facts/,
//! made by scripts/record-facts with `cachectl diagnose --record-facts`):
//! every check's verdict on every recording is pinned by a snapshot, so a
//! change to a runbook shows what it changes on real data, and a new
//! scenario is one recording (and its runbook).

use std::path::Path;

use cachectl::engine::topology::evaluate_all;
use cachectl::facts::record::Recorded;
use cachectl::findings::evaluate::{Evaluation, Verdict};
use cachectl::runbook::load_all;

fn recordings() -> Vec<(String, Recorded)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/facts");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap();
            let recorded = Recorded::parse(&p.display().to_string(), &text).unwrap();
            (name, recorded)
        })
        .collect()
}

fn evaluated(recorded: &Recorded) -> Evaluation {
    let set = load_all(&[]).unwrap();
    let (facts, topology) = recorded.facts().unwrap();
    let nodes: Vec<_> = facts.iter().collect();
    evaluate_all(&set, &nodes, topology.as_ref(), None)
}

/// Every check, one line each: fired (severity, message), passed, skipped
/// (why) or not applicable.
fn verdicts(e: &Evaluation) -> String {
    let mut out = String::new();
    for v in &e.verdicts {
        let what = match v.verdict {
            Verdict::Fired => {
                let f = e
                    .findings
                    .iter()
                    .find(|f| f.id == v.check && f.node == v.node)
                    .unwrap();
                format!("FIRED {:?} {}: {}", f.severity, f.score, f.message)
            }
            Verdict::Passed => "passed".into(),
            Verdict::Skipped => {
                let s = e
                    .skipped
                    .iter()
                    .find(|s| s.check == v.check && s.node == v.node)
                    .unwrap();
                format!("skipped: {}", s.reason)
            }
            Verdict::NotApplicable => "not applicable".into(),
        };
        out.push_str(&format!("{} {}/{}: {what}\n", v.node, v.runbook, v.check));
    }
    for f in e.findings.iter().filter(|f| {
        !e.verdicts
            .iter()
            .any(|v| v.check == f.id && v.node == f.node)
    }) {
        out.push_str(&format!(
            "{} (run): FIRED {:?}: {}\n",
            f.node, f.severity, f.message
        ));
    }
    out
}

#[test]
fn every_check_on_every_recording() {
    let all = recordings();
    assert!(all.len() >= 5, "tests/facts/ has {} recordings", all.len());
    for (name, recorded) in all {
        insta::assert_snapshot!(name.clone(), verdicts(&evaluated(&recorded)));
    }
}

fn fired<'e>(e: &'e Evaluation, id: &str) -> &'e cachectl::findings::Finding {
    e.findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("{id} did not fire: {}", verdicts(e)))
}

fn recording(name: &str) -> Recorded {
    recordings()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no tests/facts/{name}.json"))
        .1
}

/// Seed 004 on a real allocator: 800,000 small values, three in four
/// deleted (the recording's making: scripts/record-facts fragmentation).
#[test]
fn fragmented_memory_is_a_warning_with_memory_purge() {
    let e = evaluated(&recording("fragmentation"));
    let f = fired(&e, "fragmentation-high");
    assert_eq!(f.severity, cachectl::model::Severity::Warning);
    assert!(f.evidence["ratio"].as_f64().unwrap() > 1.5, "{f:#?}");
    assert_eq!(f.fixes[0].commands[0].clone(), "MEMORY PURGE");
}

/// Seed 001: a cache at maxmemory under noeviction, writes refused.
#[test]
fn out_of_memory_under_noeviction_is_critical() {
    let e = evaluated(&recording("oom-noeviction"));
    let f = fired(&e, "oom-noeviction");
    assert_eq!(f.severity, cachectl::model::Severity::Critical);
}

/// A cache set up as the seeds advise fires nothing above info.
#[test]
fn the_healthy_recording_is_healthy() {
    let e = evaluated(&recording("healthy"));
    let worst = e.findings.iter().map(|f| f.severity).max();
    assert!(
        worst <= Some(cachectl::model::Severity::Info),
        "{}",
        verdicts(&e)
    );
}
