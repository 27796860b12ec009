//! `cachectl runbook list | show | validate | facts` and user runbooks.

use crate::harness::*;

const BUILT_IN: &[&str] = &[
    "redis-unreachable",
    "out-of-memory",
    "too-many-connections",
    "high-latency",
    "low-hit-rate",
    "eviction-pressure",
    "fragmentation",
    "persistence",
    "replication",
    "sentinel",
    "cluster",
    "configuration",
    "security",
    "access",
    "keyspace",
    "hotkeys",
    "clients",
    "app-readiness",
    "app-fallback-active",
    "app-hit-rate",
    "app-error-rate",
    "app-cache-status",
    "correlation",
    "app-endpoints",
];

#[test]
fn list_shows_every_built_in_runbook() {
    let run = Cachectl::new()
        .args(["runbook", "list", "-o", "json"])
        .run();
    assert_eq!(run.code(), 0);
    let list = run.json();
    let ids: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, BUILT_IN);
    for r in list.as_array().unwrap() {
        assert!(r["source"].as_str().unwrap().len() > 10, "{r}");
        assert_eq!(r["origin"], "built-in");
    }
    let run = Cachectl::new().args(["runbook", "list"]).run();
    assert!(run.stdout().contains("out-of-memory"));
}

#[test]
fn show_prints_the_runbook_and_its_seed() {
    let run = Cachectl::new()
        .args(["runbook", "show", "out-of-memory"])
        .run();
    assert_eq!(run.code(), 0);
    let out = run.stdout();
    assert!(
        out.contains("seed 003 Redis Health Targets: memory usage warning 80%"),
        "{out}"
    );
    assert!(out.contains("CONFIG SET maxmemory-policy allkeys-lru"));
    let run = Cachectl::new().args(["runbook", "show", "nope"]).run();
    assert_eq!(run.code(), 3);
}

#[test]
fn facts_lists_the_catalogue() {
    let run = Cachectl::new().args(["runbook", "facts"]).run();
    assert_eq!(run.code(), 0);
    assert!(run.stdout().contains("derived.memory_ratio"));
    assert!(run.stdout().contains("slowlog.entries[].duration_us"));
    assert!(run.stdout().contains("http.<step>"));
}

const GOOD: &str = "id: custom\ntitle: Custom\nsource: test\nchecks:\n  - id: custom-check\n    title: Custom check\n    when: info.connected_clients > 0\n    severity: info\n    score: 5\n    message: hello\n";

#[test]
fn validate_accepts_good_and_positions_every_kind_of_error() {
    let run = validate(GOOD);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.stdout().contains("ok: ") && run.stdout().contains("runbook `custom`, 1 checks"));

    let cases = [
        (
            GOOD.replace("score: 5", "score: 5\n    colour: red"),
            ":10:5: unknown field `colour`",
        ),
        (GOOD.replace("title: Custom\n", "title: [Custom\n"), ":2:"),
        (
            GOOD.replace("info.connected_clients > 0", "info.connected_clients >"),
            ":7:11: bad expression in `when`: syntax error",
        ),
        (
            GOOD.replace("info.connected_clients > 0", "memroy.used > 0"),
            ":7:11: bad expression in `when`: unknown fact `memroy`",
        ),
        (
            GOOD.replace("info.connected_clients > 0", "info.conected_clients > 0"),
            ":7:11: bad expression in `when`: unknown INFO field `info.conected_clients`",
        ),
        (GOOD.replace("severity: info", "severity: dire"), ":8:15:"),
        (
            GOOD.replace("message: hello", "message: hello {who}"),
            ":10:14: message names `{who}`",
        ),
    ];
    expect_rejected(&cases);
}

#[test]
fn user_runbooks_add_checks_and_replace_built_ins() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("named.yaml"),
        "id: cachectl-self\ntitle: Sees itself\nsource: test\nchecks:\n  - id: sees-own-connection\n    title: cachectl names its connection\n    when: \"'cachectl' in clients.by_name\"\n    severity: info\n    score: 1\n    evidence:\n      names: clients.by_name.map(n, n)\n    message: \"clients: {names}\"\n",
    )
    .unwrap();
    // Replace the built-in security runbook with one that never fires.
    std::fs::write(
        dir.path().join("security.yaml"),
        "id: security\ntitle: Quiet security\nsource: test\nchecks:\n  - id: never\n    title: Never\n    when: \"false\"\n    severity: warning\n    score: 1\n    message: never\n",
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let run = diagnose(
        &server.url(),
        &["--runbooks", d, "--only", "cachectl-self,security"],
    );
    let report = run.json();
    expect_finding(&report, "sees-own-connection", "info");
    assert!(
        finding(&report, "no-auth").is_none(),
        "built-in security was not replaced"
    );
    let replaced = report["replaced_runbooks"].as_array().unwrap();
    assert_eq!(replaced.len(), 1, "{replaced:?}");
    assert!(replaced[0].as_str().unwrap().starts_with("security (from "));
    let table = Cachectl::new()
        .args([
            "diagnose",
            "--url",
            &server.url(),
            "--runbooks",
            d,
            "--only",
            "security",
        ])
        .run()
        .stdout();
    assert!(table.contains("user runbook security (from "), "{table}");
    assert_eq!(run.code(), 0);
    let run = Cachectl::new()
        .args(["runbook", "list", "-o", "json", "--runbooks", d])
        .run();
    let list = run.json();
    let sec = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "security")
        .unwrap();
    assert!(sec["origin"].as_str().unwrap().ends_with("security.yaml"));
    assert_eq!(sec["replaces_builtin"], true);

    // A broken user runbook stops diagnose with exit 3 before touching Redis.
    std::fs::write(dir.path().join("zz-broken.yaml"), "id: broken\n").unwrap();
    let run = diagnose(&server.url(), &["--runbooks", d]);
    assert_eq!(run.code(), 3);
    assert!(run.stderr().contains("zz-broken.yaml:"), "{}", run.stderr());
    assert!(run.stderr().contains("missing field"), "{}", run.stderr());
}

#[test]
fn a_check_for_a_newer_server_is_skipped_naming_both_versions() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("future.yaml"),
        "id: future\ntitle: Future\nsource: test\nchecks:\n  - id: from-the-future\n    title: Needs a server that does not exist yet\n    requires_redis: \"99.0\"\n    when: \"true\"\n    severity: critical\n    score: 100\n    message: never\n",
    )
    .unwrap();
    let run = diagnose(
        &server.url(),
        &[
            "--runbooks",
            dir.path().to_str().unwrap(),
            "--only",
            "future",
        ],
    );
    let report = run.json();
    assert!(finding(&report, "from-the-future").is_none());
    let skipped = &report["skipped"][0];
    assert_eq!(skipped["check"], "from-the-future");
    assert_eq!(
        skipped["reason"],
        format!("needs Redis 99.0; this is {}", server_build().describe())
    );
    // The one check asked for could not run: that is no verdict.
    let nothing = expect_finding(&report, "nothing-evaluated", "unknown");
    assert_eq!(nothing["evidence"]["not_run"], 1, "{nothing:#}");
    assert_eq!(run.code(), 3);
    // The report names the server, as the test harness found it.
    let build = server_build();
    assert_eq!(report["server"]["flavour"], build.flavour);
    let (a, b, c) = build.version;
    assert_eq!(report["server"]["version"], format!("{a}.{b}.{c}"));
    let table = Cachectl::new()
        .args(["diagnose", "--url", &server.url(), "--only", "access"])
        .run()
        .stdout();
    assert!(
        table.lines().next().unwrap().contains(&build.describe()),
        "{table}"
    );
}
