//! `cachectl lab`: each scenario staged on the matrix's server, its
//! incident the finding its seed describes, and `lab down` stopping
//! everything the lab started, nothing else.

use std::path::Path;

use crate::harness::*;

fn lab(home: &Path, args: &[&str]) -> Run {
    Cachectl::new()
        .args(["lab"])
        .args(args)
        .env("CACHECTL_LAB_DIR", home.to_str().unwrap())
        .env("CACHECTL_LAB_SERVER", &server_binary())
        .run()
}

fn alive(pid: u64) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

/// Stages `scenario`, diagnoses it as it says, expects `finding` (and
/// CRITICAL or WARNING), then takes it down and checks nothing is left.
fn staged(scenario: &str, finding: &str, status: &str) {
    let home = tempfile::tempdir().unwrap();
    let up = lab(home.path(), &["up", scenario, "-o", "json"]);
    assert_eq!(up.code(), 0, "{}", up.all_output());
    let doc = up.json();
    let pids: Vec<u64> = doc["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pid"].as_u64().unwrap())
        .collect();
    let command = doc["command"].as_str().unwrap();
    let words: Vec<&str> = command.split_whitespace().skip(1).collect();
    let run = Cachectl::new().args(&words).args(["-o", "json"]).run();
    let report = run.json();
    assert!(
        crate::harness::finding(&report, finding).is_some(),
        "{scenario}: no {finding} in {report:#}"
    );
    assert_eq!(report["status"], status, "{scenario}");
    let listed = lab(home.path(), &["list", "-o", "json"]).json();
    let entry = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scenario"] == scenario)
        .unwrap();
    assert_eq!(entry["up"][0], command);
    assert!(entry["seed"].as_str().unwrap().starts_with("seed 00"));
    let down = lab(home.path(), &["down"]);
    assert_eq!(down.code(), 0, "{}", down.all_output());
    for pid in pids {
        wait_until("the lab's processes to end", || !alive(pid));
    }
    let left: Vec<String> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["state.json"], "only the (empty) state is left");
    assert!(lab(home.path(), &["list", "-o", "json"]).json()[0]["up"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// Every scenario, one after another: each starts several servers (the
/// Sentinel set five), and the suite runs beside the others.
#[test]
fn every_scenario_is_its_seeds_incident_and_goes_away() {
    for (scenario, finding, status) in [
        ("oom", "oom-noeviction", "critical"),
        ("maxclients", "clients-critical", "critical"),
        ("slow", "slow-operations", "warning"),
        ("hit-rate", "hit-rate-critical", "critical"),
        ("replica-lag", "replica-link-down", "critical"),
        ("sentinel", "connection-refused", "critical"),
        ("cluster", "cluster-slots-uncovered", "critical"),
        ("app-fallback", "fallback-active", "critical"),
    ] {
        staged(scenario, finding, status);
    }
}

#[test]
fn lab_down_touches_nothing_it_did_not_start() {
    let home = tempfile::tempdir().unwrap();
    // A process the lab did not start, under a PID its state names.
    let mut other = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    std::fs::write(
        home.path().join("state.json"),
        format!(
            "{{\"running\":[{{\"scenario\":\"oom\",\"url\":\"redis://127.0.0.1:1/0\",\"flags\":[],\
             \"dir\":\"/tmp\",\"processes\":[{{\"pid\":{},\"marker\":\"127.0.0.1:1\",\"what\":\"redis-server 127.0.0.1:1\"}}]}}]}}",
            other.id()
        ),
    )
    .unwrap();
    let down = lab(home.path(), &["down"]);
    assert_eq!(down.code(), 0);
    assert!(down.stdout().contains("already gone"), "{}", down.stdout());
    assert!(
        other.try_wait().unwrap().is_none(),
        "an unrelated process was killed"
    );
    assert!(
        Path::new("/tmp").exists(),
        "a directory outside the lab's was removed"
    );
    let _ = other.kill();
    let _ = other.wait();
    // An unknown scenario says which there are.
    let up = lab(home.path(), &["up", "meltdown"]);
    assert_eq!(up.code(), 3);
    assert!(up.stderr().contains("oom"), "{}", up.stderr());
}
